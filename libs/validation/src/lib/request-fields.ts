import { DstsError } from '@dsts/errors';

/** Column width of tenant and device ids (VARCHAR(128)). */
export const MAX_ID_LENGTH = 128;
/** Column width of hardware_hash (VARCHAR(256)). */
export const MAX_HARDWARE_HASH_LENGTH = 256;
/** Longest management service id (VARCHAR(64)). */
export const MAX_MANAGEMENT_SERVICE_LENGTH = 64;
/** Longest client assertion, as large as the auth-gateway's whole token request body. */
export const MAX_ASSERTION_LENGTH = 64 * 1024;

// Control characters (Postgres refuses NUL outright), invisible format
// characters such as U+202E (right-to-left override), line/paragraph
// separators, and U+FFFD, which is what invalid UTF-8 on the wire decodes to:
// none belongs in an id.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\uFFFD]/u;

const invalid = (message: string) => new DstsError('INVALID_REQUEST', message);

/** An optional text field: at most `max` characters (code points, as Postgres counts), no control characters. */
export function optionalText(value: string, field: string, max: number): string {
  if ([...value].length > max) throw invalid(`${field} must be at most ${max} characters`);
  if (FORBIDDEN.test(value)) throw invalid(`${field} must be valid UTF-8 text without control characters`);
  return value;
}

/** Whether `value` holds a control character or U+FFFD (never valid in an id or name). */
export function hasForbiddenCharacters(value: string): boolean {
  return FORBIDDEN.test(value);
}

/** A required identifier such as tid, device_id or app_id (both services, all transports). */
export function requiredId(value: string, field: string): string {
  if (value === '') throw invalid(`${field} is required`);
  return optionalText(value, field, MAX_ID_LENGTH);
}
