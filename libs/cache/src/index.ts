export { createRedisCache } from './lib/cache';
export type { Cache, RedisCacheOptions } from './lib/cache';
