import { randomBytes } from 'node:crypto';
import { createPrismaClient, type DatabaseQuery, pingDatabase, type PrismaClient } from './prisma-client';

/**
 * Talks to the database migrated by the SQL files (jest global setup) through
 * the client generated from schema.prisma: any drift between the two fails here.
 */
describe('Prisma client on the migrated schema', () => {
  let prisma: PrismaClient;
  const tenantId = `tenant-${randomBytes(4).toString('hex')}`;
  const thumbprint = 'a'.repeat(64);

  beforeAll(() => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('answers a ping', async () => {
    await expect(pingDatabase(prisma)).resolves.toBeUndefined();
  });

  it('reads the seeded management services', async () => {
    const services = await prisma.managementService.findMany({ orderBy: { id: 'asc' } });
    expect(services.map((s) => s.id)).toEqual(['hpcem', 'hpconnect', 'none']);
  });

  it('creates and reads a device with every column, defaulting to unmanaged', async () => {
    await prisma.device.create({
      data: {
        tenantId,
        deviceId: 'device-1',
        certificateThumbprint: thumbprint,
        certificateIssuedAt: new Date('2026-01-01T00:00:00Z'),
        certificateExpiresAt: new Date('2027-01-01T00:00:00Z'),
        hardwareHash: 'hw-1',
      },
    });

    const device = await prisma.device.findUniqueOrThrow({
      where: { tenantId_deviceId: { tenantId, deviceId: 'device-1' } },
      include: { managementService: true },
    });
    expect(device).toMatchObject({
      certificateThumbprint: thumbprint,
      previousCertificateThumbprint: null,
      isEnabled: true,
      isLost: false,
      managementServiceId: 'none',
      hardwareHash: 'hw-1',
    });
    expect(device.managementService.name).toBe('Not managed');
    expect(device.createdAt).toBeInstanceOf(Date);
  });

  it('refuses a blank hardware hash and an unknown management service', async () => {
    const base = {
      tenantId,
      certificateThumbprint: thumbprint,
      certificateIssuedAt: new Date(),
      certificateExpiresAt: new Date(),
    };
    await expect(prisma.device.create({ data: { ...base, deviceId: 'blank-hash', hardwareHash: '  ' } })).rejects.toThrow();
    await expect(prisma.device.create({ data: { ...base, deviceId: 'tab-hash', hardwareHash: '\t' } })).rejects.toThrow();
    await expect(prisma.device.create({ data: { ...base, deviceId: '' } })).rejects.toThrow();
    await expect(
      prisma.device.create({ data: { ...base, deviceId: 'bad-ms', managementServiceId: 'unknown' } }),
    ).rejects.toThrow();
  });

  it('creates and reads tombstones, enrollment tokens and registered apps', async () => {
    await prisma.tombstonedDevice.create({ data: { tenantId, deviceId: 'gone' } });
    await prisma.enrollmentToken.create({
      data: { tenantId, token: 'x'.repeat(32), expiresAt: new Date(Date.now() + 86_400_000) },
    });
    await prisma.registeredApp.create({ data: { id: `app-${tenantId}`, name: 'Reporting', publicKey: 'PEM' } });

    expect(await prisma.tombstonedDevice.count({ where: { tenantId } })).toBe(1);
    expect((await prisma.enrollmentToken.findUniqueOrThrow({ where: { token: 'x'.repeat(32) } })).tenantId).toBe(tenantId);
    expect((await prisma.registeredApp.findUniqueOrThrow({ where: { id: `app-${tenantId}` } })).isEnabled).toBe(true);
  });

  it('stores signing keys and lets the database refuse a second primary', async () => {
    const key = (id: string) => ({
      id,
      algorithm: 'RS512',
      publicJwk: { kty: 'RSA', kid: id },
      encryptedPrivateKey: Buffer.from('ciphertext'),
      isPrimary: true,
    });
    await prisma.signingKey.create({ data: key('kid-1') });

    await expect(prisma.signingKey.create({ data: key('kid-2') })).rejects.toThrow();
    const stored = await prisma.signingKey.findUniqueOrThrow({ where: { id: 'kid-1' } });
    expect(stored.publicJwk).toEqual({ kty: 'RSA', kid: 'kid-1' });
    expect(Buffer.from(stored.encryptedPrivateKey).toString()).toBe('ciphertext');
  });
});

describe('Prisma client with a query observer', () => {
  const seen: DatabaseQuery[] = [];
  let prisma: PrismaClient;
  const tenantId = `observed-${randomBytes(4).toString('hex')}`;
  const summary = () => seen.map(({ model, operation, failed }) => `${model ?? '-'} ${operation} ${failed ? 'failed' : 'ok'}`);

  beforeAll(() => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string, onQuery: (query) => seen.push(query) });
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });
  beforeEach(() => seen.splice(0));

  it('is told the model, operation, duration and outcome of every operation, raw SQL included', async () => {
    await pingDatabase(prisma);
    await prisma.enrollmentToken.findUnique({ where: { tenantId } });
    await expect(prisma.$executeRaw`SELECT no_such_column FROM devices`).rejects.toThrow();

    expect(summary()).toEqual(['- $queryRaw ok', 'EnrollmentToken findUnique ok', '- $executeRaw failed']);
    for (const query of seen) expect(query.seconds).toBeGreaterThan(0);
  });

  it('sees the operations inside batch and interactive transactions, which still commit', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000);
    await prisma.$transaction([
      prisma.enrollmentToken.deleteMany({ where: { tenantId } }),
      prisma.enrollmentToken.create({ data: { tenantId, token: randomBytes(16).toString('hex'), expiresAt } }),
    ]);
    await prisma.$transaction(async (tx) => {
      await tx.enrollmentToken.update({ where: { tenantId }, data: { expiresAt } });
    });

    expect(summary()).toEqual(['EnrollmentToken deleteMany ok', 'EnrollmentToken create ok', 'EnrollmentToken update ok']);
    expect(await prisma.enrollmentToken.count({ where: { tenantId } })).toBe(1);
  });
});
