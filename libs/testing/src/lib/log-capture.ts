import { Writable } from 'node:stream';

export interface CapturedLogs {
  /** A pino destination (`createLogger({ destination })`, the harnesses' `logDestination`). */
  destination: Writable;
  /** Everything written so far, as written. */
  text(): string;
  /** The JSON lines written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** The lines with `"log":"audit"`. */
  auditLines(): Record<string, unknown>[];
}

/** A log destination whose lines the test can read back; pino writes synchronously, so a line is there once the call that logged it returned. */
export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { destination, text, lines, auditLines: () => lines().filter((line) => line['log'] === 'audit') };
}
