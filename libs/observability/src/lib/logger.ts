import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths masked in every log line. Request bodies carry assertions, headers
 * carry bearer tokens; the config carries connection strings.
 */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'client_assertion',
  '*.client_assertion',
  'access_token',
  '*.access_token',
  'assertion',
  '*.assertion',
  'privateKey',
  '*.privateKey',
  // body-parser errors carry the raw request body.
  'err.body',
  'err.raw',
];

export interface LoggerOptions {
  service: string;
  level: string;
  /** Defaults to stdout; tests pass a stream to read the lines back. */
  destination?: DestinationStream;
}

/** Structured JSON logger (one line per event) with secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
