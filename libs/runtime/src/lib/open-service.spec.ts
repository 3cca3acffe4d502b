import { randomBytes } from 'node:crypto';
import { ConfigError } from '@dsts/config';
import { createTemporaryDatabase, metricValue } from '@dsts/testing';
import { openService } from './open-service';

describe('openService (real Postgres and Redis)', () => {
  const environment = () => ({
    DATABASE_URL: process.env['DATABASE_URL'],
    REDIS_URL: process.env['REDIS_URL'],
    REDIS_KEY_PREFIX: process.env['REDIS_KEY_PREFIX'],
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  });

  it('opens a migrated database and a working cache', async () => {
    const service = await openService('test-service', environment());
    try {
      expect(await service.prisma.managementService.count()).toBe(3);
      await service.cache.set('open-service', 'ok', 10);
      expect(await service.cache.get('open-service')).toBe('ok');
      expect(service.encryptionKey).toHaveLength(32);
      // Database operations are timed into the service's registry.
      const text = await service.metrics.registry.metrics();
      expect(metricValue(text, 'dsts_db_query_duration_seconds_count', { model: 'ManagementService', operation: 'count', outcome: 'ok', service: 'test-service' })).toBe(1);
    } finally {
      await Promise.allSettled([service.prisma.$disconnect(), service.cache.close()]);
    }
  });

  it('refuses to start on a database that is not migrated when it must not migrate, naming the pending migrations', async () => {
    const database = await createTemporaryDatabase('dsts_unmigrated');
    try {
      const unmigrated = { ...environment(), DATABASE_URL: database.url, DATABASE_MIGRATE_ON_START: 'false' };
      await expect(openService('test-service', unmigrated)).rejects.toThrow(
        /^database is not migrated: 2 pending migration\(s\) \(20261203000000_init, 20261215000000_audit\); run migrate\.js/,
      );
    } finally {
      await database.drop();
    }
  });

  it('refuses to start without a key-encryption key, naming the variable', async () => {
    const withoutKey = { ...environment(), SIGNING_KEY_ENCRYPTION_KEY: undefined };
    await expect(openService('test-service', withoutKey)).rejects.toThrow(ConfigError);
    await expect(openService('test-service', withoutKey)).rejects.toThrow(/SIGNING_KEY_ENCRYPTION_KEY/);
  });
});
