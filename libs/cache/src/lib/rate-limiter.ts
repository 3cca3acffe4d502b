import { DstsError } from '@dsts/errors';
import type { Cache, CounterWindow } from './cache';
import { cacheFailure } from './cache-errors';

export interface RateLimiter {
  /** Counts one request for `key`; throws RATE_LIMITED (with Retry-After seconds) beyond the limit. */
  consume(key: string): Promise<void>;
}

/**
 * Counts only failures: `check` refuses once `key` has failed `limit` times in
 * the current window, and successes never count, so whoever can make a key
 * fail can only exhaust that key's own budget.
 */
export interface FailureLimiter {
  /** Throws RATE_LIMITED (with Retry-After seconds) while `key` has used up its failures. */
  check(key: string): Promise<void>;
  /** Counts one failure for `key`. */
  recordFailure(key: string): Promise<void>;
}

export interface RateLimitOptions {
  /** Requests (or failures) allowed per window; 0 disables limiting. */
  limit: number;
  windowSeconds: number;
}

const tooManyRequests = ({ remainingSeconds }: CounterWindow) =>
  new DstsError('RATE_LIMITED', 'too many requests, retry later', { retryAfterSeconds: remainingSeconds });

/** Redis command failures become DEPENDENCY_UNAVAILABLE (429 / ResourceExhausted). */
async function counting<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    throw cacheFailure(error);
  }
}

/** Fixed-window limiter shared by all replicas through Redis. */
export function createRateLimiter(cache: Cache, { limit, windowSeconds }: RateLimitOptions): RateLimiter {
  return {
    async consume(key) {
      if (limit === 0) return;
      const window = await counting(() => cache.incrementWindow(`ratelimit:${key}`, windowSeconds));
      if (window.count > limit) throw tooManyRequests(window);
    },
  };
}

/** Fixed-window failure budget shared by all replicas through Redis. */
export function createFailureLimiter(cache: Cache, { limit, windowSeconds }: RateLimitOptions): FailureLimiter {
  const counter = (key: string) => `failures:${key}`;
  return {
    async check(key) {
      if (limit === 0) return;
      const window = await counting(() => cache.readWindow(counter(key)));
      if (window && window.count >= limit) throw tooManyRequests(window);
    },
    async recordFailure(key) {
      if (limit === 0) return;
      await counting(() => cache.incrementWindow(counter(key), windowSeconds));
    },
  };
}
