import { createMetrics, exitOnSignal, runService } from '@dsts/observability';
import { openService } from '@dsts/runtime';
import { startTokenServices } from '@dsts/tokens';
import { createAuthServices } from './app/auth-services';
import { createApp } from './app/create-app';
import { listen } from './app/listen';

async function main(): Promise<void> {
  const { config, encryptionKey, logger, prisma, cache, clock } = await openService('auth-gateway');
  const services = createAuthServices({ config, prisma, cache, logger, encryptionKey, clock });
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
