import { randomBytes } from 'node:crypto';
import { Metadata, Server, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { createCallerAuthenticator, loadCallerAccess } from '@dsts/caller-auth';
import { channelCredentials, createLifecycleClient, fetchAppToken, type LifecycleClient, type LifecycleCredentials } from '@dsts/client';
import { createAuditLog, createLogger, createMetrics } from '@dsts/observability';
import { DeviceSTSClient, DeviceSTSService, GetDeviceResponse, PingResponse } from '@dsts/proto';
import { createTestApp, TEST_ADMIN_IDENTITY } from '@dsts/testing';
import { type RunningLifecycleApi, startLifecycleApi } from '../../test/lifecycle-api.harness';
import { callerAuthenticationInterceptor } from './caller-authentication.interceptor';
import { callerIdentityOf } from './caller-identity';
import { serverCredentials } from './server-credentials';

/** What a handler behind the interceptor sees of its caller. */
const seen = (call: ServerUnaryCall<unknown, unknown>) => JSON.stringify({ caller: callerIdentityOf(call), authorization: call.metadata.get('authorization') });

/**
 * The real interceptor and credentials in front of stand-in handlers that
 * report `callerIdentityOf(call)`: what the audit log will record.
 */
describe('callerIdentityOf behind the caller authentication interceptor', () => {
  const app = createTestApp(`identity-${randomBytes(4).toString('hex')}`);
  let api: RunningLifecycleApi;
  let server: Server;
  let address: string;

  beforeAll(async () => {
    api = await startLifecycleApi({ grants: { apps: { [app.id]: ['devices:read'] } } });
    await api.prisma.registeredApp.create({ data: { id: app.id, name: app.name, publicKey: app.publicKey.export({ type: 'spki', format: 'pem' }) as string } });
    const access = await loadCallerAccess(api.config, new Date());
    if (access.mode !== 'required') throw new Error('expected authentication to be required');
    const authenticator = createCallerAuthenticator({ grants: access.grants, appTokens: api.tokenServices.appTokens });
    const logger = createLogger({ service: 'test', level: 'silent' });
    server = new Server({
      interceptors: [callerAuthenticationInterceptor({ authenticator, logger, metrics: createMetrics('test'), audit: createAuditLog(logger) })],
    });
    const standIns: UntypedServiceImplementation = {
      getDevice: (call: ServerUnaryCall<unknown, unknown>, callback: (error: null, response: GetDeviceResponse) => void) =>
        callback(null, GetDeviceResponse.fromPartial({ device: { deviceId: seen(call) } })),
      ping: (call: ServerUnaryCall<unknown, unknown>, callback: (error: null, response: PingResponse) => void) =>
        callback(null, PingResponse.fromPartial({ message: seen(call) })),
    };
    server.addService(DeviceSTSService, standIns);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', serverCredentials(access), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.tryShutdown(() => resolve()));
    await api?.close();
  });

  const asCaller = async <T>(credentials: LifecycleCredentials, use: (client: LifecycleClient) => Promise<T>, at = address) => {
    const client = createLifecycleClient(at, credentials);
    try {
      return await use(client);
    } finally {
      client.close();
    }
  };
  const tls = () => api.tls as NonNullable<typeof api.tls>;
  const identityOnGetDevice = (credentials: LifecycleCredentials) =>
    asCaller(credentials, async (client) => JSON.parse((await client.call('getDevice', {})).device?.deviceId ?? '{}'));

  it('is the client certificate subject for mTLS callers', async () => {
    expect(await identityOnGetDevice(tls().credentials(tls().admin))).toEqual({ caller: { kind: 'certificate', id: TEST_ADMIN_IDENTITY }, authorization: [] });
  });

  it('is the app id for bearer callers, and the token never reaches the handler', async () => {
    const token = await asCaller(tls().credentials(), (client) => fetchAppToken(client, app.id, app.privateKey), api.address);
    expect(await identityOnGetDevice(tls().credentials(undefined, token.accessToken))).toEqual({ caller: { kind: 'app', id: app.id }, authorization: [] });
  });

  it('is anonymous on open operations, and no metadata a client sends changes it', async () => {
    const forged = new Metadata();
    forged.set('caller-identity', JSON.stringify({ kind: 'certificate', id: TEST_ADMIN_IDENTITY }));
    const client = new DeviceSTSClient(address, channelCredentials(tls().credentials()));
    try {
      const pinged = await new Promise<PingResponse>((resolve, reject) =>
        client.ping({ message: 'x' }, forged, (error, response) => (error ? reject(error) : resolve(response))),
      );
      expect(JSON.parse(pinged.message)).toEqual({ caller: { kind: 'anonymous', id: 'anonymous' }, authorization: [] });
    } finally {
      client.close();
    }
  });
});
