import { randomBytes } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { type AuditEventRecord, createAuditRepository } from '@dsts/db';
import { captureLogs, createTestApp, createTestCa, signClientAssertion, TEST_ADMIN_IDENTITY, type TestCa } from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

/** The harness calls with the test admin certificate: its subject is the caller. */
const CALLER = { kind: 'certificate', id: TEST_ADMIN_IDENTITY };

describe('audit trail of the lifecycle-api (real gRPC, Postgres, Redis)', () => {
  let api: RunningLifecycleApi;
  let ca: TestCa;
  let tid: string;
  const log = captureLogs();
  const requestId = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    [api, ca] = await Promise.all([startLifecycleApi({ logDestination: log.destination }), createTestCa()]);
  });
  afterAll(() => api.close());
  beforeEach(() => {
    tid = `tenant-${randomBytes(4).toString('hex')}`;
  });

  const rowsOf = (tenantId: string) =>
    createAuditRepository(api.prisma).list({ tenantId, since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 60_000), limit: 100 });
  const linesOf = (id: string) => log.auditLines().filter((line) => line['requestId'] === id);
  const row = (operation: string, id: string, fields: Partial<AuditEventRecord> = {}) => ({
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    occurredAt: expect.any(Date),
    operation,
    actorKind: CALLER.kind,
    actorId: CALLER.id,
    tenantId: tid,
    deviceId: null,
    outcome: 'ok',
    reason: null,
    requestId: id,
    ...fields,
  });
  const certificateOf = async (deviceId: string) => (await ca.issueDevice({ deviceId, tenantId: tid })).certificateDer;

  it('records CreateDevice, UpdateDevice and DeleteDevice with caller, tenant, device, outcome and request id, as rows and lines', async () => {
    const ids = [requestId('create'), requestId('update'), requestId('delete')];
    expect((await api.call('createDevice', { header: v1(ids[0]), tid, deviceId: 'dev-1', deviceCertificate: await certificateOf('dev-1') })).header?.status).toBe(GrpcStatus.OK);
    const update = await api.call('updateDevice', { header: v1(ids[1]), tid, deviceId: 'dev-1', updateMask: ['is_enabled'], update: { isEnabled: false } });
    expect(update.header?.status).toBe(GrpcStatus.OK);
    expect((await api.call('deleteDevice', { header: v1(ids[2]), tid, deviceId: 'dev-1' })).header?.status).toBe(GrpcStatus.OK);

    expect(await rowsOf(tid)).toEqual([
      row('CreateDevice', ids[0], { deviceId: 'dev-1' }),
      row('UpdateDevice', ids[1], { deviceId: 'dev-1' }),
      row('DeleteDevice', ids[2], { deviceId: 'dev-1' }),
    ]);
    expect(linesOf(ids[0])).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        service: 'lifecycle-api',
        log: 'audit',
        msg: 'audit',
        operation: 'CreateDevice',
        actor: CALLER,
        tenantId: tid,
        deviceId: 'dev-1',
        outcome: 'ok',
        requestId: ids[0],
      },
    ]);
    expect(linesOf(ids[2])).toEqual([expect.objectContaining({ operation: 'DeleteDevice', outcome: 'ok', deviceId: 'dev-1' })]);
  });

  it('records failed changes with the error kind and code', async () => {
    const [missing, duplicate, invalid] = [requestId('missing'), requestId('duplicate'), requestId('invalid')];
    const certificate = await certificateOf('dev-2');
    await api.call('createDevice', { header: v1(), tid, deviceId: 'dev-2', deviceCertificate: certificate });
    await api.call('deleteDevice', { header: v1(missing), tid, deviceId: 'absent' });
    await api.call('createDevice', { header: v1(duplicate), tid, deviceId: 'dev-2', deviceCertificate: certificate });
    await api.call('updateDevice', { header: v1(invalid), tid, deviceId: 'dev-2', updateMask: ['nothing-known'] });

    expect((await rowsOf(tid)).slice(1)).toEqual([
      row('DeleteDevice', missing, { deviceId: 'absent', outcome: 'not_found', reason: 'DEVICE_NOT_FOUND' }),
      row('CreateDevice', duplicate, { deviceId: 'dev-2', outcome: 'already_exists', reason: 'DEVICE_ALREADY_EXISTS' }),
      row('UpdateDevice', invalid, { deviceId: 'dev-2', outcome: 'invalid_argument', reason: 'INVALID_REQUEST' }),
    ]);
    expect(linesOf(missing)).toEqual([expect.objectContaining({ outcome: 'not_found', reason: 'DEVICE_NOT_FOUND' })]);
  });

  it('leaves out what is not an id (oversized, control characters) rather than failing to record', async () => {
    const id = requestId('oversized');
    await api.call('deleteDevice', { header: v1(id), tid, deviceId: 'x'.repeat(200) });
    await api.call('deleteDevice', { header: v1(id), tid: `${tid}\u0000`, deviceId: 'dev-3' });

    expect(await rowsOf(tid)).toEqual([row('DeleteDevice', id, { outcome: 'invalid_argument', reason: 'INVALID_REQUEST' })]);
    expect(linesOf(id)).toEqual([
      expect.not.objectContaining({ deviceId: expect.anything() }),
      expect.not.objectContaining({ tenantId: expect.anything() }),
    ]);
  });

  it('records enrollment token creation and deletion, never the token', async () => {
    const [create, remove] = [requestId('token-create'), requestId('token-delete')];
    const created = await api.call('createEnrollmentToken', { header: v1(create), tid, tokenLifetimeDays: 1 });
    expect(created.header?.status).toBe(GrpcStatus.OK);
    expect((await api.call('deleteEnrollmentToken', { header: v1(remove), tid })).header?.status).toBe(GrpcStatus.OK);

    const rows = await rowsOf(tid);
    expect(rows).toEqual([row('CreateEnrollmentToken', create), row('DeleteEnrollmentToken', remove)]);
    const token = created.token?.token as string;
    expect(token).toHaveLength(32);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(log.text()).not.toContain(token);
  });

  it('does not audit reads', async () => {
    const id = requestId('read');
    await api.call('getDevice', { header: v1(id), tid, deviceId: 'dev-1' });
    await api.call('getEnrollmentToken', { header: v1(id), tid });
    await api.call('listDevices', { header: v1(id), tid });

    expect(linesOf(id)).toEqual([]);
    expect(await rowsOf(tid)).toEqual([]);
  });

  // Also shows that the row is written in the change's transaction: written after the call, it would say what the caller was told.
  it('records a change saved before a later step failed as ok in the table; the line says what the caller was told', async () => {
    const withoutRedis = await startLifecycleApi({ env: { REDIS_URL: 'redis://127.0.0.1:1' }, logDestination: log.destination });
    try {
      const id = requestId('saved');
      const created = await withoutRedis.call('createDevice', { header: v1(id), tid, deviceId: 'dev-4', deviceCertificate: await certificateOf('dev-4') });
      expect(created.header).toMatchObject({ status: GrpcStatus.RESOURCE_EXHAUSTED, statusMessage: expect.stringMatching(/^change saved/) });

      expect(await rowsOf(tid)).toEqual([row('CreateDevice', id, { deviceId: 'dev-4' })]);
      expect(linesOf(id)).toEqual([expect.objectContaining({ outcome: 'overloaded', reason: 'DEPENDENCY_UNAVAILABLE' })]);
    } finally {
      await withoutRedis.close();
    }
  });

  it('writes an audit line for every ValidateEnrollmentToken refusal (caller, reason), never the token, and none for a valid token', async () => {
    const created = await api.call('createEnrollmentToken', { header: v1(), tid, tokenLifetimeDays: 1 });
    const token = created.token?.token as string;
    const [refused, accepted] = [requestId('token-refused'), requestId('token-accepted')];
    const guess = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await api.call('validateEnrollmentToken', { header: v1(refused), token: guess })).header?.status).toBe(GrpcStatus.UNAUTHENTICATED);
    expect((await api.call('validateEnrollmentToken', { header: v1(accepted), token })).header?.status).toBe(GrpcStatus.OK);

    expect(linesOf(refused)).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        service: 'lifecycle-api',
        log: 'audit',
        msg: 'audit',
        operation: 'ValidateEnrollmentToken',
        actor: CALLER,
        outcome: 'unauthenticated',
        reason: 'ENROLLMENT_TOKEN_INVALID',
        requestId: refused,
        clientIp: '127.0.0.1',
      },
    ]);
    expect(linesOf(accepted)).toEqual([]);
    expect(log.text()).not.toContain(token);
    expect(log.text()).not.toContain(guess);
  });

  it('writes an audit line for every AuthenticateApp refusal (claimed app, address, reason), never the assertion, and no row', async () => {
    const stranger = createTestApp(`unknown-${randomBytes(4).toString('hex')}`);
    const id = requestId('app-refused');
    const { challenge } = await api.call('getAppAuthenticationChallenge', { header: v1(), appId: stranger.id });
    const assertion = signClientAssertion({ subject: stranger.id, nonce: challenge, privateKey: stranger.privateKey });
    const refused = await api.call('authenticateApp', { header: v1(id), appId: stranger.id, assertionType: JWT_BEARER_ASSERTION_TYPE, assertion });
    expect(refused.header?.status).toBe(GrpcStatus.UNAUTHENTICATED);

    expect(linesOf(id)).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        service: 'lifecycle-api',
        log: 'audit',
        msg: 'audit',
        operation: 'AuthenticateApp',
        actor: { kind: 'app', id: stranger.id },
        outcome: 'unauthenticated',
        // An unknown app fails the same signature check as a known one (nothing tells app ids apart).
        reason: 'ASSERTION_INVALID',
        requestId: id,
        clientIp: '127.0.0.1',
      },
    ]);
    for (const secret of [assertion, assertion.split('.')[1], assertion.split('.')[2], challenge]) expect(log.text()).not.toContain(secret);
    const rows = await createAuditRepository(api.prisma).list({ tenantId: stranger.id, since: new Date(0), until: new Date(Date.now() + 60_000), limit: 10 });
    expect(rows).toEqual([]);
  });
});
