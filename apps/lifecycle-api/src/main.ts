import { ServerCredentials } from '@grpc/grpc-js';
import { createCache, MEMORY_CACHE_WARNING } from '@dsts/cache';
import { loadConfig, redactConfig, signingKeyEncryptionKey } from '@dsts/config';
import { createPrismaClient, migrate } from '@dsts/db';
import { createLogger, createMetrics, exitOnSignal, runService } from '@dsts/observability';
import { createTokenServices, startTokenServices } from '@dsts/tokens';
import { createGrpcServer } from './app/create-grpc-server';

async function main(): Promise<void> {
  const config = loadConfig();
  const encryptionKey = signingKeyEncryptionKey(config);
  const logger = createLogger({ service: 'lifecycle-api', level: config.logLevel });
  logger.info({ config: redactConfig(config) }, 'starting');
  if (config.database.migrateOnStart) {
    await migrate({ databaseUrl: config.database.url, log: (msg) => logger.info(msg) });
  }
  const prisma = createPrismaClient({ databaseUrl: config.database.url, poolMax: config.database.poolMax });
  const cache = createCache({ backend: config.cache.backend, ...config.redis });
  if (!cache.sharedAcrossProcesses) logger.warn(MEMORY_CACHE_WARNING);
  const clock = () => new Date();
  const tokenServices = createTokenServices({ config, prisma, cache, encryptionKey, clock });
  // Like the auth-gateway: whichever service starts first syncs APPS_FILE and creates the first key.
  await startTokenServices(tokenServices, { config, logger });
  const { server, health } = createGrpcServer({
    config,
    logger,
    metrics: createMetrics('lifecycle-api'),
    prisma,
    cache,
    clock,
    keys: tokenServices.keys,
    apps: tokenServices.apps,
  });

  const address = `${config.grpc.host}:${config.grpc.port}`;
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
  );
  logger.info({ address }, 'lifecycle-api listening');

  exitOnSignal(logger, async () => {
    health.setStatus('', 'NOT_SERVING');
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
  });
}

runService('lifecycle-api', main);
