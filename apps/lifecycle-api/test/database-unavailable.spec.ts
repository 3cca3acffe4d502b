import { type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { createLifecycleClient, fetchAppToken } from '@dsts/client';
import { migrate } from '@dsts/db';
import {
  captureLogs,
  createTemporaryDatabase,
  createTestApp,
  eventually,
  grpcHealthStatus,
  metricValue,
  type TemporaryDatabase,
} from '@dsts/testing';
import { DEVICE_STS_SERVICE_NAME } from '../src/app/create-grpc-server';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

/**
 * A server on a database of its own, which the test takes away and gives
 * back: no mocks, the real driver sees refused and terminated connections.
 */
describe('lifecycle-api while its database is unavailable', () => {
  let database: TemporaryDatabase;
  let api: RunningLifecycleApi;

  const setConnectable = (allowed: boolean) => database.setConnectable(allowed);
  const logs = captureLogs();
  const getToken = () => api.call('getEnrollmentToken', { header: v1('db-down'), tid: 'tenant-1' });
  /** An app whose bearer token is checked against the registered_apps table. */
  const reader = createTestApp('outage-reader');

  beforeAll(async () => {
    database = await createTemporaryDatabase('dsts_unavailable');
    await migrate({ databaseUrl: database.url });
    // Keys re-read on every use: GetSigningKey then needs the database unless it serves what it has.
    api = await startLifecycleApi({
      databaseUrl: database.url,
      logDestination: logs.destination,
      env: { GRPC_HEALTH_CHECK_SECONDS: '1', SIGNING_KEY_REFRESH_SECONDS: '0' },
      grants: { apps: { [reader.id]: ['enrollment:read'] } },
    });
    await api.call('createEnrollmentToken', { header: v1(), tid: 'tenant-1' });
    await api.prisma.registeredApp.create({
      data: { id: reader.id, name: reader.name, publicKey: reader.publicKey.export({ type: 'spki', format: 'pem' }) as string },
    });
  });
  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  it('answers ResourceExhausted in the header without internals, keeps serving, and recovers', async () => {
    expect((await getToken()).header?.status).toBe(GrpcStatus.OK);

    await setConnectable(false);
    const down = await Promise.all([getToken(), getToken(), api.call('getDevice', { header: v1(), tid: 't', deviceId: 'd' })]);

    for (const response of down) {
      expect(response.header).toMatchObject({
        status: GrpcStatus.RESOURCE_EXHAUSTED,
        statusMessage: 'database temporarily unavailable, retry later',
      });
    }
    expect((await api.call('ping', { message: 'still here' })).message).toBe('still here');
    // Operators see the outage in the log, not only the caller in its header.
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ level: 'warn', code: 'DEPENDENCY_UNAVAILABLE', method: 'GetEnrollmentToken', requestId: 'db-down' }),
    );

    await setConnectable(true);
    const up = await getToken();
    expect(up.header?.status).toBe(GrpcStatus.OK);
    expect(up.token?.token).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('answers a bearer token it cannot check for the outage, as every RPC does (ResourceExhausted), and logs an error, not an audit refusal', async () => {
    const tls = api.tls as NonNullable<typeof api.tls>;
    const tokenClient = createLifecycleClient(api.address, tls.credentials());
    const { accessToken } = await fetchAppToken(tokenClient, reader.id, reader.privateKey).finally(() => tokenClient.close());
    const withToken = tls.credentials(undefined, accessToken);
    const read = (requestId: string) =>
      api.call('getEnrollmentToken', { header: v1(requestId), tid: 'tenant-1' }, { credentials: withToken }).then(
        (response) => `OK ${response.header?.status}`,
        (error: ServiceError) => `${GrpcStatus[error.code]}: ${error.details}`,
      );
    expect(await read('bearer-up')).toBe(`OK ${GrpcStatus.OK}`);

    await setConnectable(false);
    try {
      expect(await read('bearer-db-down')).toBe('RESOURCE_EXHAUSTED: database temporarily unavailable, retry later');
    } finally {
      await setConnectable(true);
    }
    // Reads are audited only when refused, and this was no refusal.
    expect(logs.auditLines().filter((line) => line['operation'] === 'GetEnrollmentToken')).toEqual([]);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'dependency unavailable', code: 'DEPENDENCY_UNAVAILABLE', method: 'GetEnrollmentToken', requestId: 'bearer-db-down' }),
    );
  });

  it('answers GetSigningKey from the keys it holds while the key table cannot be read', async () => {
    const before = await api.call('getSigningKey', {});
    expect(before.signingKey.length).toBeGreaterThan(0);

    await setConnectable(false);
    try {
      const during = await api.call('getSigningKey', {});
      expect(during.header?.status).toBe(GrpcStatus.OK);
      expect(during.signingKey).toEqual(before.signingKey);
    } finally {
      await setConnectable(true);
    }
  });

  it('turns readiness (krypton.dsts.DeviceSTS) NOT_SERVING while the database is unreachable and SERVING when it is back, logging each change once; liveness ("") stays SERVING', async () => {
    const health = (service: string) => grpcHealthStatus(api.address, service, async () => api.credentials);
    // Liveness must not follow the database: Kubernetes would restart every replica during an outage.
    const statuses = async () => ({ liveness: await health(''), readiness: await health(DEVICE_STS_SERVICE_NAME) });
    const failedPings = async () =>
      metricValue(await api.metrics.registry.metrics(), 'dsts_db_query_duration_seconds_count', { model: 'raw', operation: '$queryRaw', outcome: 'error' });
    const reached = (expected: Awaited<ReturnType<typeof statuses>>) => async () => {
      const current = await statuses();
      return current.liveness === expected.liveness && current.readiness === expected.readiness ? current : undefined;
    };
    await eventually('health SERVING', reached({ liveness: 'SERVING', readiness: 'SERVING' }));
    const earlier = logs.lines().length;
    const logged = (msg: string) => logs.lines().slice(earlier).filter((line) => line['msg'] === msg);

    await setConnectable(false);
    await eventually('readiness NOT_SERVING', reached({ liveness: 'SERVING', readiness: 'NOT_SERVING' }));
    // A few more failed checks: the outage is logged when it starts, not on every check; liveness never moves.
    const failedSoFar = await failedPings();
    await eventually('two more failed checks', async () => ((await failedPings()) >= failedSoFar + 2 ? true : undefined));
    expect(await statuses()).toEqual({ liveness: 'SERVING', readiness: 'NOT_SERVING' });
    expect(logged('database unreachable, readiness NOT_SERVING')).toEqual([expect.objectContaining({ level: 'warn', cause: expect.any(String) })]);

    await setConnectable(true);
    await eventually('readiness SERVING again', reached({ liveness: 'SERVING', readiness: 'SERVING' }));
    expect(logged('database reachable again, readiness SERVING')).toHaveLength(1);
  });
});
