import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { createFailureLimiter, createRateLimiter } from '@dsts/cache';
import { migrate } from '@dsts/db';
import { captureLogs, createTemporaryDatabase, createTestApp, signClientAssertion, type TemporaryDatabase, writeAppsFile } from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { type RunningLifecycleApi, type StartOptions, startLifecycleApi, v1 } from './lifecycle-api.harness';

const uniqueId = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;
/** Its own Redis prefix per server: the budgets start empty. */
const isolatedPrefix = () => `${process.env['REDIS_KEY_PREFIX']}limits-${randomBytes(4).toString('hex')}:`;
/** The address every call of these tests comes from, as the budgets key it. */
const LOOPBACK = '127.0.0.1';
const TOO_MANY = { status: GrpcStatus.RESOURCE_EXHAUSTED, statusMessage: 'too many requests, retry later' };

/**
 * The open app authentication RPCs answer to the same budgets as the
 * auth-gateway's REST endpoints (RATE_LIMIT_PER_MINUTE per client address,
 * RATE_LIMIT_FAILURES_PER_MINUTE per claimed app and address), in the same
 * Redis keys: switching transport does not double them.
 */
describe('app authentication RPCs: rate limits shared with the auth-gateway', () => {
  const reporting = createTestApp(uniqueId('reporting'));
  const log = captureLogs();
  let database: TemporaryDatabase;
  let appsFile: string;
  const running: RunningLifecycleApi[] = [];

  beforeAll(async () => {
    database = await createTemporaryDatabase('dsts_app_limits');
    await migrate({ databaseUrl: database.url });
    appsFile = writeAppsFile([reporting]);
  });
  afterAll(async () => {
    await Promise.all(running.map((api) => api.close()));
    await database?.drop();
  });

  const start = async (env: Record<string, string>, options: StartOptions = {}) => {
    const api = await startLifecycleApi({
      databaseUrl: database.url,
      env: { APPS_FILE: appsFile, REDIS_KEY_PREFIX: isolatedPrefix(), ...env },
      logDestination: log.destination,
      ...options,
    });
    running.push(api);
    return api;
  };
  const challenge = (api: RunningLifecycleApi, appId = reporting.id) => api.call('getAppAuthenticationChallenge', { header: v1('challenge'), appId });
  const forged = (appId = reporting.id) =>
    signClientAssertion({ subject: appId, nonce: 'any', privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
  const authenticate = (api: RunningLifecycleApi, assertion: string, requestId = 'auth', appId = reporting.id) =>
    api.call('authenticateApp', { header: v1(requestId), appId, assertionType: JWT_BEARER_ASSERTION_TYPE, assertion });
  const genuine = async (api: RunningLifecycleApi) =>
    signClientAssertion({ subject: reporting.id, nonce: (await challenge(api)).challenge, privateKey: reporting.privateKey });

  it('limits both RPCs per client address (RATE_LIMIT_PER_MINUTE): beyond it, RESOURCE_EXHAUSTED without a challenge', async () => {
    const api = await start({ RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect((await challenge(api)).header?.status).toBe(GrpcStatus.OK);

    const refused = await challenge(api);
    expect(refused.header).toMatchObject(TOO_MANY);
    expect(refused.challenge).toBe('');
    const requestId = uniqueId('flood');
    expect((await authenticate(api, forged(), requestId)).header).toMatchObject(TOO_MANY);
    // As on REST: refused before any authentication, so no audit line (a flood would flood the audit log).
    expect(log.auditLines().filter((line) => line['requestId'] === requestId)).toEqual([]);
  });

  it('answers a real RESOURCE_EXHAUSTED status with GRPC_REAL_STATUS_CODES', async () => {
    const api = await start({ RATE_LIMIT_PER_MINUTE: '1', GRPC_REAL_STATUS_CODES: 'true' });
    await challenge(api);
    await expect(challenge(api)).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: TOO_MANY.statusMessage });
  });

  it('holds the failure budget (RATE_LIMIT_FAILURES_PER_MINUTE) under concurrency: of 30 parallel forgeries exactly the budget are UNAUTHENTICATED', async () => {
    const api = await start({ RATE_LIMIT_FAILURES_PER_MINUTE: '3' });
    const assertions = Array.from({ length: 30 }, () => forged());

    const answers = await Promise.all(assertions.map((assertion) => authenticate(api, assertion)));

    const statuses = answers.map((answer) => answer.header?.status);
    expect(statuses.filter((status) => status === GrpcStatus.UNAUTHENTICATED)).toHaveLength(3);
    expect(statuses.filter((status) => status === GrpcStatus.RESOURCE_EXHAUSTED)).toHaveLength(27);
    for (const answer of answers.filter((each) => each.header?.status === GrpcStatus.RESOURCE_EXHAUSTED)) {
      expect(answer.header?.statusMessage).toBe(TOO_MANY.statusMessage);
      expect(answer.accessToken).toBe('');
    }
    // The budget is per claimed app: another app id from the same address still gets its own.
    expect((await authenticate(api, forged('another-app'), 'auth', 'another-app')).header?.status).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it('never counts successes, and audits a refusal by the failure limit like any other AuthenticateApp refusal', async () => {
    const api = await start({ RATE_LIMIT_FAILURES_PER_MINUTE: '2' });
    for (let i = 0; i < 4; i++) expect((await authenticate(api, await genuine(api))).header?.status).toBe(GrpcStatus.OK);
    const requestId = uniqueId('limited');
    for (let i = 0; i < 3; i++) await authenticate(api, forged(), requestId);

    const lines = log.auditLines().filter((line) => line['requestId'] === requestId);
    expect(lines.map((line) => [line['outcome'], line['reason']])).toEqual([
      ['unauthenticated', 'ASSERTION_INVALID'],
      ['unauthenticated', 'ASSERTION_INVALID'],
      ['rate_limited', 'RATE_LIMITED'],
    ]);
    expect(lines[2]).toMatchObject({ operation: 'AuthenticateApp', actor: { kind: 'app', id: reporting.id }, clientIp: LOOPBACK });
  });

  describe('shares the budgets with the auth-gateway (same Redis keys)', () => {
    // The keys exactly as the auth-gateway's REST endpoints have spent them since the limits were introduced.
    const gatewayRequestKey = `auth:${LOOPBACK}`;
    const gatewayFailureKey = `app:${JSON.stringify([reporting.id, LOOPBACK])}`;

    it('a client address that used up its REST request budget gets no gRPC challenge', async () => {
      const api = await start({ RATE_LIMIT_PER_MINUTE: '2' });
      const rest = createRateLimiter(api.cache, { limit: 2, windowSeconds: 60 });
      for (let i = 0; i < 2; i++) await rest.consume(gatewayRequestKey);

      expect((await challenge(api)).header).toMatchObject(TOO_MANY);
    });

    it('an app id whose REST failure budget is used up from this address is refused over gRPC too', async () => {
      const api = await start({ RATE_LIMIT_FAILURES_PER_MINUTE: '2' });
      const rest = createFailureLimiter(api.cache, { limit: 2, windowSeconds: 60 });
      for (let i = 0; i < 2; i++) await rest.reserve(gatewayFailureKey);

      expect((await authenticate(api, await genuine(api))).header).toMatchObject(TOO_MANY);
    });
  });
});
