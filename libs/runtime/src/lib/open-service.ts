import { type Cache, createCache, MEMORY_CACHE_WARNING } from '@dsts/cache';
import { type Config, loadConfig, redactConfig, signingKeyEncryptionKey } from '@dsts/config';
import { createPrismaClient, migrate, MigrationError, pendingMigrations, type PrismaClient } from '@dsts/db';
import { createLogger, createMetrics, type Logger, observeDatabaseQuery, type ServiceMetrics } from '@dsts/observability';

/** What every service starts from: validated config, logger, migrated database, cache. */
export interface ServiceFoundation {
  config: Config;
  /** Key-encryption key of the signing keys (the start fails without one). */
  encryptionKey: Buffer;
  logger: Logger;
  /** The service's one metrics registry; database latency is recorded into it already. */
  metrics: ServiceMetrics;
  prisma: PrismaClient;
  cache: Cache;
  clock: () => Date;
}

/** Stops a service that must not migrate (DATABASE_MIGRATE_ON_START=false) before it serves an old schema. */
async function requireMigrated(databaseUrl: string): Promise<void> {
  const pending = await pendingMigrations({ databaseUrl });
  if (pending.length > 0) {
    throw new MigrationError(
      `database is not migrated: ${pending.length} pending migration(s) (${pending.join(', ')}); run migrate.js (the migration Job), or start once with DATABASE_MIGRATE_ON_START=true`,
    );
  }
}

/**
 * The common first half of both composition roots: reads and validates the
 * environment once (a bad value throws a ConfigError naming the variable),
 * logs the redacted config, migrates when configured (else refuses an
 * unmigrated database), and opens Postgres
 * (every operation timed into the metrics) and the cache.
 */
export async function openService(service: string, environment: Record<string, string | undefined> = process.env): Promise<ServiceFoundation> {
  const config = loadConfig(environment);
  const encryptionKey = signingKeyEncryptionKey(config);
  const logger = createLogger({ service, level: config.logLevel });
  logger.info({ config: redactConfig(config) }, 'starting');
  if (config.database.migrateOnStart) {
    await migrate({ databaseUrl: config.database.url, log: (msg) => logger.info(msg) });
  } else {
    await requireMigrated(config.database.url);
  }
  const metrics = createMetrics(service);
  const prisma = createPrismaClient({
    databaseUrl: config.database.url,
    poolMax: config.database.poolMax,
    onQuery: observeDatabaseQuery(metrics),
  });
  const cache = createCache({ backend: config.cache.backend, ...config.redis });
  if (!cache.sharedAcrossProcesses) logger.warn(MEMORY_CACHE_WARNING);
  return { config, encryptionKey, logger, metrics, prisma, cache, clock: () => new Date() };
}
