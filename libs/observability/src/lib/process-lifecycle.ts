import { ConfigError } from '@dsts/config';
import type { Logger } from './logger';

/**
 * On the first SIGTERM or SIGINT: logs it, runs `stop` (stop accepting work,
 * drain, close connections) and exits 0 — or exits 1 if stopping takes longer
 * than `graceMs`.
 */
export function exitOnSignal(logger: Logger, stop: () => Promise<void>, graceMs = 10_000): void {
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), graceMs).unref();
    void stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/**
 * Runs a service's `main`; a failure to start prints one line (a config
 * problem as it is, naming the variables) and exits 1.
 */
export function runService(service: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `${service} failed to start: ${(error as Error).message}`);
    process.exit(1);
  });
}
