import type { RequestHandler } from 'express';
import type { RateLimiter } from '@dsts/cache';

/** Limits each client address per endpoint group; beyond it, 429 with Retry-After. */
export function rateLimit(limiter: RateLimiter, group: string): RequestHandler {
  return async (req, _res, next) => {
    await limiter.consume(`${group}:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`);
    next();
  };
}
