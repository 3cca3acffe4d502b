import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { adminDatabaseUrl, createTemporaryDatabase, dropStaleTestDatabases } from './test-infrastructure';

async function databaseExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('createTemporaryDatabase', () => {
  it('creates a distinct, connectable database and drops it even with a connection open', async () => {
    const a = await createTemporaryDatabase();
    const b = await createTemporaryDatabase();
    expect(a.name).not.toBe(b.name);

    const open = new Client({ connectionString: a.url });
    await open.connect();
    open.on('error', () => undefined);
    expect((await open.query('SELECT current_database() AS db')).rows[0].db).toBe(a.name);

    await a.drop();
    await b.drop();
    expect(await databaseExists(a.name)).toBe(false);
    expect(await databaseExists(b.name)).toBe(false);
    await open.end().catch(() => undefined);
  });
});

describe('dropStaleTestDatabases', () => {
  async function createNamed(name: string): Promise<void> {
    const admin = new Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
  }

  it('drops leftovers older than the limit and keeps younger ones', async () => {
    // Two hours old: stale for this call (limit one hour), but younger than the
    // six hours after which the global setup of concurrently running jest
    // projects sweeps leftovers, so nobody else drops it first.
    const twoHoursAgo = (Date.now() - 2 * 3_600_000).toString(36);
    const stale = `dsts_stale_${twoHoursAgo}_${randomBytes(4).toString('hex')}`;
    await createNamed(stale);
    const young = await createTemporaryDatabase('dsts_stale');
    try {
      const dropped = await dropStaleTestDatabases(60 * 60 * 1000);

      expect(dropped).toContain(stale);
      expect(dropped).not.toContain(young.name);
      expect(await databaseExists(stale)).toBe(false);
      expect(await databaseExists(young.name)).toBe(true);
    } finally {
      await young.drop();
    }
  });
});
