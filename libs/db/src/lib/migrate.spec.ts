import { Client } from 'pg';
import { createTemporaryDatabase, type TemporaryDatabase } from '@dsts/testing';
import { migrate, pendingMigrations } from './migrate';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('migration runner', () => {
  let database: TemporaryDatabase;

  beforeEach(async () => {
    database = await createTemporaryDatabase('dsts_migrate');
  });
  afterEach(async () => {
    await database.drop();
  });

  it('applies every migration once and is a no-op the second time', async () => {
    const first = await migrate({ databaseUrl: database.url });
    const second = await migrate({ databaseUrl: database.url });

    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.alreadyApplied).toEqual([]);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
  });

  it('records migrations in _prisma_migrations the way prisma migrate does', async () => {
    await migrate({ databaseUrl: database.url });

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      database.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('applies each migration exactly once when several replicas migrate at the same time', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate({ databaseUrl: database.url })));

    const appliedCounts = results.map((r) => r.applied.length);
    expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
    const [{ count }] = await query<{ count: string }>(
      database.url,
      'SELECT count(*) FROM "_prisma_migrations"',
    );
    expect(Number(count)).toBe(Math.max(...appliedCounts));
  });

  it('lists the migrations not applied yet, in order, without changing the database', async () => {
    const all = await pendingMigrations({ databaseUrl: database.url });
    expect(all.length).toBeGreaterThan(0);
    expect([...all].sort()).toEqual(all);
    const tables = await query<{ tablename: string }>(database.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(tables).toEqual([]);

    const { applied } = await migrate({ databaseUrl: database.url });
    expect(applied).toEqual(all);
    expect(await pendingMigrations({ databaseUrl: database.url })).toEqual([]);
  });

  it('seeds the management service catalogue', async () => {
    await migrate({ databaseUrl: database.url });

    const rows = await query<{ id: string; name: string }>(database.url, 'SELECT id, name FROM management_services ORDER BY id');
    expect(rows).toEqual([
      { id: 'hpcem', name: 'HP Cloud Endpoint Manager' },
      { id: 'hpconnect', name: 'HP Connect' },
      { id: 'none', name: 'Not managed' },
    ]);
  });

  it('rolls a failing migration back completely and reports which one failed', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dsts-migrations-'));
    await fs.mkdir(path.join(dir, '001_ok'));
    await fs.writeFile(path.join(dir, '001_ok', 'migration.sql'), 'CREATE TABLE ok_table (id int);');
    await fs.mkdir(path.join(dir, '002_broken'));
    await fs.writeFile(path.join(dir, '002_broken', 'migration.sql'), 'CREATE TABLE half (id int); SELECT nope FROM missing;');

    await expect(migrate({ databaseUrl: database.url, migrationsDir: dir })).rejects.toThrow(/002_broken failed/);

    const tables = await query<{ tablename: string }>(
      database.url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual(['_prisma_migrations', 'ok_table']);
    await fs.rm(dir, { recursive: true });
  });
});
