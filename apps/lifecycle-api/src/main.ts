// First: tracing must start before the instrumented libraries load (see tracing.ts).
import { tracing } from './tracing';
import { ServerCredentials } from '@grpc/grpc-js';
import { exitOnSignal, runService, serveMetrics } from '@dsts/observability';
import { openService } from '@dsts/runtime';
import { wireLifecycleApi } from './app/wire-lifecycle-api';

async function main(): Promise<void> {
  const foundation = await openService('lifecycle-api');
  const { config, logger, metrics, prisma, cache } = foundation;
  const { server, health, databaseHealth } = await wireLifecycleApi(foundation);

  // Metrics first: once gRPC answers, everything answers.
  const metricsServer = config.metrics.port ? await serveMetrics(metrics.registry, config.metrics.port, config.grpc.host) : undefined;
  const address = `${config.grpc.host}:${config.grpc.port}`;
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
  );
  logger.info({ address, metricsPort: config.metrics.port || undefined, tracing: tracing !== undefined }, 'lifecycle-api listening');

  exitOnSignal(logger, async () => {
    databaseHealth.stop();
    health.setStatus('', 'NOT_SERVING');
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await Promise.allSettled([prisma.$disconnect(), cache.close(), metricsServer?.close(), tracing?.shutdown()]);
  });
}

runService('lifecycle-api', main);
