/**
 * Polls `probe` until it returns something other than undefined, and returns
 * that; for outcomes that arrive asynchronously (exported spans, a health
 * status that follows a periodic check). Gives up with an error naming
 * `what` after `timeoutMs`, a bound on waiting, not a measurement.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 20_000, pollMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still not the case after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
