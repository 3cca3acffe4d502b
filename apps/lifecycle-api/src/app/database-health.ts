import type { HealthImplementation } from 'grpc-health-check';
import { pingDatabase, type PrismaClient } from '@dsts/db';
import type { Logger } from '@dsts/observability';

export interface DatabaseHealthOptions {
  prisma: PrismaClient;
  health: HealthImplementation;
  /**
   * The health service names whose status follows the database: readiness
   * only. Never "" (liveness): a database outage would restart every replica.
   */
  services: readonly string[];
  logger: Logger;
  intervalSeconds: number;
}

export interface DatabaseHealth {
  /** No further checks or status changes (before the server's own shutdown status). */
  stop(): void;
}

/**
 * Keeps the readiness health status following PostgreSQL: a ping every
 * `intervalSeconds` (one at a time; one slower than the interval counts as a
 * failure) sets `services` NOT_SERVING when the database stops answering and
 * SERVING when it answers again. Only the changes are logged, not every failed ping.
 */
export function followDatabaseHealth({ prisma, health, services, logger, intervalSeconds }: DatabaseHealthOptions): DatabaseHealth {
  const intervalMs = intervalSeconds * 1_000;
  let serving = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const ping = () =>
    new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`no answer within ${intervalSeconds} s`)), intervalMs);
      timeout.unref();
      pingDatabase(prisma).then(
        () => (clearTimeout(timeout), resolve()),
        (error: unknown) => (clearTimeout(timeout), reject(error)),
      );
    });

  const check = async () => {
    const failure = await ping().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    if (stopped) return;
    const reachable = failure === undefined;
    if (reachable !== serving) {
      serving = reachable;
      for (const service of services) health.setStatus(service, serving ? 'SERVING' : 'NOT_SERVING');
      if (serving) logger.info('database reachable again, readiness SERVING');
      else logger.warn({ cause: failure?.message }, 'database unreachable, readiness NOT_SERVING');
    }
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void check(), intervalMs);
    timer.unref();
  };

  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
