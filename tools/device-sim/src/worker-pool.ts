/**
 * Runs `task` for 0..count-1 with at most `concurrency` in flight, calling
 * `onSettled` after each; resolves with every outcome in index order.
 */
export async function runPool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
  onSettled: (done: number) => void,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index).then(
        (value): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }),
      );
      onSettled(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** A one-line progress bar, redrawn in place (`\r`). */
export function progressBar(label: string, done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `\r${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`;
}
