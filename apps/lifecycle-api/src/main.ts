import { ServerCredentials } from '@grpc/grpc-js';
import { createRedisCache } from '@dsts/cache';
import { ConfigError, loadConfig, redactConfig } from '@dsts/config';
import { createPrismaClient, migrate } from '@dsts/db';
import { createLogger, createMetrics } from '@dsts/observability';
import { createGrpcServer } from './app/create-grpc-server';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ service: 'lifecycle-api', level: config.logLevel });
  logger.info({ config: redactConfig(config) }, 'starting');
  if (config.database.migrateOnStart) {
    await migrate({ databaseUrl: config.database.url, log: (msg) => logger.info(msg) });
  }
  const prisma = createPrismaClient({ databaseUrl: config.database.url, poolMax: config.database.poolMax });
  const cache = createRedisCache({ url: config.redis.url, keyPrefix: config.redis.keyPrefix });
  const { server, health } = createGrpcServer({
    config,
    logger,
    metrics: createMetrics('lifecycle-api'),
    prisma,
    cache,
    clock: () => new Date(),
  });

  const address = `${config.grpc.host}:${config.grpc.port}`;
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
  );
  logger.info({ address }, 'lifecycle-api listening');

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    health.setStatus('', 'NOT_SERVING');
    server.tryShutdown(() => {
      void Promise.allSettled([prisma.$disconnect(), cache.close()]).then(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `lifecycle-api failed to start: ${(error as Error).message}`);
  process.exit(1);
});
