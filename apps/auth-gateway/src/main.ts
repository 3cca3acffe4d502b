// First: tracing must start before the instrumented libraries load (see tracing.ts).
import { tracing } from './tracing';
import { exitOnSignal, runService } from '@dsts/observability';
import { openService } from '@dsts/runtime';
import { startTokenServices } from '@dsts/tokens';
import { createAuthServices } from './app/auth-services';
import { createApp } from './app/create-app';
import { listen } from './app/listen';

async function main(): Promise<void> {
  const { config, encryptionKey, logger, metrics, prisma, cache, clock } = await openService('auth-gateway');
  const services = createAuthServices({ config, prisma, cache, logger, metrics, encryptionKey, clock });
  await startTokenServices(services, { config, logger });
  const app = createApp({ config, logger, metrics, prisma, cache, ...services });

  const server = await listen(app, config.rest.port, config.rest.host);
  logger.info({ host: config.rest.host, port: config.rest.port, tracing: tracing !== undefined }, 'auth-gateway listening');
  exitOnSignal(logger, async () => {
    await new Promise((resolve) => server.close(resolve));
    await Promise.allSettled([prisma.$disconnect(), cache.close(), tracing?.shutdown()]);
  });
}

runService('auth-gateway', main);
