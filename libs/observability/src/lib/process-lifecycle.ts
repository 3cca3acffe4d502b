import pino, { type DestinationStream } from 'pino';
import { ConfigError } from '@dsts/config';
import { createLogger, type Logger } from './logger';

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

/** `scheme://user:password@` inside free text, such as a driver's error message. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]*@/gi;

/** What made the start fail, for the log: a config problem as the list of problems, else the message with URL passwords masked. */
function startFailure(error: unknown): { cause: string; problems?: readonly string[] } {
  if (error instanceof ConfigError) return { cause: 'invalid configuration', problems: error.problems };
  const message = error instanceof Error ? error.message || error.name : String(error);
  return { cause: message.replace(URL_CREDENTIALS, '$1***@') };
}

export interface RunServiceOptions {
  /** Where the failure line goes (default: stderr, written synchronously before the exit). */
  destination?: DestinationStream;
  /** Default process.exit; tests pass their own. */
  exit?: (code: number) => void;
}

/**
 * Runs a service's `main`; a failure to start prints one JSON log line at
 * fatal (`failed to start`, with `cause`: the error's message, URL passwords
 * masked, or the config's `problems`) and exits 1.
 */
export function runService(service: string, main: () => Promise<void>, options: RunServiceOptions = {}): void {
  main().catch((error: unknown) => {
    const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
    createLogger({ service, level: 'fatal', destination }).fatal(startFailure(error), 'failed to start');
    (options.exit ?? process.exit)(1);
  });
}
