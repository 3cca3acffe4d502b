import { randomBytes } from 'node:crypto';
import { createDeviceRepository, type DeviceRepository } from './device.repository';
import { createPrismaClient, type PrismaClient } from './prisma-client';

const thumb = (seed: string) => seed.repeat(64).slice(0, 64);
const cert = (seed: string) => ({
  thumbprint: thumb(seed),
  issuedAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date('2027-01-01T00:00:00Z'),
});

describe('device repository (real Postgres)', () => {
  let prisma: PrismaClient;
  let devices: DeviceRepository;
  let tenantId: string;

  beforeAll(() => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
    devices = createDeviceRepository(prisma);
  });
  beforeEach(() => {
    tenantId = `tenant-${randomBytes(4).toString('hex')}`;
  });
  afterAll(() => prisma.$disconnect());

  it('creates a device with defaults and finds it by tenant and id', async () => {
    await devices.create({ tenantId, deviceId: 'd1', certificate: cert('a'), hardwareHash: '   ' });

    const found = await devices.find(tenantId, 'd1');
    expect(found).toMatchObject({
      certificateThumbprint: thumb('a'),
      previousCertificateThumbprint: null,
      isEnabled: true,
      isLost: false,
      managementServiceId: 'none',
      hardwareHash: null,
    });
    expect(await devices.find(`${tenantId}-other`, 'd1')).toBeNull();
  });

  it('refuses a duplicate and an unknown management service with domain errors', async () => {
    await devices.create({ tenantId, deviceId: 'd1', certificate: cert('a') });

    await expect(devices.create({ tenantId, deviceId: 'd1', certificate: cert('b') })).rejects.toMatchObject({
      code: 'DEVICE_ALREADY_EXISTS',
    });
    await expect(
      devices.create({ tenantId, deviceId: 'd2', certificate: cert('b'), managementServiceId: 'acme' }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_MANAGEMENT_SERVICE' });
  });

  it('pages in creation order with a correct has-more flag and enabled filter', async () => {
    for (let i = 0; i < 5; i++) {
      await devices.create({ tenantId, deviceId: `d${i}`, certificate: cert('c') });
    }
    await devices.update(tenantId, 'd1', { isEnabled: false });
    await devices.update(tenantId, 'd3', { isEnabled: false });

    const first = await devices.listPage({ tenantId, pageSize: 2, pageNumber: 1 });
    const last = await devices.listPage({ tenantId, pageSize: 2, pageNumber: 3 });
    const disabled = await devices.listPage({ tenantId, enabled: false, pageSize: 10, pageNumber: 1 });
    const enabled = await devices.listPage({ tenantId, enabled: true, pageSize: 10, pageNumber: 1 });

    expect(first.devices.map((d) => d.deviceId)).toEqual(['d0', 'd1']);
    expect(first.hasMore).toBe(true);
    expect(last.devices.map((d) => d.deviceId)).toEqual(['d4']);
    expect(last.hasMore).toBe(false);
    expect(disabled.devices.map((d) => d.deviceId)).toEqual(['d1', 'd3']);
    expect(enabled.devices.map((d) => d.deviceId)).toEqual(['d0', 'd2', 'd4']);
  });

  it('keeps the old thumbprint as previous when the certificate changes, and finishes the rollover once', async () => {
    await devices.create({ tenantId, deviceId: 'd1', certificate: cert('a') });

    const updated = await devices.update(tenantId, 'd1', { certificate: cert('b') });
    expect(updated.certificateThumbprint).toBe(thumb('b'));
    expect(updated.previousCertificateThumbprint).toBe(thumb('a'));

    expect(await devices.finishRollover(tenantId, 'd1', thumb('a'))).toBe(false);
    expect(await devices.finishRollover(tenantId, 'd1', thumb('b'))).toBe(true);
    expect(await devices.finishRollover(tenantId, 'd1', thumb('b'))).toBe(false);
    expect((await devices.find(tenantId, 'd1'))?.previousCertificateThumbprint).toBeNull();
  });

  // Regression: update read the current thumbprint and wrote without a row lock,
  // so two concurrent certificate changes could both record the same previous one.
  it('serialises concurrent certificate changes: the previous thumbprint is always the one replaced', async () => {
    for (let round = 0; round < 10; round++) {
      const deviceId = `race-${round}`;
      await devices.create({ tenantId, deviceId, certificate: cert('a') });

      await Promise.all([devices.update(tenantId, deviceId, { certificate: cert('b') }), devices.update(tenantId, deviceId, { certificate: cert('c') })]);

      const final = await devices.find(tenantId, deviceId);
      const expectedPrevious = final?.certificateThumbprint === thumb('b') ? thumb('c') : thumb('b');
      expect(final?.previousCertificateThumbprint).toBe(expectedPrevious);
    }
  });

  it('turns text the database cannot store (NUL) into InvalidArgument, not Internal', async () => {
    await expect(devices.find('tenant\u0000', 'd1')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('reports NotFound when updating or deleting a missing device', async () => {
    await expect(devices.update(tenantId, 'nope', { isLost: true })).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    await expect(devices.delete(tenantId, 'nope')).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
  });

  it('deletes a device and writes its tombstone; re-creating clears the tombstone', async () => {
    await devices.create({ tenantId, deviceId: 'd1', certificate: cert('a') });

    const deletedAt = await devices.delete(tenantId, 'd1');

    expect(deletedAt).toBeInstanceOf(Date);
    expect(await devices.find(tenantId, 'd1')).toBeNull();
    expect(await devices.isTombstoned(tenantId, 'd1')).toBe(true);
    expect(await devices.isTombstoned(tenantId, 'd2')).toBe(false);

    await devices.create({ tenantId, deviceId: 'd1', certificate: cert('b') });
    expect(await devices.isTombstoned(tenantId, 'd1')).toBe(false);
  });

  it('turns an unreachable database into DEPENDENCY_UNAVAILABLE without Prisma text', async () => {
    const dead = createPrismaClient({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', connectionTimeoutMs: 300 });
    try {
      const error = await createDeviceRepository(dead).find(tenantId, 'd1').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', kind: 'overloaded' });
      expect((error as Error).message).not.toMatch(/prisma|invocation/i);
    } finally {
      await dead.$disconnect();
    }
  });
});
