import { Writable } from 'node:stream';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Client } from 'pg';
import { migrate } from '@dsts/db';
import { adminDatabaseUrl, createTemporaryDatabase, type TemporaryDatabase } from '@dsts/testing';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

/**
 * A server on a database of its own, which the test takes away and gives
 * back: no mocks, the real driver sees refused and terminated connections.
 */
describe('lifecycle-api while its database is unavailable', () => {
  let database: TemporaryDatabase;
  let api: RunningLifecycleApi;
  let admin: Client;

  const setConnectable = async (allowed: boolean) => {
    await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS ${allowed}`);
    if (!allowed) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database.name]);
    }
  };
  const logged: string[] = [];
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logged.push(chunk.toString());
      done();
    },
  });
  const getToken = () => api.call('getEnrollmentToken', { header: v1('db-down'), tid: 'tenant-1' });

  beforeAll(async () => {
    database = await createTemporaryDatabase('dsts_unavailable');
    await migrate({ databaseUrl: database.url });
    admin = new Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    api = await startLifecycleApi({ databaseUrl: database.url, logDestination: logs });
    await api.call('createEnrollmentToken', { header: v1(), tid: 'tenant-1' });
  });
  afterAll(async () => {
    await api?.close();
    await admin?.end();
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
    expect(logged.join('')).toMatch(/"level":"warn".*"code":"DEPENDENCY_UNAVAILABLE".*"method":"GetEnrollmentToken"/);

    await setConnectable(true);
    const up = await getToken();
    expect(up.header?.status).toBe(GrpcStatus.OK);
    expect(up.token?.token).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});
