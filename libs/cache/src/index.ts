export { createRedisCache } from './lib/cache';
export type { Cache, RedisCacheOptions } from './lib/cache';
export { createDeviceCache, deviceCacheKey, INVALIDATION_HOLD_SECONDS } from './lib/device-cache';
export type { DeviceCache } from './lib/device-cache';
