import { status as GrpcStatus } from '@grpc/grpc-js';
import { type ErrorKind, isDstsError, publicMessage } from '@dsts/errors';

/** The one place where domain error kinds become gRPC status codes. */
const GRPC_STATUS: Record<ErrorKind, GrpcStatus> = {
  invalid_argument: GrpcStatus.INVALID_ARGUMENT,
  unsupported_media_type: GrpcStatus.INVALID_ARGUMENT,
  payload_too_large: GrpcStatus.INVALID_ARGUMENT,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  permission_denied: GrpcStatus.PERMISSION_DENIED,
  not_found: GrpcStatus.NOT_FOUND,
  gone: GrpcStatus.NOT_FOUND,
  already_exists: GrpcStatus.ALREADY_EXISTS,
  rate_limited: GrpcStatus.RESOURCE_EXHAUSTED,
  overloaded: GrpcStatus.RESOURCE_EXHAUSTED,
  internal: GrpcStatus.INTERNAL,
};

export interface MappedStatus {
  code: GrpcStatus;
  message: string;
}

/** Status and caller-safe message for any thrown value (non-domain errors become Internal). */
export function toGrpcStatus(error: unknown): MappedStatus {
  return {
    code: isDstsError(error) ? GRPC_STATUS[error.kind] : GrpcStatus.INTERNAL,
    message: publicMessage(error),
  };
}
