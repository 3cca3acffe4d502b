import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Server where throwaway test databases are created (trust auth on dev/CI machines). */
export const adminDatabaseUrl =
  process.env['TEST_PG_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export function uniqueRunId(): string {
  return `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

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
  drop(): Promise<void>;
}

/** An empty database of its own; `drop()` removes it even with open connections. */
export async function createTemporaryDatabase(label = 'dsts_test'): Promise<TemporaryDatabase> {
  const name = `${label}_${uniqueRunId()}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrlFor(name),
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
