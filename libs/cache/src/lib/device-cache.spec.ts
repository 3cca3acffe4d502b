import { createRedisCache, type Cache } from './cache';
import { createDeviceCache, deviceCacheKey } from './device-cache';
import { createMemoryCache } from './memory-cache';

describe('device cache (real Redis)', () => {
  let cache: Cache;

  beforeAll(() => {
    cache = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string });
  });
  afterAll(() => cache.close());

  it('keys by tenant and device without ambiguity', () => {
    expect(deviceCacheKey('a:b', 'c')).not.toBe(deviceCacheKey('a', 'b:c'));
    expect(deviceCacheKey('t', 'd')).toBe('device:t:d');
  });

  it('stores per tenant: the same device id in two tenants are two entries', async () => {
    const devices = createDeviceCache<{ owner: string }>(cache, 60);
    await devices.put('tenant-1', 'dev', { owner: 'one' });
    await devices.put('tenant-2', 'dev', { owner: 'two' });

    await devices.invalidate('tenant-1', 'dev');

    expect(await devices.get('tenant-1', 'dev')).toBeNull();
    expect(await devices.get('tenant-2', 'dev')).toEqual({ owner: 'two' });
  });
});

describe('device cache invalidation race', () => {
  let cache: Cache;

  beforeAll(() => {
    cache = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string });
  });
  afterAll(() => cache.close());

  it('does not let a reader that loaded the old row before the change write it back after invalidation', async () => {
    const devices = createDeviceCache<{ enabled: boolean }>(cache, 60);
    // Reader (auth-gateway) misses the cache and reads the row while it is still enabled...
    expect(await devices.get('t-race', 'd')).toBeNull();
    const staleRow = { enabled: true };
    // ...meanwhile the writer (lifecycle-api) commits "disabled" and invalidates...
    await devices.invalidate('t-race', 'd');
    // ...then the reader stores what it read.
    await devices.put('t-race', 'd', staleRow);

    expect(await devices.get('t-race', 'd')).toBeNull();
  });

  it('still caches a snapshot when nothing invalidated it', async () => {
    const devices = createDeviceCache<{ enabled: boolean }>(cache, 60);
    await devices.put('t-race', 'fresh', { enabled: true });
    expect(await devices.get('t-race', 'fresh')).toEqual({ enabled: true });
  });
});

describe('device cache over the in-process cache', () => {
  it('stores nothing: an invalidation in another process could never reach it', async () => {
    const cache = createMemoryCache();
    try {
      const devices = createDeviceCache<{ enabled: boolean }>(cache, 60);
      await devices.put('t', 'd', { enabled: true });

      expect(await devices.get('t', 'd')).toBeNull();
      expect(await cache.get(deviceCacheKey('t', 'd'))).toBeNull();
      await expect(devices.invalidate('t', 'd')).resolves.toBeUndefined();
    } finally {
      await cache.close();
    }
  });
});
