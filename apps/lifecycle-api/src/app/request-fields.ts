import { DstsError } from '@dsts/errors';

/** Column width of tenant and device ids (VARCHAR(128)). */
export const MAX_ID_LENGTH = 128;
/** Column width of hardware_hash (VARCHAR(256)). */
export const MAX_HARDWARE_HASH_LENGTH = 256;
/** Longest management service id (VARCHAR(64)). */
export const MAX_MANAGEMENT_SERVICE_LENGTH = 64;
/** Longest client assertion, as large as the auth-gateway's whole token request body. */
export const MAX_ASSERTION_LENGTH = 64 * 1024;

// Control characters (Postgres refuses NUL outright) and U+FFFD, which is
// what invalid UTF-8 on the wire decodes to: neither belongs in an id.
const FORBIDDEN = /[\p{Cc}\uFFFD]/u;

const invalid = (message: string) => new DstsError('INVALID_REQUEST', message);

/** An optional text field: at most `max` characters (code points, as Postgres counts), no control characters. */
export function optionalText(value: string, field: string, max: number): string {
  if ([...value].length > max) throw invalid(`${field} must be at most ${max} characters`);
  if (FORBIDDEN.test(value)) throw invalid(`${field} must be valid UTF-8 text without control characters`);
  return value;
}

/** A required identifier such as tid or device_id. */
export function requiredId(value: string, field: string): string {
  if (value === '') throw invalid(`${field} is required`);
  return optionalText(value, field, MAX_ID_LENGTH);
}
