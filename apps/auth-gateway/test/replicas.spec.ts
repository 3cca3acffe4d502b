import { generateKeyPairSync } from 'node:crypto';
import { createPrismaClient, type PrismaClient } from '@dsts/db';
import { type BuiltGateways, createTestCa, signClientAssertion, startBuiltGateways, type TestCa, type TestDevice } from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { authenticateDevice, call, challengeFor, forwardedFor, postDeviceAssertion, registerDevice, uniqueAddress, uniqueId, uniqueTenant } from './client-flows';

/**
 * Two auth-gateway processes (the built app, as deployed) on one Redis and one
 * database, behind a "proxy" on loopback that names each client in
 * X-Forwarded-For: every limit is shared by the replicas, so a client cannot
 * double its budget by spreading requests over them.
 */
describe('rate limits across two auth-gateway processes sharing Redis', () => {
  let gateways: BuiltGateways;
  let prisma: PrismaClient;
  let ca: TestCa;
  /** Requests alternate between the replicas. */
  const replica = (i: number) => gateways.urls[i % 2];

  beforeAll(async () => {
    [gateways, ca] = await Promise.all([
      startBuiltGateways(2, { TRUST_PROXY: 'loopback', RATE_LIMIT_PER_MINUTE: '8', RATE_LIMIT_FAILURES_PER_MINUTE: '3' }),
      createTestCa(),
    ]);
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
  }, 60_000);
  afterAll(async () => {
    await gateways?.stop();
    await prisma?.$disconnect();
  });

  const expectTooManyRequests = (res: { status: number; headers: Headers; body: unknown }) => {
    expect({ status: res.status, body: res.body }).toEqual({ status: 429, body: { code: 429, message: 'too many requests, retry later' } });
    expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  };
  const registeredDevice = async () => {
    const device = await ca.issueDevice({ deviceId: uniqueId('device'), tenantId: uniqueTenant() });
    await registerDevice(prisma, device);
    return device;
  };

  it('counts one client address over both replicas', async () => {
    const client = forwardedFor(uniqueAddress());
    for (let i = 0; i < 8; i++) {
      expect((await call(`${replica(i)}/api/v1/deviceauth/challenge?device_id=d`, { headers: client })).status).toBe(200);
    }
    expectTooManyRequests(await call(`${replica(0)}/api/v1/deviceauth/challenge?device_id=d`, { headers: client }));
    expectTooManyRequests(await call(`${replica(1)}/api/v1/appauth/challenge?app_id=a`, { headers: client }));
    expect((await call(`${replica(0)}/api/v1/deviceauth/challenge?device_id=d`, { headers: forwardedFor(uniqueAddress()) })).status).toBe(200);
  });

  it('shares the failure budget of an attacked device, which still authenticates from elsewhere, as does any other device', async () => {
    const [victim, bystander] = [await registeredDevice(), await registeredDevice()];
    const attacker = forwardedFor(uniqueAddress());
    const forged = async (i: number, device: TestDevice) =>
      postDeviceAssertion(
        replica(i),
        signClientAssertion({
          subject: device.deviceId,
          nonce: await challengeFor(replica(i), 'device', device.deviceId, attacker),
          privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
          certificateDer: device.certificateDer,
        }),
        JWT_BEARER_ASSERTION_TYPE,
        attacker,
      );

    for (let i = 0; i < 3; i++) expect((await forged(i, victim)).status).toBe(401);
    expectTooManyRequests(await forged(3, victim));

    expect((await authenticateDevice(replica(0), victim, victim, forwardedFor(uniqueAddress()))).status).toBe(200);
    expect((await authenticateDevice(replica(1), victim, victim, forwardedFor(uniqueAddress()))).status).toBe(200);
    expect((await authenticateDevice(replica(1), bystander, bystander, forwardedFor(uniqueAddress()))).status).toBe(200);
  });
});
