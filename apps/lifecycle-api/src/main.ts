import { exitOnSignal, runService } from '@dsts/observability';
import { openService } from '@dsts/runtime';
import { wireLifecycleApi } from './app/wire-lifecycle-api';

async function main(): Promise<void> {
  const foundation = await openService('lifecycle-api');
  const { config, logger, prisma, cache } = foundation;
  const api = await wireLifecycleApi(foundation);

  const { port, healthPort } = await api.listen();
  logger.info({ address: `${config.grpc.host}:${port}`, healthPort, auth: config.lifecycleAuth.mode }, 'lifecycle-api listening');

  exitOnSignal(logger, async () => {
    api.health.setStatus('', 'NOT_SERVING');
    await api.shutdown();
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
  });
}

runService('lifecycle-api', main);
