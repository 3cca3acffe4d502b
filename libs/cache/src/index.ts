export { createRedisCache } from './lib/cache';
export type { Cache, RedisCacheOptions } from './lib/cache';
export { createDeviceCache, deviceCacheKey, INVALIDATION_HOLD_SECONDS } from './lib/device-cache';
export { cacheFailure } from './lib/cache-errors';
export type { DeviceCache } from './lib/device-cache';
export { CHALLENGE_TTL_SECONDS, challengeKey, createChallengeStore } from './lib/challenge-store';
export type { ChallengeStore, ChallengeSubject, IssuedChallenge } from './lib/challenge-store';
export { createRateLimiter } from './lib/rate-limiter';
export type { RateLimiter, RateLimitOptions } from './lib/rate-limiter';
