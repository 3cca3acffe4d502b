import { PrismaPg } from '@prisma/adapter-pg';
import { Client } from 'pg';
import { createTemporaryDatabase, type TemporaryDatabase } from '@dsts/testing';
import { PrismaClient } from '../generated/prisma/client';
import { createDeviceRepository, type DevicePageQuery } from './device.repository';
import { migrate } from './migrate';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

/**
 * ListDevices must not scan or sort a big tenant's devices: the plan of the
 * exact SQL Prisma sends for a deep page must walk the listing index.
 */
describe('device listing query plan (100k devices in one tenant)', () => {
  let database: TemporaryDatabase;
  let pg: Client;
  let prisma: PrismaClient<'query'>;
  const queries: { query: string; params: string }[] = [];

  beforeAll(async () => {
    database = await createTemporaryDatabase('dsts_plan');
    await migrate({ databaseUrl: database.url });
    pg = new Client({ connectionString: database.url });
    await pg.connect();
    // 100k devices of the big tenant plus 50k spread over 500 others; every
    // third device disabled so both filters select many rows.
    await pg.query(`
      INSERT INTO devices (tenant_id, device_id, certificate_thumbprint, certificate_issued_at,
                           certificate_expires_at, is_enabled, created_at)
      SELECT CASE WHEN i <= 100000 THEN 'big' ELSE 'other-' || (i % 500) END,
             'device-' || i,
             md5(i::text) || md5(i::text),
             now(), now() + interval '1 year',
             i % 3 <> 0,
             timestamptz '2026-01-01' + i * interval '1 second'
      FROM generate_series(1, 150000) AS i`);
    await pg.query('ANALYZE devices');
    prisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: database.url }),
      log: [{ emit: 'event' as const, level: 'query' as const }],
    });
    prisma.$on('query', (event) => queries.push({ query: event.query, params: event.params }));
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pg?.end();
    await database?.drop();
  });

  async function planOf(query: DevicePageQuery): Promise<{ sql: string; nodes: PlanNode[] }> {
    queries.length = 0;
    const page = await createDeviceRepository(prisma).listPage(query);
    expect(page.devices).toHaveLength(query.pageSize);
    expect(queries).toHaveLength(1);
    const [{ query: sql, params }] = queries;
    const result = await pg.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, JSON.parse(params));
    return { sql, nodes: flatten(result.rows[0]['QUERY PLAN'][0].Plan) };
  }

  it.each([
    [undefined, 'devices_tenant_created_idx'],
    [true, 'devices_tenant_enabled_created_idx'],
    [false, 'devices_tenant_enabled_created_idx'],
  ])('page 300 (offset 29,900) with enabled=%s walks %s without a scan of the table or a sort', async (enabled, index) => {
    const { sql, nodes } = await planOf({ tenantId: 'big', enabled, pageSize: 100, pageNumber: 300 });

    expect(sql).toMatch(/ORDER BY .*"created_at" ASC, .*"device_id" ASC.* LIMIT \$\d+ OFFSET \$\d+/);
    expect(nodes.map((n) => n['Node Type'])).toEqual(['Limit', 'Index Scan']);
    expect(nodes[1]['Index Name']).toBe(index);
  });
});
