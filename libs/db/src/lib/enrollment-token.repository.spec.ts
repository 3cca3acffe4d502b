import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { adminDatabaseUrl, createTemporaryDatabase } from '@dsts/testing';
import { createEnrollmentTokenRepository, type EnrollmentTokenRepository } from './enrollment-token.repository';
import { migrate } from './migrate';
import { createPrismaClient, type PrismaClient } from './prisma-client';

const now = new Date('2026-12-03T12:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe('enrollment token repository (real Postgres)', () => {
  let prisma: PrismaClient;
  let tokens: EnrollmentTokenRepository;
  let tenantId: string;
  const token = (expiresAt = days(30), issuedAt = now) => ({ tenantId, token: randomBytes(16).toString('hex'), issuedAt, expiresAt });

  beforeAll(() => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
    tokens = createEnrollmentTokenRepository(prisma);
  });
  beforeEach(() => {
    tenantId = `tenant-${randomBytes(4).toString('hex')}`;
  });
  afterAll(() => prisma.$disconnect());

  it('stores a token and finds it by tenant and by value', async () => {
    const created = await tokens.create(token(), now);

    expect(created).toEqual({ tenantId, token: created.token, issuedAt: now, expiresAt: days(30) });
    expect(await tokens.findByTenant(tenantId)).toEqual(created);
    expect(await tokens.findByToken(created.token)).toEqual(created);
    expect(await tokens.findByToken('unknown')).toBeNull();
  });

  it('keeps one token per tenant: of concurrent creates exactly one wins', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.create(token(), now)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ENROLLMENT_TOKEN_ALREADY_EXISTS' });
    }
    expect(await prisma.enrollmentToken.count({ where: { tenantId } })).toBe(1);
  });

  it('replaces an expired token', async () => {
    await tokens.create(token(days(-1), days(-31)), days(-2));

    const replacement = await tokens.create(token(), now);

    expect(await tokens.findByTenant(tenantId)).toEqual(replacement);
  });

  it('deletes the tenant token and reports NotFound when there is none', async () => {
    await tokens.create(token(), now);

    await tokens.delete(tenantId);

    expect(await tokens.findByTenant(tenantId)).toBeNull();
    await expect(tokens.delete(tenantId)).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_NOT_FOUND' });
  });
});

describe('enrollment token repository on a database that stops accepting connections', () => {
  it('reports DEPENDENCY_UNAVAILABLE, then works again once connections are allowed', async () => {
    const database = await createTemporaryDatabase('dsts_closed');
    const admin = new Client({ connectionString: adminDatabaseUrl });
    const prisma = createPrismaClient({ databaseUrl: database.url, connectionTimeoutMs: 1_000 });
    const allowConnections = (allowed: boolean) => admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS ${allowed}`);
    try {
      await migrate({ databaseUrl: database.url });
      await admin.connect();
      const tokens = createEnrollmentTokenRepository(prisma);
      expect(await tokens.findByTenant('t')).toBeNull();

      await allowConnections(false);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database.name]);
      const failures = [await tokens.findByTenant('t').catch((e: unknown) => e), await tokens.findByTenant('t').catch((e: unknown) => e)];
      await allowConnections(true);

      for (const failure of failures) expect(failure).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', kind: 'overloaded' });
      expect(await tokens.findByTenant('t')).toBeNull();
    } finally {
      await prisma.$disconnect();
      await admin.end();
      await database.drop();
    }
  });
});
