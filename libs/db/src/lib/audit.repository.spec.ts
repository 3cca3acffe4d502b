import { randomBytes, randomUUID } from 'node:crypto';
import { type AuditEventRecord, type AuditRepository, createAuditRepository } from './audit.repository';
import { createDeviceRepository, type DeviceRepository } from './device.repository';
import { createEnrollmentTokenRepository, type EnrollmentTokenRepository } from './enrollment-token.repository';
import { createPrismaClient, type PrismaClient } from './prisma-client';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 15, 12, minute));

describe('audit repository (real Postgres)', () => {
  let prisma: PrismaClient;
  let audit: AuditRepository;
  let devices: DeviceRepository;
  let tokens: EnrollmentTokenRepository;
  let tenantId: string;

  const event = (overrides: Partial<AuditEventRecord> = {}): AuditEventRecord => ({
    id: randomUUID(),
    occurredAt: at(0),
    operation: 'CreateDevice',
    actorKind: 'certificate',
    actorId: 'CN=admin,O=ops',
    tenantId,
    deviceId: 'device-1',
    outcome: 'ok',
    reason: null,
    requestId: `req-${randomBytes(4).toString('hex')}`,
    ...overrides,
  });
  const newDevice = (deviceId: string) => ({
    tenantId,
    deviceId,
    certificate: { thumbprint: 'b'.repeat(64), issuedAt: at(0), expiresAt: at(59) },
  });
  const stored = () => audit.list({ tenantId, since: at(0), until: at(60), limit: 100 });

  beforeAll(() => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
    audit = createAuditRepository(prisma);
    devices = createDeviceRepository(prisma);
    tokens = createEnrollmentTokenRepository(prisma);
  });
  beforeEach(() => {
    tenantId = `tenant-${randomBytes(4).toString('hex')}`;
  });
  afterAll(() => prisma.$disconnect());

  it("lists a tenant's events in [since, until), oldest first, at most `limit`", async () => {
    const events = [event({ occurredAt: at(5) }), event({ occurredAt: at(1), outcome: 'not_found', reason: 'DEVICE_NOT_FOUND', deviceId: null }), event({ occurredAt: at(9) })];
    for (const e of [...events, event({ occurredAt: at(3), tenantId: `${tenantId}-other` })]) await audit.record(e);

    expect(await audit.list({ tenantId, since: at(0), until: at(60), limit: 100 })).toEqual([events[1], events[0], events[2]]);
    expect(await audit.list({ tenantId, since: at(1), until: at(9), limit: 100 })).toEqual([events[1], events[0]]);
    expect(await audit.list({ tenantId, since: at(0), until: at(60), limit: 2 })).toEqual([events[1], events[0]]);
  });

  it('records an event once, however often it is recorded', async () => {
    const once = event();
    await audit.record(once);
    await audit.record({ ...once, outcome: 'overloaded' });

    expect(await stored()).toEqual([once]);
  });

  it("writes a change's audit row in the change's transaction", async () => {
    const rows = [event({ operation: 'CreateDevice' }), event({ operation: 'UpdateDevice', occurredAt: at(1) }), event({ operation: 'DeleteDevice', occurredAt: at(2) })];
    await devices.create(newDevice('device-1'), rows[0]);
    await devices.update(tenantId, 'device-1', { isEnabled: false }, rows[1]);
    await devices.delete(tenantId, 'device-1', rows[2]);
    const tokenRows = [event({ operation: 'CreateEnrollmentToken', deviceId: null, occurredAt: at(3) }), event({ operation: 'DeleteEnrollmentToken', deviceId: null, occurredAt: at(4) })];
    await tokens.create({ tenantId, token: randomBytes(16).toString('hex'), issuedAt: at(0), expiresAt: at(59) }, at(0), tokenRows[0]);
    await tokens.delete(tenantId, tokenRows[1]);

    expect(await stored()).toEqual([...rows, ...tokenRows]);
  });

  it('makes no change whose audit row cannot be written', async () => {
    const unwritable = () => event({ actorKind: 'k'.repeat(17) });
    await expect(devices.create(newDevice('device-2'), unwritable())).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await devices.find(tenantId, 'device-2')).toBeNull();

    await devices.create(newDevice('device-3'));
    await expect(devices.update(tenantId, 'device-3', { isLost: true }, unwritable())).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(devices.delete(tenantId, 'device-3', unwritable())).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await devices.find(tenantId, 'device-3')).toMatchObject({ isLost: false });

    const token = { tenantId, token: randomBytes(16).toString('hex'), issuedAt: at(0), expiresAt: at(59) };
    await expect(tokens.create(token, at(0), unwritable())).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await tokens.findByTenant(tenantId)).toBeNull();
    await tokens.create(token, at(0));
    await expect(tokens.delete(tenantId, unwritable())).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await tokens.findByTenant(tenantId)).toEqual(token);
    expect(await stored()).toEqual([]);
  });

  it('writes no audit row for a change that fails', async () => {
    await expect(devices.delete(tenantId, 'absent', event({ operation: 'DeleteDevice' }))).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    await expect(tokens.delete(tenantId, event({ operation: 'DeleteEnrollmentToken' }))).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_NOT_FOUND' });

    expect(await stored()).toEqual([]);
  });
});
