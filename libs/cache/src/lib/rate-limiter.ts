import { DstsError } from '@dsts/errors';
import type { Cache } from './cache';
import { cacheFailure } from './cache-errors';

export interface RateLimiter {
  /** Counts one request for `key`; throws RATE_LIMITED (with Retry-After seconds) beyond the limit. */
  consume(key: string): Promise<void>;
}

export interface RateLimitOptions {
  /** Requests allowed per window; 0 disables limiting. */
  limit: number;
  windowSeconds: number;
}

/** Fixed-window limiter shared by all replicas through Redis. */
export function createRateLimiter(cache: Cache, { limit, windowSeconds }: RateLimitOptions): RateLimiter {
  return {
    async consume(key) {
      if (limit === 0) return;
      let window: { count: number; remainingSeconds: number };
      try {
        window = await cache.incrementWindow(`ratelimit:${key}`, windowSeconds);
      } catch (error) {
        throw cacheFailure(error);
      }
      if (window.count > limit) {
        throw new DstsError('RATE_LIMITED', 'too many requests, retry later', { retryAfterSeconds: window.remainingSeconds });
      }
    },
  };
}
