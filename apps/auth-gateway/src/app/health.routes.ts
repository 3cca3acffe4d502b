import { Router } from 'express';
import { pingDatabase } from '@dsts/db';
import type { AuthGatewayDeps } from './deps';

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout(check: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS);
    check.then(
      () => (clearTimeout(timer), resolve()),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** Liveness, readiness (Postgres and Redis answer) and Prometheus metrics. */
export function healthRoutes({ prisma, cache, metrics, logger }: AuthGatewayDeps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const [postgres, redis] = await Promise.allSettled([
      withTimeout(pingDatabase(prisma)),
      withTimeout(cache.ping()),
    ]);
    const checks = {
      postgres: postgres.status === 'fulfilled' ? 'up' : 'down',
      redis: redis.status === 'fulfilled' ? 'up' : 'down',
    };
    const ready = checks.postgres === 'up' && checks.redis === 'up';
    if (!ready) logger.warn({ checks }, 'not ready');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
