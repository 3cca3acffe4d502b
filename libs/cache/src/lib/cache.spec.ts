import { createCache, createRedisCache, type Cache } from './cache';
import { createMemoryCache } from './memory-cache';

const redisOptions = () => ({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string });

// The same contract for both backends: the services must not notice which one runs.
describe.each([
  ['Redis (real Redis)', () => createRedisCache(redisOptions())],
  ['in-process', () => createMemoryCache()],
])('%s cache', (_name, create) => {
  let cache: Cache;

  beforeAll(() => {
    cache = create();
  });
  afterAll(async () => {
    await cache.close();
  });

  it('answers a ping', async () => {
    await expect(cache.ping()).resolves.toBeUndefined();
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

  it('stores with setIfAbsent only into an empty key', async () => {
    expect(await cache.setIfAbsent('nx', 'first', 60)).toBe(true);
    expect(await cache.setIfAbsent('nx', 'second', 60)).toBe(false);
    expect(await cache.get('nx')).toBe('first');
  });

  it('counts a fixed window, concurrent increments each counted once', async () => {
    const counts = await Promise.all(Array.from({ length: 10 }, () => cache.incrementWindow('window', 60)));

    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const { remainingSeconds } of counts) {
      expect(remainingSeconds).toBeGreaterThanOrEqual(1);
      expect(remainingSeconds).toBeLessThanOrEqual(60);
    }
  });

  it('increments a window only below a limit, atomically: of many concurrent increments exactly `limit` count', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => cache.incrementWindowBelow('bounded', 4, 60)));

    const counted = results.filter((result) => result.counted);
    expect(counted.map((result) => result.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4]);
    for (const refused of results.filter((result) => !result.counted)) expect(refused.count).toBe(4);
    for (const { remainingSeconds } of results) {
      expect(remainingSeconds).toBeGreaterThanOrEqual(1);
      expect(remainingSeconds).toBeLessThanOrEqual(60);
    }
  });

  it('decrements an open window, never below zero and never opening one', async () => {
    await cache.decrementWindow('never-opened');
    expect(await cache.get('never-opened')).toBeNull();

    await cache.incrementWindow('down', 60);
    await cache.incrementWindow('down', 60);
    await Promise.all([cache.decrementWindow('down'), cache.decrementWindow('down'), cache.decrementWindow('down')]);
    expect(await cache.get('down')).toBe('0');
    expect(await cache.incrementWindowBelow('down', 1, 60)).toMatchObject({ count: 1, counted: true });
  });
});

describe('Redis cache (real Redis)', () => {
  it('stores a value with a TTL that expires', async () => {
    const cache = createRedisCache(redisOptions());
    try {
      await cache.set('ttl', 'v', 1);
      expect(await cache.get('ttl')).toBe('v');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await cache.get('ttl')).toBeNull();
    } finally {
      await cache.close();
    }
  });

  it('keeps keys under its prefix, apart from a cache with another prefix', async () => {
    const cache = createRedisCache(redisOptions());
    const other = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: `${process.env['REDIS_KEY_PREFIX']}other:` });
    try {
      await cache.set('shared-name', 'mine', 60);
      expect(await other.get('shared-name')).toBeNull();
    } finally {
      await Promise.all([cache.close(), other.close()]);
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

describe('in-process cache', () => {
  let clock = 0;
  let cache: Cache;
  beforeEach(() => {
    clock = 1_000_000;
    cache = createMemoryCache({ now: () => clock });
  });
  afterEach(() => cache.close());

  it('forgets a value when its TTL has passed, for every read', async () => {
    await cache.set('ttl', 'v', 2);
    await cache.setJson('json', { a: 1 }, 2);
    clock += 1_999;
    expect(await cache.get('ttl')).toBe('v');
    clock += 1;
    expect(await cache.get('ttl')).toBeNull();
    expect(await cache.getAndDelete('ttl')).toBeNull();
    expect(await cache.getJson('json')).toBeNull();
    expect(await cache.delete('json')).toBe(0);
  });

  it('lets setIfAbsent fill a key whose value expired', async () => {
    await cache.set('nx', 'old', 1);
    clock += 1_000;
    expect(await cache.setIfAbsent('nx', 'new', 60)).toBe(true);
    expect(await cache.get('nx')).toBe('new');
  });

  it('keeps a window from its first increment and starts a new one after it', async () => {
    expect(await cache.incrementWindow('w', 60)).toEqual({ count: 1, remainingSeconds: 60 });
    clock += 45_500;
    expect(await cache.incrementWindow('w', 60)).toEqual({ count: 2, remainingSeconds: 15 });
    clock += 14_500;
    expect(await cache.incrementWindowBelow('w', 2, 60)).toEqual({ count: 1, remainingSeconds: 60, counted: true });
    clock += 20_000;
    expect(await cache.incrementWindowBelow('w', 1, 60)).toEqual({ count: 1, remainingSeconds: 40, counted: false });
    clock += 40_000;
    await cache.decrementWindow('w');
    expect(await cache.get('w')).toBeNull();
  });

  it('says it is not shared across processes; Redis says it is', async () => {
    const redis = createRedisCache(redisOptions());
    try {
      expect(cache.sharedAcrossProcesses).toBe(false);
      expect(redis.sharedAcrossProcesses).toBe(true);
    } finally {
      await redis.close();
    }
  });
});

describe('createCache', () => {
  it('builds the configured backend', async () => {
    const memory = createCache({ backend: 'memory', url: 'redis://127.0.0.1:1' });
    const redis = createCache({ backend: 'redis', ...redisOptions() });
    try {
      expect(memory.sharedAcrossProcesses).toBe(false);
      await expect(memory.ping()).resolves.toBeUndefined();
      expect(redis.sharedAcrossProcesses).toBe(true);
      await expect(redis.ping()).resolves.toBeUndefined();
    } finally {
      await Promise.all([memory.close(), redis.close()]);
    }
  });
});
