import { randomBytes } from 'node:crypto';
import { createRedisCache, type Cache } from './cache';
import { createMemoryCache } from './memory-cache';
import { createFailureLimiter, createRateLimiter } from './rate-limiter';

const refusalOf = (attempt: Promise<unknown>) =>
  attempt.then(
    () => undefined,
    (error: unknown) => error as { code: string; kind: string; retryAfterSeconds: number },
  );

const expectRetryHint = (refusal: { retryAfterSeconds: number } | undefined, windowSeconds: number) => {
  expect(refusal).toMatchObject({ code: 'RATE_LIMITED', kind: 'rate_limited' });
  expect(Number.isInteger(refusal?.retryAfterSeconds)).toBe(true);
  expect(refusal?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(windowSeconds);
};

// Both backends: the gateway limits the same way with CACHE=memory (one process) and Redis (all replicas).
describe.each([
  ['real Redis', () => createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string })],
  ['in-process cache', () => createMemoryCache()],
])('limiters on %s', (_name, create) => {
  let cache: Cache;
  const key = () => `client-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    cache = create();
  });
  afterAll(() => cache.close());

  describe('rate limiter', () => {
    it('allows the limit per window, then refuses with a retry hint within the window', async () => {
      const limiter = createRateLimiter(cache, { limit: 3, windowSeconds: 60 });
      const client = key();
      for (let i = 0; i < 3; i++) await limiter.consume(client);

      expectRetryHint(await refusalOf(limiter.consume(client)), 60);
      await expect(limiter.consume(key())).resolves.toBeUndefined();
    });

    it('never limits when the limit is 0', async () => {
      const limiter = createRateLimiter(cache, { limit: 0, windowSeconds: 60 });
      const client = key();
      for (let i = 0; i < 5; i++) await expect(limiter.consume(client)).resolves.toBeUndefined();
    });
  });

  describe('failure limiter', () => {
    it('admits a key until `limit` attempts have failed (kept their slot), then refuses it with a retry hint', async () => {
      const failures = createFailureLimiter(cache, { limit: 2, windowSeconds: 60 });
      const client = key();
      await failures.reserve(client);
      await failures.reserve(client);

      expectRetryHint(await refusalOf(failures.reserve(client)), 60);
      await expect(failures.reserve(key())).resolves.toBeDefined();
    });

    it('admits exactly `limit` of many concurrent attempts and refuses the rest with a retry hint', async () => {
      const failures = createFailureLimiter(cache, { limit: 3, windowSeconds: 60 });
      const client = key();

      const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => failures.reserve(client)));

      expect(outcomes.filter(({ status }) => status === 'fulfilled')).toHaveLength(3);
      for (const outcome of outcomes) if (outcome.status === 'rejected') expectRetryHint(outcome.reason, 60);
    });

    it('does not count released attempts: successes in between never use up the budget', async () => {
      const failures = createFailureLimiter(cache, { limit: 2, windowSeconds: 60 });
      const client = key();
      await failures.reserve(client);
      for (let i = 0; i < 5; i++) await (await failures.reserve(client)).release();
      await failures.reserve(client);

      expectRetryHint(await refusalOf(failures.reserve(client)), 60);
    });

    it('holds the slot of an attempt in progress and gives it back once, however often released', async () => {
      const failures = createFailureLimiter(cache, { limit: 2, windowSeconds: 60 });
      const client = key();
      await failures.reserve(client);
      const inProgress = await failures.reserve(client);
      expectRetryHint(await refusalOf(failures.reserve(client)), 60);

      await inProgress.release();
      await inProgress.release();
      await failures.reserve(client);
      expectRetryHint(await refusalOf(failures.reserve(client)), 60);
    });

    it('never refuses when the limit is 0', async () => {
      const failures = createFailureLimiter(cache, { limit: 0, windowSeconds: 60 });
      const client = key();
      for (let i = 0; i < 3; i++) await expect(failures.reserve(client)).resolves.toBeDefined();
    });
  });
});

describe('limiters when Redis is unreachable', () => {
  it('answer DEPENDENCY_UNAVAILABLE (429), never an internal error', async () => {
    const dead = createRedisCache({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 300 });
    try {
      const failures = createFailureLimiter(dead, { limit: 1, windowSeconds: 60 });
      await expect(failures.reserve('k')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      await expect(createRateLimiter(dead, { limit: 1, windowSeconds: 60 }).consume('k')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    } finally {
      await dead.close();
    }
  });

  it('a release that cannot reach Redis does not throw: the slot stays taken until the window ends', async () => {
    const cache = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string, commandTimeoutMs: 300 });
    const reservation = await createFailureLimiter(cache, { limit: 1, windowSeconds: 60 }).reserve(`client-${randomBytes(4).toString('hex')}`);
    await cache.close();
    await expect(reservation.release()).resolves.toBeUndefined();
  });
});
