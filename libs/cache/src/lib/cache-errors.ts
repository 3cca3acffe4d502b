import { DstsError } from '@dsts/errors';

/**
 * A failing Redis command means the service cannot answer now, not a bug:
 * DEPENDENCY_UNAVAILABLE (429 / ResourceExhausted). The cause stays for logs.
 */
export function cacheFailure(error: unknown): DstsError {
  if (error instanceof DstsError) return error;
  return new DstsError('DEPENDENCY_UNAVAILABLE', 'cache temporarily unavailable, retry later', { cause: error });
}
