import { ServerCredentials } from '@grpc/grpc-js';
import { createMetrics, exitOnSignal, runService } from '@dsts/observability';
import { openService } from '@dsts/runtime';
import { createTokenServices, startTokenServices } from '@dsts/tokens';
import { createGrpcServer } from './app/create-grpc-server';

async function main(): Promise<void> {
  const { config, encryptionKey, logger, prisma, cache, clock } = await openService('lifecycle-api');
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
