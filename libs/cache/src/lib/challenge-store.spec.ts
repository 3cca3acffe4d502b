import Redis from 'ioredis';
import { DstsError } from '@dsts/errors';
import { createRedisCache, type Cache } from './cache';
import { challengeKey, createChallengeStore } from './challenge-store';

describe('challenge store (real Redis)', () => {
  const prefix = process.env['REDIS_KEY_PREFIX'] as string;
  let cache: Cache;
  let raw: Redis;
  const now = new Date('2026-12-03T10:00:00.000Z');

  beforeAll(() => {
    cache = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: prefix });
    raw = new Redis(process.env['REDIS_URL'] as string);
  });
  afterAll(async () => {
    await cache.close();
    raw.disconnect();
  });

  it('issues 256-bit CSPRNG challenges that expire after 60 s in Redis', async () => {
    const store = createChallengeStore(cache);
    const issued = await Promise.all(Array.from({ length: 50 }, (_, i) => store.issue('device', `d-${i}`, now)));

    for (const { challenge } of issued) expect(Buffer.from(challenge, 'base64url')).toHaveLength(32);
    expect(new Set(issued.map((i) => i.challenge)).size).toBe(50);
    expect(issued[0].expiresAt).toEqual(new Date('2026-12-03T10:01:00.000Z'));
    const ttl = await raw.ttl(`${prefix}${challengeKey('device', 'd-0', issued[0].challenge)}`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('redeems a challenge once; the second attempt finds it missing', async () => {
    const store = createChallengeStore(cache);
    const { challenge } = await store.issue('device', 'once', now);

    expect(await store.redeem('device', 'once', challenge)).toBe('ok');
    expect(await store.redeem('device', 'once', challenge)).toBe('missing');
  });

  it('refuses a wrong nonce without burning the real challenge', async () => {
    const store = createChallengeStore(cache);
    const { challenge } = await store.issue('device', 'wrong', now);

    expect(await store.redeem('device', 'wrong', `${challenge}x`)).toBe('missing');
    expect(await store.redeem('device', 'wrong', '')).toBe('missing');
    expect(await store.redeem('device', 'wrong', challenge)).toBe('ok');
  });

  // Regression: one challenge per id, replaced by each new request, let anyone
  // who knew a device id keep the device from ever authenticating.
  it('keeps every challenge of an id redeemable: new requests do not cancel earlier ones', async () => {
    const store = createChallengeStore(cache);
    const victim = await store.issue('device', 'busy', now);
    await Promise.all(Array.from({ length: 10 }, () => store.issue('device', 'busy', now)));

    expect(await store.redeem('device', 'busy', victim.challenge)).toBe('ok');
  });

  it('lets exactly one of many concurrent redeemers win', async () => {
    const store = createChallengeStore(cache);
    const { challenge } = await store.issue('app', 'race', now);

    const results = await Promise.all(Array.from({ length: 20 }, () => store.redeem('app', 'race', challenge)));

    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'missing')).toHaveLength(19);
  });

  it('binds a challenge to its subject kind and id', async () => {
    const store = createChallengeStore(cache);
    const device = await store.issue('device', 'same-id', now);
    const app = await store.issue('app', 'same-id', now);

    expect(await store.redeem('device', 'same-id', app.challenge)).toBe('missing');
    expect(await store.redeem('device', 'other-id', device.challenge)).toBe('missing');
    expect(await store.redeem('app', 'same-id', app.challenge)).toBe('ok');
    expect(await store.redeem('device', 'same-id', device.challenge)).toBe('ok');
  });

  it('reports an unreachable Redis as a dependency failure', async () => {
    const dead = createRedisCache({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
    try {
      const store = createChallengeStore(dead);
      await expect(store.issue('device', 'd', now)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      await expect(store.redeem('device', 'd', 'n')).rejects.toBeInstanceOf(DstsError);
    } finally {
      await dead.close();
    }
  });
});
