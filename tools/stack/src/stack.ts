import { type ChildProcess, execFile, spawn, type StdioOptions } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { embeddedPostgresPasswordFile, embeddedPostgresPort, localDataDir } from '@dsts/client';
import { type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { ensureLocalTls } from './local-tls';
import { announceWhenReady } from './readiness';
import { readOrCreateSecret } from './secret-file';

/** What `npm start` reads (besides everything the services read themselves). */
export interface StackSettings {
  /** Workspace root: `dist/apps/*` and `tools/scripts` are found from here. */
  root: string;
  /** Environment handed to both services, overridden by what the stack decides. */
  env: NodeJS.ProcessEnv;
  /** Project-local state: embedded Postgres cluster, generated secrets. */
  dataDir: string;
  embeddedPostgresPort: number;
  /** `inherit` for a terminal; tests pipe. */
  stdio: StdioOptions;
  log: (line: string) => void;
}

export interface RunningStack {
  services: readonly ChildProcess[];
  /** Resolves with the first service that exits on its own. */
  firstExit: Promise<{ service: string; code: number | null }>;
  /** Stops the services, then Postgres (if embedded). Idempotent. */
  stop(): Promise<void>;
}

export const SERVICES = ['lifecycle-api', 'auth-gateway'] as const;
const KILL_AFTER_MS = 12_000;

/** Settings from the environment of `npm start`; see README "Configuration". */
export function stackSettingsFromEnv(env: NodeJS.ProcessEnv, root: string): StackSettings {
  return {
    root,
    env,
    dataDir: localDataDir(root, env),
    embeddedPostgresPort: embeddedPostgresPort(env),
    stdio: 'inherit',
    log: (line) => console.log(`[dsts] ${line}`),
  };
}

function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The run command: PostgreSQL from DATABASE_URL or embedded (project-local,
 * kept across restarts), Redis from REDIS_URL or the in-process cache
 * (CACHE=memory, single instance), the key-encryption key from
 * SIGNING_KEY_ENCRYPTION_KEY or generated once into the data folder, the
 * lifecycle-api's TLS and admin client certificate generated once into
 * `<data folder>/tls` (unless LIFECYCLE_AUTH=insecure-compat); then both
 * built services as child processes. The services migrate the database
 * at start; a `ready` line says when both answer.
 */
export async function startStack(settings: StackSettings): Promise<RunningStack> {
  const { env, log } = settings;
  // 0755: as root, Postgres runs as another user and must reach its cluster folder.
  await mkdir(settings.dataDir, { recursive: true, mode: 0o755 });
  await chmod(settings.dataDir, 0o755);

  let postgres: RunningPostgres | undefined;
  let databaseUrl = env['DATABASE_URL'];
  if (databaseUrl) {
    await promisify(execFile)(process.execPath, [join(settings.root, 'tools/scripts/create-database.mjs'), databaseUrl]);
  } else {
    postgres = await startEmbeddedPostgres({
      dataDir: join(settings.dataDir, 'postgres'),
      port: settings.embeddedPostgresPort,
      passwordFile: embeddedPostgresPasswordFile(settings.dataDir),
      log,
    });
    databaseUrl = postgres.url;
  }
  const cache = env['CACHE'] || (env['REDIS_URL'] ? 'redis' : 'memory');
  if (cache === 'memory') log('no REDIS_URL: in-process cache (CACHE=memory), single instance only; the device cache is off');
  const encryptionKey =
    env['SIGNING_KEY_ENCRYPTION_KEY'] || (await readOrCreateSecret(join(settings.dataDir, 'signing-key-encryption.key'), 32));

  const serviceEnv: NodeJS.ProcessEnv = { ...env, DATABASE_URL: databaseUrl, CACHE: cache, SIGNING_KEY_ENCRYPTION_KEY: encryptionKey };
  if (env['LIFECYCLE_AUTH'] === 'insecure-compat') {
    log('LIFECYCLE_AUTH=insecure-compat: the lifecycle-api is plaintext and unauthenticated (dstsctl and device-sim need --insecure)');
  } else {
    // Variables the operator set win; the generated local files fill in the rest.
    for (const [variable, value] of Object.entries(await ensureLocalTls(settings.dataDir))) serviceEnv[variable] = env[variable] || value;
    log(`lifecycle-api on TLS; dstsctl and device-sim use the admin certificate in ${join(settings.dataDir, 'tls')}`);
  }
  const services = SERVICES.map((service) =>
    spawn(process.execPath, [join(settings.root, 'dist/apps', service, 'main.js')], { cwd: settings.root, env: serviceEnv, stdio: settings.stdio }),
  );
  const firstExit = Promise.race(
    services.map((child, i) => new Promise<{ service: string; code: number | null }>((done) => child.once('exit', (code) => done({ service: SERVICES[i], code })))),
  );
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(services.map(stopService));
      await postgres?.stop();
    })());
  void announceWhenReady(serviceEnv, log, () => stopping !== undefined || services.some((child) => child.exitCode !== null || child.signalCode !== null));
  return { services, firstExit, stop };
}
