import { createCache, MEMORY_CACHE_WARNING } from '@dsts/cache';
import { loadConfig, redactConfig, signingKeyEncryptionKey } from '@dsts/config';
import { createPrismaClient, migrate } from '@dsts/db';
import { createLogger, createMetrics, exitOnSignal, runService } from '@dsts/observability';
import { startTokenServices } from '@dsts/tokens';
import { createAuthServices } from './app/auth-services';
import { createApp } from './app/create-app';
import { listen } from './app/listen';

async function main(): Promise<void> {
  const config = loadConfig();
  const encryptionKey = signingKeyEncryptionKey(config);
  const logger = createLogger({ service: 'auth-gateway', level: config.logLevel });
  logger.info({ config: redactConfig(config) }, 'starting');
  if (config.database.migrateOnStart) {
    await migrate({ databaseUrl: config.database.url, log: (msg) => logger.info(msg) });
  }
  const prisma = createPrismaClient({ databaseUrl: config.database.url, poolMax: config.database.poolMax });
  const cache = createCache({ backend: config.cache.backend, ...config.redis });
  if (!cache.sharedAcrossProcesses) logger.warn(MEMORY_CACHE_WARNING);
  const services = createAuthServices({ config, prisma, cache, logger, encryptionKey, clock: () => new Date() });
  await startTokenServices(services, { config, logger });
  const app = createApp({ config, logger, metrics: createMetrics('auth-gateway'), prisma, cache, ...services });

  const server = await listen(app, config.rest.port, config.rest.host);
  logger.info({ host: config.rest.host, port: config.rest.port }, 'auth-gateway listening');
  exitOnSignal(logger, async () => {
    await new Promise((resolve) => server.close(resolve));
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
  });
}

runService('auth-gateway', main);
