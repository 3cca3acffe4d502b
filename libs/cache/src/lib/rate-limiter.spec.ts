import { randomBytes } from 'node:crypto';
import { createRedisCache, type Cache } from './cache';
import { createRateLimiter } from './rate-limiter';

describe('rate limiter (real Redis)', () => {
  let cache: Cache;
  const key = () => `client-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    cache = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string });
  });
  afterAll(() => cache.close());

  it('allows the limit per window, then refuses with a retry hint within the window', async () => {
    const limiter = createRateLimiter(cache, { limit: 3, windowSeconds: 60 });
    const client = key();
    for (let i = 0; i < 3; i++) await limiter.consume(client);

    const refusal = await limiter.consume(client).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', kind: 'rate_limited' });
    const retryAfter = (refusal as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await expect(limiter.consume(key())).resolves.toBeUndefined();
  });

  it('never limits when the limit is 0', async () => {
    const limiter = createRateLimiter(cache, { limit: 0, windowSeconds: 60 });
    const client = key();
    for (let i = 0; i < 5; i++) await expect(limiter.consume(client)).resolves.toBeUndefined();
  });
});
