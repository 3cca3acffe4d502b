/**
 * The outcome class of a domain error. Each app maps a kind to its transport
 * status once (HTTP status in auth-gateway, header.status in lifecycle-api).
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'unsupported_media_type'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'gone'
  | 'already_exists'
  | 'rate_limited'
  | 'overloaded'
  | 'payload_too_large'
  | 'internal';

/** Stable, closed set of error codes and their kinds. Extend here, nowhere else. */
export const ERROR_KINDS = {
  INVALID_REQUEST: 'invalid_argument',
  INVALID_CERTIFICATE: 'invalid_argument',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  NOT_FOUND: 'not_found',
  DEVICE_NOT_FOUND: 'not_found',
  DEVICE_TOMBSTONED: 'gone',
  DEVICE_ALREADY_EXISTS: 'already_exists',
  UNKNOWN_MANAGEMENT_SERVICE: 'invalid_argument',
  ENROLLMENT_TOKEN_NOT_FOUND: 'not_found',
  ENROLLMENT_TOKEN_ALREADY_EXISTS: 'already_exists',
  ENROLLMENT_TOKEN_INVALID: 'unauthenticated',
  /** Malformed, wrongly signed, disallowed `alg`, or `iss`/`sub` not the authenticating subject. */
  ASSERTION_INVALID: 'unauthenticated',
  ASSERTION_EXPIRED: 'unauthenticated',
  ASSERTION_NOT_YET_VALID: 'unauthenticated',
  /** The nonce names no outstanding challenge (wrong, never issued, expired, or already used). */
  CHALLENGE_MISSING: 'unauthenticated',
  /** Device disabled or reported lost. */
  DEVICE_BLOCKED: 'unauthenticated',
  /** Certificate valid but neither the device's current nor its previous one. */
  CERTIFICATE_MISMATCH: 'unauthenticated',
  /** Unknown app ids fail like any other authentication, so app ids cannot be probed. */
  APP_NOT_FOUND: 'unauthenticated',
  APP_DISABLED: 'unauthenticated',
  /** An access token presented as a credential failed verification (signature, issuer, expiry, type). */
  ACCESS_TOKEN_INVALID: 'unauthenticated',
  /** A caller of an admin API without valid credentials; the cause says why, the message never does. */
  CALLER_UNAUTHENTICATED: 'unauthenticated',
  /** An authenticated caller without the permission an operation needs. */
  PERMISSION_DENIED: 'permission_denied',
  RATE_LIMITED: 'rate_limited',
  OVERLOADED: 'overloaded',
  DEPENDENCY_UNAVAILABLE: 'overloaded',
  INTERNAL: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_KINDS;

/**
 * Why a caller of an admin API was refused, finer than its error code: for
 * the audit trail and operators only — the caller is answered with the
 * code's one message whatever the reason. A closed set, like the codes.
 */
export type RefusalReason =
  /** Neither a bearer token nor a client certificate the admin CA vouches for (TLS hands the service no untrusted certificate: it counts as none). */
  | 'NO_CREDENTIALS'
  /** `authorization` is not `Bearer <token>` (another scheme, empty, oversized). */
  | 'AUTHORIZATION_NOT_BEARER'
  /** The access token is past `exp`, or older than any token issued here lives. */
  | 'ACCESS_TOKEN_EXPIRED'
  /** `iss` is not this service's TOKEN_ISSUER. */
  | 'ACCESS_TOKEN_WRONG_ISSUER'
  /** Another claim fails (`nbf`, `iat` in the future, a required claim missing). */
  | 'ACCESS_TOKEN_CLAIM_INVALID'
  /** Signed by no key this service publishes. */
  | 'ACCESS_TOKEN_UNKNOWN_KEY'
  /** Names one of our keys, but the signature does not verify. */
  | 'ACCESS_TOKEN_BAD_SIGNATURE'
  /** A JWS algorithm the service never signs with. */
  | 'ACCESS_TOKEN_ALGORITHM_REFUSED'
  /** Not a JWT at all. */
  | 'ACCESS_TOKEN_MALFORMED'
  /** A valid token, but not an app token (a device token, say). */
  | 'ACCESS_TOKEN_NOT_APP_TOKEN'
  /** A valid app token of an app that is not registered (any more). */
  | 'APP_NOT_FOUND'
  /** A valid app token of an app that is disabled now. */
  | 'APP_DISABLED'
  /** A known caller without the operation's permission. */
  | 'PERMISSION_NOT_GRANTED'
  /** An operation missing from the permission table: nobody may call it. */
  | 'OPERATION_NOT_LISTED';

/** What an overloaded or unreachable dependency tells callers to wait (Retry-After). */
export const OVERLOAD_RETRY_AFTER_SECONDS = 5;

export interface DstsErrorOptions {
  /** Safe to show to the caller; `internal` errors are never shown whatever this says. */
  expose?: boolean;
  /** Seconds the caller should wait (rate limiting). */
  retryAfterSeconds?: number;
  /** Why a caller was refused, for the audit trail (never the caller). */
  reason?: RefusalReason;
  /** Whom a credential proved to be before it was refused (a valid token of a disabled app), for the audit trail. */
  verifiedSubject?: string;
  cause?: unknown;
}

/** A domain error with a stable code. `message` is written for the caller. */
export class DstsError extends Error {
  override readonly name = 'DstsError';
  readonly kind: ErrorKind;
  readonly expose: boolean;
  readonly retryAfterSeconds?: number;
  readonly reason?: RefusalReason;
  readonly verifiedSubject?: string;

  constructor(readonly code: ErrorCode, message: string, options: DstsErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.verifiedSubject = options.verifiedSubject;
    this.kind = ERROR_KINDS[code];
    this.expose = this.kind !== 'internal' && (options.expose ?? true);
    this.retryAfterSeconds = options.retryAfterSeconds ?? (this.kind === 'overloaded' ? OVERLOAD_RETRY_AFTER_SECONDS : undefined);
  }
}

export function isDstsError(error: unknown): error is DstsError {
  return error instanceof DstsError;
}

/** Message safe for a response body: the domain message, or a generic one. */
export function publicMessage(error: unknown): string {
  return isDstsError(error) && error.expose ? error.message : 'internal error';
}
