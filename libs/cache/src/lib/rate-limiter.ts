import { DstsError } from '@dsts/errors';
import type { Cache, CounterWindow } from './cache';
import { cacheFailure } from './cache-errors';

export interface RateLimiter {
  /** Counts one request for `key`; throws RATE_LIMITED (with Retry-After seconds) beyond the limit. */
  consume(key: string): Promise<void>;
}

/**
 * Counts only failures. An attempt takes a slot of `key`'s budget before it
 * starts (`reserve`, atomic: concurrent attempts never get more slots than
 * the budget) and gives it back when it succeeds (`release`), so only
 * failures stay counted, and whoever can make a key fail can only exhaust
 * that key's own budget.
 */
export interface FailureLimiter {
  /** Takes a slot of `key`'s failure budget; throws RATE_LIMITED (with Retry-After seconds) when none is left. */
  reserve(key: string): Promise<FailureReservation>;
}

/** A slot of a failure budget held by an attempt in progress; a failed attempt keeps it until the window ends. */
export interface FailureReservation {
  /**
   * Gives the slot back (the attempt did not fail); only the first call
   * counts. Never throws: if the cache cannot be reached the slot stays
   * taken until the window ends, which costs the key one failure's worth for
   * at most a window rather than refusing a client that already succeeded.
   */
  release(): Promise<void>;
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

const NOTHING_RESERVED: FailureReservation = { release: async () => undefined };

/** Fixed-window failure budget shared by all replicas through Redis. */
export function createFailureLimiter(cache: Cache, { limit, windowSeconds }: RateLimitOptions): FailureLimiter {
  const counter = (key: string) => `failures:${key}`;
  return {
    async reserve(key) {
      if (limit === 0) return NOTHING_RESERVED;
      const window = await counting(() => cache.incrementWindowBelow(counter(key), limit, windowSeconds));
      if (!window.counted) throw tooManyRequests(window);
      let held = true;
      return {
        async release() {
          if (!held) return;
          held = false;
          await cache.decrementWindow(counter(key)).catch(() => undefined);
        },
      };
    },
  };
}
