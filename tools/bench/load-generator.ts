import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchDevice } from './bench-gateway';

export interface FlowRound {
  flows: number;
  failures: number;
  elapsedMs: number;
  /** User + system CPU the generator process itself used in the round. */
  cpuMs: number;
}

export interface LoadGenerator {
  /** Runs every device's challenge + token loop for `seconds` and reports what completed. */
  round(seconds: number): Promise<FlowRound>;
  stop(): Promise<void>;
}

/** Starts flow-client.mjs in its own process, one concurrent flow loop per device. */
export async function startLoadGenerator(baseUrl: string, devices: BenchDevice[]): Promise<LoadGenerator> {
  const child = spawn(process.execPath, [path.join(__dirname, 'flow-client.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const request = async (message: object) => {
    child.stdin.write(`${JSON.stringify(message)}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error('load generator exited');
    return JSON.parse(value as string);
  };
  await request({ baseUrl, devices });
  return {
    round: (seconds) => request({ seconds }),
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
