import { createRedisCache, type Cache } from './cache';
import { createDeviceCache, deviceCacheKey } from './device-cache';

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
