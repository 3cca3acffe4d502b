import { type JsonWebKey, randomBytes } from 'node:crypto';
import path from 'node:path';
import { type Client, type GrpcObject, loadPackageDefinition, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { DeviceSTSService } from '@dsts/proto';
import { createTestApp, createTestCa, signClientAssertion, type TestCa, verifyWithJwks } from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { type DeepPartial, type RequestOf, type RpcName, type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

type Plain = Record<string, unknown>;
const camel = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A ts-proto request as proto-loader (keepCase) wants it. */
function toLoaderRequest(value: unknown, key = ''): unknown {
  if (key === 'updateMask') return { paths: value };
  if (value instanceof Date) return { seconds: Math.floor(value.getTime() / 1000), nanos: (value.getTime() % 1000) * 1e6 };
  if (Buffer.isBuffer(value) || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Plain).map(([k, v]) => [snake(k), toLoaderRequest(v, k)]));
}

/** A proto-loader response in ts-proto's shape: camelCase, Timestamps as Dates, unset messages undefined. */
function fromLoaderResponse(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(fromLoaderResponse);
  if (typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const object = value as Plain;
  if (Object.keys(object).sort().join() === 'nanos,seconds') {
    return new Date(Number(object['seconds']) * 1000 + Math.floor(Number(object['nanos']) / 1e6));
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [camel(k), fromLoaderResponse(v)]));
}

/**
 * A client built at run time from proto/ by @grpc/proto-loader, independent
 * of the ts-proto code the server uses, must get the same answers.
 */
describe('an independently generated client (proto-loader) gets the same answers as the ts-proto one', () => {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  let api: RunningLifecycleApi;
  let ca: TestCa;
  let loader: Client & Record<string, (request: unknown, callback: (e: ServiceError | null, r: unknown) => void) => void>;
  const tid = `tenant-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    [api, ca] = await Promise.all([startLifecycleApi({ clock: () => now }), createTestCa()]);
    const protoRoot = path.resolve(__dirname, '../../../proto');
    const definition = loadPackageDefinition(
      loadSync('krypton/dsts/dsts.proto', { includeDirs: [protoRoot], keepCase: true, longs: String, defaults: true }),
    );
    const DeviceSTS = ((definition['krypton'] as GrpcObject)['dsts'] as GrpcObject)['DeviceSTS'] as ServiceClientConstructor;
    loader = new DeviceSTS(api.address, api.credentials) as typeof loader;
  });
  afterAll(async () => {
    loader?.close();
    await api?.close();
  });

  const viaLoader = <K extends RpcName>(name: K, request: DeepPartial<RequestOf<K>>) => {
    const method = DeviceSTSService[name].path.split('/').pop() as string;
    return new Promise<unknown>((resolve, reject) =>
      loader[method](toLoaderRequest(request), (error, response) => (error ? reject(error) : resolve(fromLoaderResponse(response)))),
    );
  };
  /** `unique` blanks what differs between any two calls by design (fresh request ids, random challenges). */
  const expectSameAnswer = async <K extends RpcName>(
    name: K,
    request: DeepPartial<RequestOf<K>>,
    unique: (response: Plain) => Plain = (response) => response,
  ) => {
    const [generated, independent] = await Promise.all([api.call(name, request), viaLoader(name, request)]);
    expect(unique(independent as Plain)).toEqual(unique({ ...generated }));
    return generated;
  };
  const certificate = async (deviceId: string) => (await ca.issueDevice({ deviceId, tenantId: tid })).certificateDer;

  it('Ping', async () => {
    await expectSameAnswer('ping', { message: 'hello' });
  });

  it('device RPCs, successes and failures', async () => {
    const created = (await viaLoader('createDevice', {
      header: v1('c1'),
      tid,
      deviceId: 'dev-1',
      deviceCertificate: await certificate('dev-1'),
      managementService: 'hpcem',
      hardwareHash: 'hw-1',
    })) as { header: { status: number } };
    expect(created.header.status).toBe(0);
    await api.call('createDevice', { header: v1(), tid, deviceId: 'dev-2', deviceCertificate: await certificate('dev-2') });

    await expectSameAnswer('getDevice', { header: v1('g1'), tid, deviceId: 'dev-1' });
    await expectSameAnswer('getDevice', { header: v1('g2'), tid, deviceId: 'missing' });
    await expectSameAnswer('createDevice', { header: v1('dup'), tid, deviceId: 'dev-2', deviceCertificate: await certificate('dev-2') });
    await expectSameAnswer('listDevices', { header: v1('l1'), tid, pageSize: 1 });
    await expectSameAnswer('listDevices', { header: v1('l2'), tid, pageSize: 1, pageNumber: 2 });
    await expectSameAnswer('listDevices', { header: v1('l3'), tid, filter: 'enabled=nope' });
    await expectSameAnswer('updateDevice', { header: v1('u1'), tid, deviceId: 'dev-1', updateMask: ['nothing'], update: { isLost: true } });

    const updated = (await viaLoader('updateDevice', { header: v1('u2'), tid, deviceId: 'dev-1', updateMask: ['is_lost'], update: { isLost: true } })) as {
      header: { status: number };
    };
    expect(updated.header.status).toBe(0);
    const device = await expectSameAnswer('getDevice', { header: v1('g3'), tid, deviceId: 'dev-1' });
    expect(device.device).toMatchObject({ isLost: true, managementService: 'hpcem', hardwareHash: 'hw-1' });

    expect(((await viaLoader('deleteDevice', { header: v1('d1'), tid, deviceId: 'dev-1' })) as { header: { status: number } }).header.status).toBe(0);
    await expectSameAnswer('deleteDevice', { header: v1('d2'), tid, deviceId: 'dev-1' });
    await expectSameAnswer('getDevice', { header: { protocolVersion: 'v0', requestId: 'old' }, tid, deviceId: 'dev-2' });
  });

  it('enrollment token RPCs, successes and failures', async () => {
    const created = await api.call('createEnrollmentToken', { header: v1(), tid, tokenLifetimeDays: 3 });
    const token = created.token?.token as string;

    await expectSameAnswer('getEnrollmentToken', { header: v1('t1'), tid });
    await expectSameAnswer('createEnrollmentToken', { header: v1('t2'), tid });
    await expectSameAnswer('createEnrollmentToken', { header: v1('t3'), tid, tokenLifetimeDays: -5 });
    await expectSameAnswer('validateEnrollmentToken', { header: v1('t4'), token });
    await expectSameAnswer('validateEnrollmentToken', { header: v1('t5'), token: 'unknown' });
    await expectSameAnswer('validateEnrollmentToken', { header: v1('t6'), token: '' });
    await expectSameAnswer('deleteEnrollmentToken', { header: v1('t7'), tid: `${tid}-none` });
  });

  it('GetSigningKey (no header: the request id is fresh on each call)', async () => {
    const withoutRequestId = (response: Plain) => ({ ...response, header: { ...(response['header'] as Plain), requestId: '' } });
    const answer = await expectSameAnswer('getSigningKey', {}, withoutRequestId);
    expect(answer.signingKey.length).toBeGreaterThan(0);
  });

  it('app challenge and AuthenticateApp, successes and failures', async () => {
    const app = createTestApp(`loader-app-${randomBytes(4).toString('hex')}`);
    // Inserted directly: an APPS_FILE sync would disable the apps of the other spec files.
    await api.prisma.registeredApp.create({
      data: { id: app.id, name: app.name, publicKey: app.publicKey.export({ type: 'spki', format: 'pem' }) as string },
    });
    const withoutChallenge = (response: Plain) => ({ ...response, challenge: '' });
    await expectSameAnswer('getAppAuthenticationChallenge', { header: v1('a1'), appId: app.id }, withoutChallenge);
    await expectSameAnswer('getAppAuthenticationChallenge', { header: v1('a2'), appId: '' });

    const issued = (await viaLoader('getAppAuthenticationChallenge', { header: v1('a3'), appId: app.id })) as { challenge: string };
    const authenticate = (nonce: string) => ({
      header: v1('a4'),
      appId: app.id,
      assertionType: JWT_BEARER_ASSERTION_TYPE,
      assertion: signClientAssertion({ subject: app.id, nonce, privateKey: app.privateKey, now }),
    });
    const authenticated = (await viaLoader('authenticateApp', authenticate(issued.challenge))) as { header: { status: number }; accessToken: string };
    expect(authenticated.header.status).toBe(0);
    const keys = ((await viaLoader('getSigningKey', {})) as { signingKey: JsonWebKey[] }).signingKey;
    expect(verifyWithJwks(authenticated.accessToken, { keys }).claims).toMatchObject({ sub: app.id, typ: 'app' });

    await expectSameAnswer('authenticateApp', authenticate('no-challenge'));
    await expectSameAnswer('authenticateApp', { ...authenticate('x'), appId: 'unknown-app' });
    await expectSameAnswer('authenticateApp', { ...authenticate('x'), assertionType: 'urn:other' });
  });
});
