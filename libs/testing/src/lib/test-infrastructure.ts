import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Server where throwaway test databases are created (trust auth on dev/CI machines). */
export const adminDatabaseUrl =
  process.env['TEST_PG_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * The key-encryption key (standard base64, as SIGNING_KEY_ENCRYPTION_KEY wants
 * it) of every service a jest run starts: they all share the run's key table,
 * and jest isolates modules per spec file, so it is derived from the run's
 * database rather than random.
 */
export function testEncryptionKey(databaseUrl = process.env['DATABASE_URL'] ?? ''): string {
  return createHash('sha256').update(`dsts-test-kek:${databaseUrl}`).digest('base64');
}

/** `<base36 epoch ms>_<random hex>`: unique, and tells when a leftover was made. */
export function uniqueRunId(): string {
  return `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

const TEST_DATABASE = /^dsts_[a-z]+_([0-9a-z]+)_[0-9a-f]{8}$/;

function databaseUrlFor(database: string): string {
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin(run: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

export interface TemporaryDatabase {
  name: string;
  url: string;
  /**
   * A database outage without mocks: `false` refuses new connections and ends
   * the open ones (the driver sees refused and terminated connections), `true`
   * lets clients connect again.
   */
  setConnectable(allowed: boolean): Promise<void>;
  drop(): Promise<void>;
}

/** An empty database of its own; `drop()` removes it even with open connections. */
export async function createTemporaryDatabase(label = 'dsts_test'): Promise<TemporaryDatabase> {
  const name = `${label}_${uniqueRunId()}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrlFor(name),
    setConnectable: (allowed) =>
      withAdmin(async (admin) => {
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allowed}`);
        if (!allowed) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      }),
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * Drops test databases left behind by runs that were killed before their
 * teardown (older than `maxAgeMs`, so running suites are never touched).
 */
export async function dropStaleTestDatabases(maxAgeMs: number, now = Date.now()): Promise<string[]> {
  const dropped: string[] = [];
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'dsts\\_%'");
    for (const { datname } of rows) {
      const created = TEST_DATABASE.exec(datname)?.[1];
      if (created && now - parseInt(created, 36) > maxAgeMs) {
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
        dropped.push(datname);
      }
    }
  });
  return dropped;
}
