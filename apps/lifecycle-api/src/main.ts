// First: tracing must start before the instrumented libraries load (see tracing.ts).
import { tracing } from './tracing';
import { exitOnSignal, runService, serveMetrics } from '@dsts/observability';
import { openService } from '@dsts/runtime';
import { wireLifecycleApi } from './app/wire-lifecycle-api';

async function main(): Promise<void> {
  const foundation = await openService('lifecycle-api');
  const { config, logger, metrics, prisma, cache } = foundation;
  const api = await wireLifecycleApi(foundation);

  // Metrics first: once gRPC answers, everything answers.
  const metricsServer = config.metrics.port ? await serveMetrics(metrics.registry, config.metrics.port, config.grpc.host) : undefined;
  const { port, healthPort } = await api.listen();
  logger.info(
    {
      address: `${config.grpc.host}:${port}`,
      healthPort,
      auth: config.lifecycleAuth.mode,
      metricsPort: config.metrics.port || undefined,
      tracing: tracing !== undefined,
    },
    'lifecycle-api listening',
  );

  exitOnSignal(logger, async () => {
    await api.shutdown();
    await Promise.allSettled([prisma.$disconnect(), cache.close(), metricsServer?.close(), tracing?.shutdown()]);
  });
}

runService('lifecycle-api', main);
