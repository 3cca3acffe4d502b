import { randomUUID } from 'node:crypto';
import { hasForbiddenCharacters } from '@dsts/validation';

/** Longest `header.request_id` the service accepts (and echoes). */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * The id that labels a call in responses, logs and audit lines: the caller's
 * `header.request_id` when it would pass the field rules (at most 128
 * characters, no control characters), otherwise a fresh one — an id that is
 * refused is not echoed.
 */
export function requestIdOf(header: { requestId?: string } | undefined): string {
  const given = header?.requestId ?? '';
  return given && given.length <= MAX_REQUEST_ID_LENGTH && !hasForbiddenCharacters(given) ? given : randomUUID();
}
