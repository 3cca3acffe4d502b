export { DstsError, ERROR_KINDS, isDstsError, publicMessage } from './lib/dsts-error';
export type { DstsErrorOptions, ErrorCode, ErrorKind, RefusalReason } from './lib/dsts-error';
