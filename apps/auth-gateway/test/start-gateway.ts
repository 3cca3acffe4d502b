import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { createRedisCache, type Cache } from '@dsts/cache';
import { type Config, loadConfig } from '@dsts/config';
import { createPrismaClient, migrate, type PrismaClient } from '@dsts/db';
import { createLogger, createMetrics, observeDatabaseQuery, type ServiceMetrics } from '@dsts/observability';
import { createTemporaryDatabase, type TemporaryDatabase, testEncryptionKey } from '@dsts/testing';
import { startTokenServices } from '@dsts/tokens';
import { createAuthServices } from '../src/app/auth-services';
import { createApp } from '../src/app/create-app';
import type { AuthServices } from '../src/app/deps';

export interface RunningGateway {
  baseUrl: string;
  config: Config;
  prisma: PrismaClient;
  cache: Cache;
  services: AuthServices;
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

export interface GatewayOptions {
  databaseUrl?: string;
  redisUrl?: string;
  /** Extra environment (e.g. RATE_LIMIT_PER_MINUTE; both rate limits are off unless given). */
  env?: Record<string, string>;
  /** Where log lines go; silent when absent. */
  logDestination?: DestinationStream;
  /** Skip the start-up work (apps file, ensurePrimaryKey), for dependency-down tests. */
  withoutSigningKey?: boolean;
}

/**
 * Starts the auth gateway in-process on port 0, wired and started exactly like main.ts
 * (2048-bit signing keys keep first start quick), against real Postgres/Redis.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const databaseUrl = options.databaseUrl ?? (process.env['DATABASE_URL'] as string);
  const redisUrl = options.redisUrl ?? (process.env['REDIS_URL'] as string);
  const encryptionKey = testEncryptionKey();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    SIGNING_KEY_ENCRYPTION_KEY: encryptionKey,
    SIGNING_KEY_RSA_BITS: '2048',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_FAILURES_PER_MINUTE: '0',
    ...options.env,
  });
  const metrics = createMetrics('auth-gateway');
  const prisma = createPrismaClient({ databaseUrl, connectionTimeoutMs: 500, onQuery: observeDatabaseQuery(metrics) });
  const cache = createRedisCache({ url: redisUrl, keyPrefix: config.redis.keyPrefix, commandTimeoutMs: 500 });
  const logger = options.logDestination
    ? createLogger({ service: 'auth-gateway', level: 'info', destination: options.logDestination })
    : createLogger({ service: 'auth-gateway', level: 'silent' });
  const services = createAuthServices({
    config,
    prisma,
    cache,
    logger,
    metrics,
    encryptionKey: Buffer.from(encryptionKey, 'base64'),
    clock: () => new Date(),
  });
  const release = () => Promise.allSettled([prisma.$disconnect(), cache.close()]);
  if (!options.withoutSigningKey) {
    // A failed start must not leave connections behind: jest would never exit.
    await startTokenServices(services, { config, logger }).catch(async (error: unknown) => {
      await release();
      throw error;
    });
  }
  const app = createApp({ config, logger, metrics, prisma, cache, ...services });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    prisma,
    cache,
    services,
    metrics,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await release();
    },
  };
}

export interface GatewayOnOwnDatabase extends RunningGateway {
  database: TemporaryDatabase;
}

/**
 * A gateway on a freshly migrated database of its own (`label` names it), for
 * tests that change table-wide state (the key table) or take the database
 * away; `close` drops the database too.
 */
export async function startGatewayOnOwnDatabase(label: string, options: Omit<GatewayOptions, 'databaseUrl'> = {}): Promise<GatewayOnOwnDatabase> {
  const database = await createTemporaryDatabase(label);
  try {
    await migrate({ databaseUrl: database.url });
    const gateway = await startGateway({ ...options, databaseUrl: database.url });
    return {
      ...gateway,
      database,
      close: async () => {
        await gateway.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
