import { Writable } from 'node:stream';

export interface CapturedLog {
  /** Give this to the logger (`logDestination` of the test harnesses). */
  destination: Writable;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Every line with `"log":"audit"`. */
  auditLines(): Record<string, unknown>[];
  /** Everything written so far, as written. */
  text(): string;
}

/** Collects a JSON logger's output; pino writes synchronously, so a line is there once the call that logged it returned. */
export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { destination, lines, auditLines: () => lines().filter((line) => line['log'] === 'audit'), text };
}
