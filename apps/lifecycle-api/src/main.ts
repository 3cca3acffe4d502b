import { ServerCredentials } from '@grpc/grpc-js';
import { exitOnSignal, runService } from '@dsts/observability';
import { openService } from '@dsts/runtime';
import { wireLifecycleApi } from './app/wire-lifecycle-api';

async function main(): Promise<void> {
  const foundation = await openService('lifecycle-api');
  const { config, logger, prisma, cache } = foundation;
  const { server, health } = await wireLifecycleApi(foundation);

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
