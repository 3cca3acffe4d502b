import { randomBytes } from 'node:crypto';
import { type Cache, createDeviceCache, createRedisCache } from '@dsts/cache';
import { createDeviceRepository, createPrismaClient, type PrismaClient } from '@dsts/db';
import { type CachedDevice, createDeviceLookup } from './device-lookup';

describe('device lookup (real Redis and Postgres)', () => {
  let prisma: PrismaClient;
  let cache: Cache;
  const tenantId = `tenant-${randomBytes(4).toString('hex')}`;
  const certificate = { thumbprint: 'b'.repeat(64), issuedAt: new Date('2026-01-01T00:00:00.000Z'), expiresAt: new Date('2027-01-01T00:00:00.000Z') };

  beforeAll(() => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
    cache = createRedisCache({ url: process.env['REDIS_URL'] as string, keyPrefix: process.env['REDIS_KEY_PREFIX'] as string });
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await cache.close();
  });

  it('reads Postgres once, then serves the record from Redis with its dates revived', async () => {
    const repository = createDeviceRepository(prisma);
    const stored = await repository.create({ tenantId, deviceId: 'd1', certificate });
    const reads: string[] = [];
    const lookup = createDeviceLookup({ cache: createDeviceCache<CachedDevice>(cache, 60), repository, onCacheRead: (r) => reads.push(r) });

    expect(await lookup.find(tenantId, 'd1')).toEqual(stored);
    await prisma.device.delete({ where: { tenantId_deviceId: { tenantId, deviceId: 'd1' } } });
    const cached = await lookup.find(tenantId, 'd1');

    expect(reads).toEqual(['miss', 'hit']);
    expect(cached).toEqual(stored);
    expect(cached.certificateExpiresAt).toBeInstanceOf(Date);
    await lookup.invalidate(tenantId, 'd1');
    await expect(lookup.find(tenantId, 'd1')).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
  });

  it('tells a deleted device (410) from an unknown one (404) and caches neither', async () => {
    const repository = createDeviceRepository(prisma);
    await repository.create({ tenantId, deviceId: 'gone', certificate });
    await repository.delete(tenantId, 'gone');
    const lookup = createDeviceLookup({ cache: createDeviceCache<CachedDevice>(cache, 60), repository });

    await expect(lookup.find(tenantId, 'gone')).rejects.toMatchObject({ code: 'DEVICE_TOMBSTONED', kind: 'gone' });
    await expect(lookup.find(tenantId, 'never')).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND', kind: 'not_found' });
    expect(await createDeviceCache(cache, 60).get(tenantId, 'gone')).toBeNull();
  });

  it('falls back to Postgres when Redis is down, reporting the cache error', async () => {
    const repository = createDeviceRepository(prisma);
    const stored = await repository.create({ tenantId, deviceId: 'd2', certificate });
    const dead = createRedisCache({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
    const errors: unknown[] = [];
    const reads: string[] = [];
    try {
      const lookup = createDeviceLookup({
        cache: createDeviceCache<CachedDevice>(dead, 60),
        repository,
        onCacheError: (e) => errors.push(e),
        onCacheRead: (r) => reads.push(r),
      });
      expect(await lookup.find(tenantId, 'd2')).toEqual(stored);
      expect(errors.length).toBeGreaterThan(0);
      expect(reads).toEqual(['miss']);
    } finally {
      await dead.close();
    }
  });
});
