import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { captureLogs, createTestApp, createTestCa, signClientAssertion, type TestCa, type TestDevice, writeAppsFile } from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { type RunningGateway, startGateway } from '../../test/start-gateway';
import {
  authenticateDevice,
  call,
  challengeFor,
  forwardedFor,
  type JsonResponse,
  postDeviceAssertion,
  postForm,
  registerDevice,
  uniqueAddress,
  uniqueId,
  uniqueNetwork,
  uniqueTenant,
} from '../../test/client-flows';

/** Its own Redis prefix per gateway: the limits start empty. */
const isolatedPrefix = () => `${process.env['REDIS_KEY_PREFIX']}limits-${randomBytes(4).toString('hex')}:`;

function expectTooManyRequests(res: JsonResponse) {
  expect({ status: res.status, body: res.body }).toEqual({ status: 429, body: { code: 429, message: 'too many requests, retry later' } });
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

const challengeStatus = async (baseUrl: string, headers: Record<string, string>) =>
  (await call(`${baseUrl}/api/v1/deviceauth/challenge?device_id=d`, { headers })).status;

describe('per-address request limit (RATE_LIMIT_PER_MINUTE) and TRUST_PROXY', () => {
  it('counts the TCP peer by default: X-Forwarded-For cannot pick another budget', async () => {
    const gateway = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '2', REDIS_KEY_PREFIX: isolatedPrefix() } });
    try {
      expect(await challengeStatus(gateway.baseUrl, forwardedFor(uniqueAddress()))).toBe(200);
      expect(await challengeStatus(gateway.baseUrl, forwardedFor(uniqueAddress()))).toBe(200);
      expectTooManyRequests(await call(`${gateway.baseUrl}/api/v1/deviceauth/challenge?device_id=d`, { headers: forwardedFor(uniqueAddress()) }));
    } finally {
      await gateway.close();
    }
  });

  it('behind a trusted proxy, limits each forwarded client address on its own', async () => {
    const gateway = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback', REDIS_KEY_PREFIX: isolatedPrefix() } });
    try {
      const [first, second] = [forwardedFor(uniqueAddress()), forwardedFor(uniqueAddress())];
      expect(await challengeStatus(gateway.baseUrl, first)).toBe(200);
      expect((await postDeviceAssertion(gateway.baseUrl, 'not-a-jwt', JWT_BEARER_ASSERTION_TYPE, first)).status).toBe(401);
      expectTooManyRequests(await call(`${gateway.baseUrl}/api/v1/appauth/challenge?app_id=a`, { headers: first }));
      expect(await challengeStatus(gateway.baseUrl, second)).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('per-address budgets key IPv6 clients by their /64', () => {
  it('limits requests per /64, and an IPv4-mapped address together with its IPv4 address', async () => {
    const gateway = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback', REDIS_KEY_PREFIX: isolatedPrefix() } });
    try {
      const network = uniqueNetwork();
      expect(await challengeStatus(gateway.baseUrl, forwardedFor(`${network}::1`))).toBe(200);
      expect(await challengeStatus(gateway.baseUrl, forwardedFor(`${network}:ffff:ffff:ffff:ffff`))).toBe(200);
      expectTooManyRequests(await call(`${gateway.baseUrl}/api/v1/appauth/challenge?app_id=a`, { headers: forwardedFor(`${network}:abcd::7`) }));
      expect(await challengeStatus(gateway.baseUrl, forwardedFor(uniqueAddress()))).toBe(200);

      expect(await challengeStatus(gateway.baseUrl, forwardedFor('192.0.2.1'))).toBe(200);
      expect(await challengeStatus(gateway.baseUrl, forwardedFor('::ffff:192.0.2.1'))).toBe(200);
      expectTooManyRequests(await call(`${gateway.baseUrl}/api/v1/appauth/challenge?app_id=a`, { headers: forwardedFor('192.0.2.1') }));
      expect(await challengeStatus(gateway.baseUrl, forwardedFor('192.0.2.2'))).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('per-client failure limit (RATE_LIMIT_FAILURES_PER_MINUTE)', () => {
  let gateway: RunningGateway;
  let ca: TestCa;
  const log = captureLogs();
  const reporting = createTestApp(uniqueId('reporting'));
  const strangerKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  beforeAll(async () => {
    [gateway, ca] = await Promise.all([
      startGateway({
        env: { RATE_LIMIT_FAILURES_PER_MINUTE: '3', TRUST_PROXY: 'loopback', APPS_FILE: writeAppsFile([reporting]) },
        logDestination: log.destination,
      }),
      createTestCa(),
    ]);
  });
  afterAll(() => gateway.close());

  const registeredDevice = async () => {
    const device = await ca.issueDevice({ deviceId: uniqueId('device'), tenantId: uniqueTenant() });
    await registerDevice(gateway.prisma, device);
    return device;
  };
  /**
   * What anyone can send without the device's key: its (public) certificate
   * in x5c, signed with another key, on a challenge fetched for it.
   */
  const forgedAssertion = async (victim: TestDevice, headers: Record<string, string>) =>
    signClientAssertion({
      subject: victim.deviceId,
      nonce: await challengeFor(gateway.baseUrl, 'device', victim.deviceId, headers),
      privateKey: strangerKey(),
      certificateDer: victim.certificateDer,
    });
  const attack = async (victim: TestDevice, attacker: Record<string, string>) =>
    postDeviceAssertion(gateway.baseUrl, await forgedAssertion(victim, attacker), JWT_BEARER_ASSERTION_TYPE, attacker);

  it('stops an attacker hammering a device id, but neither another device nor that device from elsewhere', async () => {
    const [victim, bystander] = [await registeredDevice(), await registeredDevice()];
    const attacker = forwardedFor(uniqueAddress());

    for (let i = 0; i < 3; i++) expect((await attack(victim, attacker)).status).toBe(401);
    expectTooManyRequests(await attack(victim, attacker));

    // The device itself, from its own address, is not locked out.
    expect((await authenticateDevice(gateway.baseUrl, victim, victim, forwardedFor(uniqueAddress()))).status).toBe(200);
    // Nor is any other device, even from the attacker's address.
    expect((await authenticateDevice(gateway.baseUrl, bystander, bystander, attacker)).status).toBe(200);
    expect((await authenticateDevice(gateway.baseUrl, bystander, bystander, forwardedFor(uniqueAddress()))).status).toBe(200);
    // Challenges are never failures: the attacker still gets them (they cancel nothing).
    expect((await call(`${gateway.baseUrl}/api/v1/deviceauth/challenge?device_id=${victim.deviceId}`, { headers: attacker })).status).toBe(200);
    // The budget is per (device, address): behind the attacker's own address the device waits for the window, like every client there.
    expectTooManyRequests(await authenticateDevice(gateway.baseUrl, victim, victim, attacker));
  });

  it('holds the budget under concurrency: of many parallel forged requests exactly the budget get 401, the rest 429', async () => {
    const victim = await registeredDevice();
    const attacker = forwardedFor(uniqueAddress());
    // Signed up front, so that the token requests really arrive together; one at a time, because the signing
    // blocks this process's event loop, the in-process gateway's Redis replies included (they timed out on a loaded CI run).
    const forged: string[] = [];
    for (let i = 0; i < 20; i++) forged.push(await forgedAssertion(victim, attacker));

    const answers = await Promise.all(forged.map((assertion) => postDeviceAssertion(gateway.baseUrl, assertion, JWT_BEARER_ASSERTION_TYPE, attacker)));

    expect(answers.map((res) => res.status).filter((status) => status === 401)).toHaveLength(3);
    for (const res of answers.filter((answer) => answer.status !== 401)) expectTooManyRequests(res);
    expect((await authenticateDevice(gateway.baseUrl, victim, victim, forwardedFor(uniqueAddress()))).status).toBe(200);
  });

  it('keeps counting an attacker who moves to another address of their /64', async () => {
    const victim = await registeredDevice();
    const network = uniqueNetwork();

    for (let i = 0; i < 3; i++) expect((await attack(victim, forwardedFor(`${network}::${i + 1}`))).status).toBe(401);
    expectTooManyRequests(await attack(victim, forwardedFor(`${network}:1:2:3:4`)));
    expect((await attack(victim, forwardedFor(uniqueAddress()))).status).toBe(401);
  });

  it('counts refusals of unknown devices (404) too, but never successes', async () => {
    const device = await registeredDevice();
    const unregistered = await ca.issueDevice({ deviceId: uniqueId('ghost'), tenantId: uniqueTenant() });
    const address = forwardedFor(uniqueAddress());

    for (let i = 0; i < 5; i++) expect((await authenticateDevice(gateway.baseUrl, device, device, address)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await authenticateDevice(gateway.baseUrl, unregistered, unregistered, address)).status).toBe(404);
    expectTooManyRequests(await authenticateDevice(gateway.baseUrl, unregistered, unregistered, address));
  });

  it('limits app ids the same way', async () => {
    const attacker = forwardedFor(uniqueAddress());
    const postAppToken = async (privateKey: ReturnType<typeof strangerKey>, headers: Record<string, string>) => {
      const nonce = await challengeFor(gateway.baseUrl, 'app', reporting.id, headers);
      const assertion = signClientAssertion({ subject: reporting.id, nonce, privateKey });
      const fields = { app_id: reporting.id, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion };
      return postForm(`${gateway.baseUrl}/api/v1/appauth/token`, fields, undefined, headers);
    };

    for (let i = 0; i < 3; i++) expect((await postAppToken(strangerKey(), attacker)).status).toBe(401);
    expectTooManyRequests(await postAppToken(strangerKey(), attacker));
    expect((await postAppToken(reporting.privateKey, forwardedFor(uniqueAddress()))).status).toBe(200);
  });

  it('writes an audit line for every refusal: claimed client, address, reason, request id; never the assertion', async () => {
    const victim = await registeredDevice();
    const address = uniqueAddress();
    const headers = { ...forwardedFor(address), 'X-Request-Id': `audit-${randomBytes(4).toString('hex')}` };
    const forged = await forgedAssertion(victim, headers);
    expect((await postDeviceAssertion(gateway.baseUrl, forged, JWT_BEARER_ASSERTION_TYPE, headers)).status).toBe(401);
    expect((await postDeviceAssertion(gateway.baseUrl, 'not-a-jwt', JWT_BEARER_ASSERTION_TYPE, headers)).status).toBe(401);
    const ok = await authenticateDevice(gateway.baseUrl, victim, victim, headers);
    expect(ok.status).toBe(200);

    const lines = log.auditLines().filter((line) => line['requestId'] === headers['X-Request-Id']);
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        service: 'auth-gateway',
        log: 'audit',
        msg: 'audit',
        operation: 'device.authenticate',
        actor: { kind: 'device', id: victim.deviceId },
        tenantId: victim.tenantId,
        deviceId: victim.deviceId,
        outcome: 'unauthenticated',
        reason: 'ASSERTION_INVALID',
        requestId: headers['X-Request-Id'],
        clientIp: address,
      },
      expect.objectContaining({ actor: { kind: 'anonymous', id: 'anonymous' }, outcome: 'unauthenticated', reason: 'ASSERTION_INVALID', clientIp: address }),
    ]);
    const written = log.text();
    const token = ok.body['access_token'] as string;
    for (const secret of [forged, forged.split('.')[1], forged.split('.')[2], token.split('.')[2]]) expect(written).not.toContain(secret);
  });

  it('audits a refusal by the failure limit as rate_limited', async () => {
    const victim = await registeredDevice();
    const attacker = forwardedFor(uniqueAddress());
    for (let i = 0; i < 4; i++) await attack(victim, attacker);

    const reasons = log
      .auditLines()
      .filter((line) => line['deviceId'] === victim.deviceId)
      .map((line) => [line['outcome'], line['reason']]);
    expect(reasons).toEqual([...Array(3).fill(['unauthenticated', 'ASSERTION_INVALID']), ['rate_limited', 'RATE_LIMITED']]);
  });
});
