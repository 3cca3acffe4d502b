export { DstsError, ERROR_KINDS, isDstsError, publicMessage } from './lib/dsts-error';
export type { DstsErrorOptions, ErrorCode, ErrorKind } from './lib/dsts-error';
