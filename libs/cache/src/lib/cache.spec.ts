import { createRedisCache, type Cache } from './cache';

describe('Redis cache (real Redis)', () => {
  let cache: Cache;

  beforeAll(() => {
    cache = createRedisCache({
      url: process.env['REDIS_URL'] as string,
      keyPrefix: process.env['REDIS_KEY_PREFIX'] as string,
    });
  });
  afterAll(async () => {
    await cache.close();
  });

  it('answers a ping', async () => {
    await expect(cache.ping()).resolves.toBeUndefined();
  });

  it('stores a value with a TTL that expires', async () => {
    await cache.set('ttl', 'v', 1);
    expect(await cache.get('ttl')).toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await cache.get('ttl')).toBeNull();
  });

  it('gets and deletes atomically: of many concurrent takers exactly one wins', async () => {
    await cache.set('challenge', 'nonce-1', 60);

    const results = await Promise.all(Array.from({ length: 20 }, () => cache.getAndDelete('challenge')));

    expect(results.filter((r) => r === 'nonce-1')).toHaveLength(1);
    expect(await cache.get('challenge')).toBeNull();
  });

  it('round-trips JSON and deletes keys', async () => {
    await cache.setJson('device', { tid: 't', enabled: true }, 60);
    expect(await cache.getJson('device')).toEqual({ tid: 't', enabled: true });
    expect(await cache.delete('device', 'absent')).toBe(1);
    expect(await cache.getJson('device')).toBeNull();
    expect(await cache.delete()).toBe(0);
  });

  it('keeps keys under its prefix, apart from a cache with another prefix', async () => {
    const other = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: `${process.env['REDIS_KEY_PREFIX']}other:` });
    try {
      await cache.set('shared-name', 'mine', 60);
      expect(await other.get('shared-name')).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('fails fast, not forever, when Redis is unreachable', async () => {
    const dead = createRedisCache({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 300 });
    try {
      await expect(dead.ping()).rejects.toThrow();
    } finally {
      await dead.close();
    }
  });
});

describe('setIfAbsent', () => {
  it('stores only into an empty key', async () => {
    const cache = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string });
    try {
      expect(await cache.setIfAbsent('nx', 'first', 60)).toBe(true);
      expect(await cache.setIfAbsent('nx', 'second', 60)).toBe(false);
      expect(await cache.get('nx')).toBe('first');
    } finally {
      await cache.close();
    }
  });
});
