import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { channelCredentials, resolveLifecycleCredentials } from '@dsts/client';
import { freePort, grpcHealthStatus } from '@dsts/testing';

const WORKSPACE_ROOT = resolve(__dirname, '../../..');

export interface RunCommand {
  child: ChildProcess;
  grpcAddress: string;
  gatewayUrl: string;
  /** EMBEDDED_POSTGRES_PORT of this run. */
  postgresPort: string;
  output(): string;
  /** Every live process below the run command (pid → command line). */
  descendants(): Map<number, string>;
  /** Sends `signal` to the top process (or, as Ctrl-C does, to its process group); resolves with the exit code. */
  signal(signal: NodeJS.Signals, toGroup?: boolean): Promise<number | null>;
}

/** What `npm start` prints once both services answer (README's walkthrough waits for it). */
const READY_LINE = /^\[dsts\] ready — REST (\S+), gRPC (\S+)$/m;
const START_TIMEOUT_MS = 45_000;

/**
 * Starts `tools/scripts/serve.sh`, the step of `npm start` after install and
 * build (or all of `npm start`), in its own process group on free ports with its data folder in
 * `dataDir`, and waits for its ready line, as README tells a person to; then
 * both services must answer at once (no retry), at the addresses the line names.
 * `env` is laid over the jest run's environment, without its DATABASE_URL / REDIS_URL.
 */
export async function startRunCommand(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  /** `npm-start`: the whole README command (install check; the build is skipped, see DSTS_SKIP_BUILD below). */
  command: 'serve' | 'npm-start' = 'serve',
): Promise<RunCommand> {
  const [grpcPort, restPort, postgresPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const inherited = { ...process.env };
  delete inherited['DATABASE_URL'];
  delete inherited['REDIS_URL'];
  const [executable, args] = command === 'serve' ? ['bash', ['tools/scripts/serve.sh']] : ['npm', ['start', '--silent']];
  const child = spawn(executable, args, {
    cwd: WORKSPACE_ROOT,
    detached: true,
    env: {
      ...inherited,
      DSTS_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      REST_HOST: '127.0.0.1',
      REST_PORT: String(restPort),
      METRICS_PORT: String(metricsPort),
      SIGNING_KEY_RSA_BITS: '2048',
      LOG_LEVEL: 'warn',
      // The Nx test target depends on both builds; a nested build would rewrite dist/ under other test tasks.
      DSTS_SKIP_BUILD: '1',
      ...env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const run: RunCommand = {
    child,
    grpcAddress: `localhost:${grpcPort}`,
    gatewayUrl: `http://127.0.0.1:${restPort}`,
    postgresPort: String(postgresPort),
    output: () => output,
    descendants() {
      const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
        .split('\n')
        .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args }));
      const found = new Map<number, string>();
      const visit = (parent: number) => {
        for (const process of table.filter((p) => p.ppid === parent && !found.has(p.pid))) {
          found.set(process.pid, process.args);
          visit(process.pid);
        }
      };
      visit(child.pid as number);
      return found;
    },
    async signal(signal, toGroup = false) {
      process.kill(toGroup ? -(child.pid as number) : (child.pid as number), signal);
      return exited;
    },
  };
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!READY_LINE.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('no ready line');
      await new Promise((done) => setTimeout(done, 100));
    }
    const [, restUrl, grpcAddress] = READY_LINE.exec(output) as RegExpExecArray;
    if (restUrl !== run.gatewayUrl || grpcAddress !== run.grpcAddress) throw new Error(`the ready line names REST ${restUrl}, gRPC ${grpcAddress}`);
    // Health is open: the CA the stack generates (or plaintext in compatibility mode) is all it takes.
    const toolEnv = { DSTS_DATA_DIR: dataDir, DSTS_GRPC_INSECURE: env['LIFECYCLE_AUTH'] === 'insecure-compat' ? 'true' : undefined };
    const credentials = async () => channelCredentials(await resolveLifecycleCredentials({}, toolEnv, WORKSPACE_ROOT));
    const [gateway, lifecycleApi] = await Promise.all([fetch(`${run.gatewayUrl}/ready`).then((response) => response.status, () => 'unreachable'), grpcHealthStatus(run.grpcAddress, '', credentials)]);
    if (gateway !== 200 || lifecycleApi !== 'SERVING') throw new Error(`ready line printed, but /ready: ${gateway}, gRPC health: ${lifecycleApi}`);
  } catch (error) {
    if (child.exitCode === null) await run.signal('SIGTERM');
    throw new Error(`${(error as Error).message}:\n${output}`);
  }
  return run;
}

/** Whether a process with this pid still exists (zombies of exited children count as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  } catch {
    return false;
  }
}
