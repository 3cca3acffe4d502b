import { randomBytes, type JsonWebKey } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { migrate } from '@dsts/db';
import {
  createTemporaryDatabase,
  createTestApp,
  signClientAssertion,
  signJws,
  type TemporaryDatabase,
  type TestApp,
  testEncryptionKey,
  verifyWithJwks,
  writeAppsFile,
} from '@dsts/testing';
import { createTokenServices, JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

const uniqueId = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * GetAppAuthenticationChallenge / AuthenticateApp over a real gRPC channel,
 * the apps synchronised from APPS_FILE at start (as main.ts does), real
 * Redis challenges and Postgres apps and keys. On a database of its own:
 * synchronising APPS_FILE disables every app it does not list.
 */
describe('DeviceSTS app authentication RPCs (real gRPC, Postgres, Redis)', () => {
  // Whole seconds, so token times compare exactly with the JWT's.
  const now = new Date(seconds(new Date()) * 1000);
  const reporting = createTestApp(uniqueId('reporting'));
  const retired = createTestApp(uniqueId('retired'), false);
  // Never asked for a challenge, so none is outstanding for it.
  const idle = createTestApp(uniqueId('idle'));
  let database: TemporaryDatabase;
  let api: RunningLifecycleApi;

  beforeAll(async () => {
    database = await createTemporaryDatabase('dsts_apps');
    await migrate({ databaseUrl: database.url });
    api = await startLifecycleApi({ databaseUrl: database.url, clock: () => now, env: { APPS_FILE: writeAppsFile([reporting, retired, idle]) } });
  });
  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const challenge = async (appId: string, requestId = 'challenge') => {
    const response = await api.call('getAppAuthenticationChallenge', { header: v1(requestId), appId });
    expect(response.header?.status).toBe(GrpcStatus.OK);
    return response.challenge;
  };
  const assertion = async (app: Pick<TestApp, 'id' | 'privateKey'>, options: { nonce?: string; now?: Date } = {}) =>
    signClientAssertion({ subject: app.id, nonce: options.nonce ?? (await challenge(app.id)), privateKey: app.privateKey, now: options.now ?? now });
  const authenticate = (appId: string, signed: string, assertionType = JWT_BEARER_ASSERTION_TYPE) =>
    api.call('authenticateApp', { header: v1('auth'), appId, assertionType, assertion: signed });
  const failedHeader = (status: GrpcStatus, statusMessage: string, requestId: string) => ({
    protocolVersion: 'v1',
    status,
    requestId,
    statusMessage,
    responseTime: now,
  });
  const refused = (status: GrpcStatus, statusMessage: string) => ({
    header: failedHeader(status, statusMessage, 'auth'),
    accessToken: '',
    expiresAt: undefined,
  });

  it('synchronised APPS_FILE into the app table at start', async () => {
    expect(await api.tokenServices.registeredApps.find(reporting.id)).toMatchObject({ name: reporting.name, isEnabled: true });
    expect(await api.tokenServices.registeredApps.find(retired.id)).toMatchObject({ isEnabled: false });
  });

  it('issues a challenge (256 random bits, 60 s) and a three-hour app token that verifies with GetSigningKey alone', async () => {
    const issued = await api.call('getAppAuthenticationChallenge', { header: v1('c-1'), appId: reporting.id });
    expect(issued).toEqual({
      header: { protocolVersion: 'v1', status: GrpcStatus.OK, requestId: 'c-1', statusMessage: 'OK', responseTime: now },
      challenge: expect.any(String),
      expiresAt: new Date(now.getTime() + 60_000),
    });
    expect(Buffer.from(issued.challenge, 'base64url')).toHaveLength(32);

    const response = await authenticate(reporting.id, await assertion(reporting, { nonce: issued.challenge }));

    expect(response).toEqual({
      header: { protocolVersion: 'v1', status: GrpcStatus.OK, requestId: 'auth', statusMessage: 'OK', responseTime: now },
      accessToken: expect.any(String),
      expiresAt: new Date(now.getTime() + 3 * 3600_000),
    });
    const jwks = { keys: (await api.call('getSigningKey', {})).signingKey.map((key): JsonWebKey => ({ ...key })) };
    const { header, claims } = verifyWithJwks(response.accessToken, jwks);
    expect(header).toEqual({ alg: 'RS512', kid: expect.stringMatching(/^[0-9a-f]{64}$/), typ: 'JWT' });
    expect(claims).toEqual({
      jti: expect.any(String),
      iss: 'HP Device Token Service',
      sub: reporting.id,
      iat: seconds(now),
      nbf: seconds(now),
      exp: seconds(now) + 10_800,
      typ: 'app',
    });
  });

  it('shares challenges with the auth-gateway: a gRPC challenge is redeemed by the REST side and vice versa', async () => {
    // Built as the auth-gateway builds it, on the same Postgres and Redis.
    const gatewaySide = createTokenServices({
      config: api.config,
      prisma: api.prisma,
      cache: api.cache,
      encryptionKey: Buffer.from(testEncryptionKey(), 'base64'),
      clock: () => now,
    });
    const fromGrpc = await challenge(reporting.id);
    const restToken = await gatewaySide.apps.authenticate({
      appId: reporting.id,
      assertionType: JWT_BEARER_ASSERTION_TYPE,
      assertion: await assertion(reporting, { nonce: fromGrpc }),
    });
    expect(restToken.expiresAt).toEqual(new Date(now.getTime() + 3 * 3600_000));
    const fromRest = await gatewaySide.apps.issueChallenge(reporting.id);
    expect((await authenticate(reporting.id, await assertion(reporting, { nonce: fromRest.challenge }))).header?.status).toBe(GrpcStatus.OK);
  });

  it.each([
    ['a wrong nonce (the original answered OK with an empty token)', async () => {
      await challenge(reporting.id);
      return [reporting.id, await assertion(reporting, { nonce: 'wrong-nonce' })];
    }, 'nonce matches no outstanding challenge: request a new one'],
    ['no outstanding challenge', async () => [idle.id, await assertion(idle, { nonce: 'never-issued' })], 'nonce matches no outstanding challenge: request a new one'],
    ['a disabled app', async () => [retired.id, await assertion(retired)], 'app authentication is disabled'],
    ['an unknown app', async () => {
      const stranger = createTestApp(uniqueId('stranger'));
      return [stranger.id, await assertion(stranger)];
    }, 'invalid client assertion: signature verification failed'],
    ['an expired assertion', async () => [reporting.id, await assertion(reporting, { now: new Date(now.getTime() - 3600_000) })], 'presented client assertion is expired'],
    ['an assertion not yet valid', async () => [
      reporting.id,
      signClientAssertion({ subject: reporting.id, nonce: await challenge(reporting.id), privateKey: reporting.privateKey, now, claims: { nbf: seconds(now) + 600 } }),
    ], 'presented client assertion is not yet valid'],
    ['a signature by another key', async () => [reporting.id, await assertion({ id: reporting.id, privateKey: createTestApp('other').privateKey })], 'invalid client assertion: signature verification failed'],
    ['an assertion for another app', async () => [
      reporting.id,
      signClientAssertion({ subject: retired.id, nonce: await challenge(reporting.id), privateKey: reporting.privateKey, now }),
    ], 'invalid client assertion: iss and sub must name the authenticating client'],
    ['alg none', async () => [
      reporting.id,
      signJws({ alg: 'none', typ: 'JWT' }, { iss: reporting.id, sub: reporting.id, nonce: await challenge(reporting.id), exp: seconds(now) + 600 }, Buffer.alloc(0)),
    ], 'invalid client assertion: algorithm not allowed'],
    ['HS256 keyed with the registered public key', async () => [
      reporting.id,
      signJws(
        { alg: 'HS256', typ: 'JWT' },
        { iss: reporting.id, sub: reporting.id, nonce: await challenge(reporting.id), exp: seconds(now) + 600 },
        Buffer.from(reporting.publicKey.export({ type: 'spki', format: 'pem' }) as string),
      ),
    ], 'invalid client assertion: algorithm not allowed'],
    ['a string that is not a JWT', async () => [reporting.id, 'not-a-jwt'], 'invalid client assertion: not a signed JWT'],
  ] as [string, () => Promise<[string, string]>, string][])('Unauthenticated for %s, with no token', async (_label, build, message) => {
    const [appId, signed] = await build();
    expect(await authenticate(appId, signed)).toEqual(refused(GrpcStatus.UNAUTHENTICATED, message));
  });

  it('refuses a replayed assertion: the challenge is single use', async () => {
    const signed = await assertion(reporting);
    expect((await authenticate(reporting.id, signed)).header?.status).toBe(GrpcStatus.OK);
    expect(await authenticate(reporting.id, signed)).toEqual(refused(GrpcStatus.UNAUTHENTICATED, 'nonce matches no outstanding challenge: request a new one'));
  });

  it('a wrong nonce does not cancel the real challenge, which still works exactly once', async () => {
    const nonce = await challenge(reporting.id);
    await authenticate(reporting.id, await assertion(reporting, { nonce: 'wrong' }));
    await challenge(reporting.id);
    const signed = await assertion(reporting, { nonce });
    expect((await authenticate(reporting.id, signed)).header?.status).toBe(GrpcStatus.OK);
    expect((await authenticate(reporting.id, signed)).header?.status).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('InvalidArgument for a bad request shape: empty or oversized app_id, wrong assertion_type, empty assertion, no header', async () => {
    const invalid = (statusMessage: string) => refused(GrpcStatus.INVALID_ARGUMENT, statusMessage);
    expect(await api.call('getAppAuthenticationChallenge', { header: v1('c'), appId: '' })).toEqual({
      header: failedHeader(GrpcStatus.INVALID_ARGUMENT, 'app_id is required', 'c'),
      challenge: '',
      expiresAt: undefined,
    });
    expect((await api.call('getAppAuthenticationChallenge', { header: v1('c'), appId: 'x'.repeat(129) })).header?.statusMessage).toBe(
      'app_id must be at most 128 characters',
    );
    expect((await api.call('getAppAuthenticationChallenge', { appId: reporting.id })).header).toMatchObject({
      status: GrpcStatus.INVALID_ARGUMENT,
      statusMessage: 'protocol_version must be v1',
    });
    expect(await authenticate('', await assertion(reporting))).toEqual(invalid('app_id is required'));
    expect(await authenticate(reporting.id, 'x', 'urn:other')).toEqual(invalid(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`));
    expect(await authenticate(reporting.id, '')).toEqual(invalid('client_assertion is required'));
    expect(await authenticate(reporting.id, 'x'.repeat(64 * 1024 + 1))).toEqual(invalid('assertion must be at most 65536 characters'));
    expect((await api.call('authenticateApp', { appId: reporting.id, assertionType: JWT_BEARER_ASSERTION_TYPE, assertion: 'x' })).header).toMatchObject({
      status: GrpcStatus.INVALID_ARGUMENT,
      statusMessage: 'protocol_version must be v1',
    });
  });
});
