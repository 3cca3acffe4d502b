import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createDeviceCache, deviceCacheKey } from '@dsts/cache';
import { createDeviceRepository } from '@dsts/db';
import { rsaKeyId } from '@dsts/keys';
import { createTestCa, signClientAssertion, signJws, type TestCa, type TestDevice, verifyWithJwks } from '@dsts/testing';
import { type RunningGateway, startGateway } from '../../test/start-gateway';
import {
  authenticateDevice,
  call,
  certificateFacts,
  challengeFor,
  type JsonResponse,
  postDeviceAssertion,
  postForm,
  registerDevice,
  uniqueId,
  uniqueTenant,
} from '../../test/client-flows';

const now = () => Math.floor(Date.now() / 1000);

/** Never 200, never 500, exact JSON error body, no stack trace. */
function expectError(res: JsonResponse, status: number, message?: string | RegExp) {
  expect({ status: res.status, code: res.body['code'] }).toEqual({ status, code: status });
  if (typeof message === 'string') expect(res.body['message']).toBe(message);
  if (message instanceof RegExp) expect(res.body['message']).toMatch(message);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'message']);
  expect(res.text).not.toMatch(/\bat \S+ \(|\.ts:\d+|node_modules/);
}

describe('device authentication (REST, real Postgres and Redis)', () => {
  let gateway: RunningGateway;
  let ca: TestCa;
  let device: TestDevice;
  const newDevice = async (options: { register?: boolean; managementService?: string } = {}) => {
    const issued = await ca.issueDevice({ deviceId: uniqueId('device'), tenantId: uniqueTenant() });
    if (options.register !== false) await registerDevice(gateway.prisma, issued, options.managementService);
    return issued;
  };
  const jwks = async () => (await call(`${gateway.baseUrl}/api/v1/keys`)).body as { keys: JsonWebKey[] };
  const assertionFor = async (subject: TestDevice, overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {}) =>
    signClientAssertion({
      subject: subject.deviceId,
      nonce: await challengeFor(gateway.baseUrl, 'device', subject.deviceId),
      privateKey: subject.privateKey,
      certificateDer: subject.certificateDer,
      ...overrides,
    });

  beforeAll(async () => {
    gateway = await startGateway();
    ca = await createTestCa();
    device = await newDevice();
  });
  afterAll(() => gateway.close());

  describe('happy path', () => {
    it('issues an RS512 device token that an independent verifier accepts with the JWKS alone', async () => {
      const res = await authenticateDevice(gateway.baseUrl, device);

      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_at']);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const keys = await jwks();
      const { header, claims } = verifyWithJwks(res.body['access_token'] as string, keys);
      expect(header).toEqual({ alg: 'RS512', kid: expect.stringMatching(/^[0-9a-f]{64}$/), typ: 'JWT' });
      expect(keys.keys.map((k) => k['kid'])).toContain(header['kid']);
      expect(claims).toEqual({
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        iss: 'HP Device Token Service',
        sub: device.deviceId,
        iat: expect.any(Number),
        nbf: claims['iat'],
        exp: (claims['iat'] as number) + 3_600,
        typ: 'device',
        tid: device.tenantId,
      });
      expect(res.body['expires_at']).toBe(new Date((claims['exp'] as number) * 1000).toISOString());
    });

    it('puts the management service into ms for managed devices', async () => {
      const managed = await newDevice({ managementService: 'hpconnect' });
      const res = await authenticateDevice(gateway.baseUrl, managed);

      expect(verifyWithJwks(res.body['access_token'] as string, await jwks()).claims).toMatchObject({ ms: 'hpconnect', tid: managed.tenantId });
    });

    it('accepts the plain form content type as well as one with a charset parameter', async () => {
      const res = await postForm(
        `${gateway.baseUrl}/api/v1/deviceauth/token`,
        { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertionFor(device) },
        'application/x-www-form-urlencoded',
      );
      expect(res.status).toBe(200);
    });

    it('answers a challenge for any device id, CSPRNG-sized, valid 60 s', async () => {
      const before = Date.now();
      const res = await call(`${gateway.baseUrl}/api/v1/deviceauth/challenge?device_id=nobody-${before}`);

      expect(res.status).toBe(200);
      expect(Buffer.from(res.body['challenge'] as string, 'base64url').length).toBeGreaterThanOrEqual(16);
      const expiresAt = Date.parse(res.body['expires_at'] as string);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 59_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    });
  });

  describe('every failure row of SPEC §3', () => {
    it('400: missing device_id, wrong assertion type, empty assertion, invalid certificate', async () => {
      expectError(await call(`${gateway.baseUrl}/api/v1/deviceauth/challenge`), 400, 'device_id is required');
      expectError(await postDeviceAssertion(gateway.baseUrl, await assertionFor(device), 'urn:other'), 400, /client_assertion_type/);
      expectError(await postDeviceAssertion(gateway.baseUrl, ''), 400, 'client_assertion is required');
      const expired = await ca.issueDevice({
        deviceId: uniqueId('old'),
        tenantId: uniqueTenant(),
        notBefore: new Date(Date.now() - 86_400_000 * 2),
        notAfter: new Date(Date.now() - 86_400_000),
      });
      expectError(await postDeviceAssertion(gateway.baseUrl, await assertionFor(expired)), 400, /certificate has expired/);
    });

    // Regression: a NUL in a name reached Postgres before any signature check and answered 500.
    it('400, never 500, for control characters in the device id or in the certificate names', async () => {
      expectError(await call(`${gateway.baseUrl}/api/v1/deviceauth/challenge?device_id=%00%0a`), 400, /control characters/);
      // No challenge can be asked for such an id; the certificate is refused before the nonce matters.
      const unchallenged = (subject: TestDevice) =>
        signClientAssertion({ subject: subject.deviceId, nonce: 'n', privateKey: subject.privateKey, certificateDer: subject.certificateDer });
      const nulCn = await ca.issueDevice({ deviceId: 'dev1\u0000x', tenantId: uniqueTenant() });
      expectError(await postDeviceAssertion(gateway.baseUrl, unchallenged(nulCn)), 400, /common name contains control characters/);
      const nulO = await ca.issueDevice({ deviceId: uniqueId('nul-o'), tenantId: 'tenant\u0000' });
      expectError(await postDeviceAssertion(gateway.baseUrl, unchallenged(nulO)), 400, /organization contains control characters/);
    });

    it('401: expired assertion', async () => {
      const assertion = await assertionFor(device, { claims: { iat: now() - 900, nbf: now() - 900, exp: now() - 300 } });
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, 'presented client assertion is expired');
    });

    it('401: assertion not yet valid', async () => {
      const assertion = await assertionFor(device, { claims: { nbf: now() + 600, exp: now() + 1200 } });
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, /not yet valid/);
    });

    it('401: disabled or lost device is blocked', async () => {
      const repository = createDeviceRepository(gateway.prisma);
      const disabled = await newDevice();
      await repository.update(disabled.tenantId as string, disabled.deviceId, { isEnabled: false });
      const lost = await newDevice();
      await repository.update(lost.tenantId as string, lost.deviceId, { isLost: true });

      expectError(await authenticateDevice(gateway.baseUrl, disabled), 401, 'device authentication is blocked');
      expectError(await authenticateDevice(gateway.baseUrl, lost), 401, 'device authentication is blocked');
    });

    it('401: a valid certificate that is not the registered one', async () => {
      const impostor = await ca.issueDevice({ deviceId: device.deviceId, tenantId: device.tenantId });
      expectError(await authenticateDevice(gateway.baseUrl, device, impostor), 401, 'invalid device certificate');
    });

    it('401: wrong nonce', async () => {
      await challengeFor(gateway.baseUrl, 'device', device.deviceId);
      const assertion = signClientAssertion({ subject: device.deviceId, nonce: 'not-the-challenge', privateKey: device.privateKey, certificateDer: device.certificateDer });
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, 'nonce matches no outstanding challenge: request a new one');
    });

    it('401: no challenge was requested', async () => {
      const fresh = await newDevice();
      const assertion = signClientAssertion({ subject: fresh.deviceId, nonce: 'made-up', privateKey: fresh.privateKey, certificateDer: fresh.certificateDer });
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, /matches no outstanding challenge/);
    });

    it('401: signature by another key', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const assertion = signClientAssertion({
        subject: device.deviceId,
        nonce: await challengeFor(gateway.baseUrl, 'device', device.deviceId),
        privateKey: other,
        certificateDer: device.certificateDer,
      });
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, /signature verification failed/);
    });

    it('401: sub or iss other than the certificate CN', async () => {
      expectError(await postDeviceAssertion(gateway.baseUrl, await assertionFor(device, { claims: { sub: 'someone-else' } })), 401, /iss and sub/);
      expectError(await postDeviceAssertion(gateway.baseUrl, await assertionFor(device, { claims: { iss: 'someone-else' } })), 401, /iss and sub/);
    });

    it('404: unknown device; 410: deleted device', async () => {
      const unknown = await newDevice({ register: false });
      expectError(await authenticateDevice(gateway.baseUrl, unknown), 404, 'device not found');

      const deleted = await newDevice();
      await createDeviceRepository(gateway.prisma).delete(deleted.tenantId as string, deleted.deviceId);
      expectError(await authenticateDevice(gateway.baseUrl, deleted), 410, 'device has been deleted');
    });

    it('415: any other content type', async () => {
      const fields = { client_assertion_type: 'x', client_assertion: 'y' };
      expectError(await postForm(`${gateway.baseUrl}/api/v1/deviceauth/token`, fields, 'application/json'), 415);
      expectError(await postForm(`${gateway.baseUrl}/api/v1/deviceauth/token`, fields, 'text/plain'), 415);
      expectError(await call(`${gateway.baseUrl}/api/v1/deviceauth/token`, { method: 'POST' }), 415);
    });

    it('413: body above the limit', async () => {
      const res = await postForm(`${gateway.baseUrl}/api/v1/deviceauth/token`, { client_assertion: 'x'.repeat(70 * 1024) });
      expectError(res, 413, 'request body too large');
    });

    it('429 with Retry-After when a client exceeds the rate limit', async () => {
      const limited = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '2', REDIS_KEY_PREFIX: `${process.env['REDIS_KEY_PREFIX']}rl:` } });
      try {
        const url = `${limited.baseUrl}/api/v1/deviceauth/challenge?device_id=d`;
        expect((await call(url)).status).toBe(200);
        expect((await call(url)).status).toBe(200);
        const refused = await call(url);
        expectError(refused, 429, 'too many requests, retry later');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      } finally {
        await limited.close();
      }
    });

    it('429 when the database is unreachable (overload), never 500', async () => {
      const degraded = await startGateway({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', withoutSigningKey: true });
      try {
        const refused = await authenticateDevice(degraded.baseUrl, device);
        expectError(refused, 429, /database temporarily unavailable/);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      } finally {
        await degraded.close();
      }
    });
  });

  describe('algorithm allow-list', () => {
    const publicPem = () => Buffer.from(device.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const publicDer = () => device.publicKey.export({ type: 'spki', format: 'der' });
    const claimsWith = async () => ({
      iss: device.deviceId,
      sub: device.deviceId,
      nonce: await challengeFor(gateway.baseUrl, 'device', device.deviceId),
      exp: now() + 600,
      nbf: now(),
      iat: now(),
      jti: uniqueId('jti'),
    });
    const header = (alg: string) => ({ alg, typ: 'JWT', x5c: [device.certificateDer.toString('base64')] });

    it.each([
      ['none', () => Buffer.alloc(0)],
      ['HS256', publicPem],
      ['HS384', publicPem],
      ['HS512', publicPem],
      ['HS256', publicDer],
      ['HS512', publicDer],
    ])('refuses alg %s (HMAC keyed with the certificate public key)', async (alg, secret) => {
      const assertion = signJws(header(alg), await claimsWith(), secret());
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, 'invalid client assertion: algorithm not allowed');
    });

    it.each(['RS256', 'PS512'])('refuses %s, correctly signed but outside the allow-list', async (alg) => {
      const assertion = signJws(header(alg), await claimsWith(), device.privateKey);
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, 'invalid client assertion: algorithm not allowed');
    });

    it('refuses garbage and an x5c in base64url instead of standard base64', async () => {
      expectError(await postDeviceAssertion(gateway.baseUrl, 'not.a.jwt'), 401, /not a signed JWT|malformed/);
      const urlSafe = signJws({ alg: 'RS512', x5c: [device.certificateDer.toString('base64url')] }, await claimsWith(), device.privateKey);
      // DER of an RSA certificate always contains bytes that base64url spells differently.
      expect(device.certificateDer.toString('base64url')).not.toBe(device.certificateDer.toString('base64').replace(/=+$/, ''));
      expectError(await postDeviceAssertion(gateway.baseUrl, urlSafe), 401, /standard base64/);
    });
  });

  describe('challenges', () => {
    it('refuses a replayed assertion', async () => {
      const assertion = await assertionFor(device);
      expect((await postDeviceAssertion(gateway.baseUrl, assertion)).status).toBe(200);
      expectError(await postDeviceAssertion(gateway.baseUrl, assertion), 401, /matches no outstanding challenge/);
    });

    // Regression: one challenge per device id, replaced by every request, let
    // anyone who knew the id keep the device from authenticating.
    it('keeps a device able to authenticate while others request challenges for its id', async () => {
      const nonce = await challengeFor(gateway.baseUrl, 'device', device.deviceId);
      for (let i = 0; i < 5; i++) await challengeFor(gateway.baseUrl, 'device', device.deviceId);
      const assertion = signClientAssertion({ subject: device.deviceId, nonce, privateKey: device.privateKey, certificateDer: device.certificateDer });

      expect((await postDeviceAssertion(gateway.baseUrl, assertion)).status).toBe(200);
    });

    it('lets two concurrent uses of one challenge yield exactly one token', async () => {
      const nonce = await challengeFor(gateway.baseUrl, 'device', device.deviceId);
      const assertions = Array.from({ length: 4 }, () =>
        signClientAssertion({ subject: device.deviceId, nonce, privateKey: device.privateKey, certificateDer: device.certificateDer }),
      );

      const results = await Promise.all(assertions.map((a) => postDeviceAssertion(gateway.baseUrl, a)));

      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
    });
  });

  describe('certificate rollover', () => {
    it('accepts the previous certificate until the new one has been used once, then refuses it', async () => {
      const old = await newDevice();
      const renewed = await ca.issueDevice({ deviceId: old.deviceId, tenantId: old.tenantId });
      const repository = createDeviceRepository(gateway.prisma);
      await repository.update(old.tenantId as string, old.deviceId, { certificate: certificateFacts(renewed) });

      expect((await authenticateDevice(gateway.baseUrl, old)).status).toBe(200);
      expect((await authenticateDevice(gateway.baseUrl, old)).status).toBe(200);
      expect((await authenticateDevice(gateway.baseUrl, renewed)).status).toBe(200);

      expectError(await authenticateDevice(gateway.baseUrl, old), 401, 'invalid device certificate');
      expect((await repository.find(old.tenantId as string, old.deviceId))?.previousCertificateThumbprint).toBeNull();
      expect((await authenticateDevice(gateway.baseUrl, renewed)).status).toBe(200);
    });

    it('does not end the rollover when the new certificate comes with a bad signature or a wrong nonce', async () => {
      const old = await newDevice();
      const renewed = await ca.issueDevice({ deviceId: old.deviceId, tenantId: old.tenantId });
      const repository = createDeviceRepository(gateway.prisma);
      await repository.update(old.tenantId as string, old.deviceId, { certificate: certificateFacts(renewed) });
      const forged = { ...renewed, privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };

      expectError(await authenticateDevice(gateway.baseUrl, old, forged), 401, /signature/);
      await challengeFor(gateway.baseUrl, 'device', old.deviceId);
      const wrongNonce = signClientAssertion({ subject: old.deviceId, nonce: 'x', privateKey: renewed.privateKey, certificateDer: renewed.certificateDer });
      expectError(await postDeviceAssertion(gateway.baseUrl, wrongNonce), 401, /nonce/);

      expect((await repository.find(old.tenantId as string, old.deviceId))?.previousCertificateThumbprint).not.toBeNull();
      expect((await authenticateDevice(gateway.baseUrl, old)).status).toBe(200);
    });
  });

  describe('device cache', () => {
    it('serves the device from Redis under the tenant-scoped key until the lifecycle API invalidates it', async () => {
      const cached = await newDevice();
      expect((await authenticateDevice(gateway.baseUrl, cached)).status).toBe(200);
      expect(await gateway.cache.get(deviceCacheKey(cached.tenantId as string, cached.deviceId))).toContain(cached.deviceId);

      // Changed behind the cache's back: the cached record still answers...
      await gateway.prisma.device.update({
        where: { tenantId_deviceId: { tenantId: cached.tenantId as string, deviceId: cached.deviceId } },
        data: { isEnabled: false },
      });
      expect((await authenticateDevice(gateway.baseUrl, cached)).status).toBe(200);

      // ...until invalidated with the key the lifecycle API uses.
      await createDeviceCache(gateway.cache, 60).invalidate(cached.tenantId as string, cached.deviceId);
      expectError(await authenticateDevice(gateway.baseUrl, cached), 401, 'device authentication is blocked');
    });
  });

  describe('JWKS', () => {
    it('serves the same keys at /api/v1/keys and /.well-known/jwks.json with caching headers', async () => {
      const original = await call(`${gateway.baseUrl}/api/v1/keys`);
      const wellKnown = await call(`${gateway.baseUrl}/.well-known/jwks.json`);

      expect(original.status).toBe(200);
      expect(wellKnown.body).toEqual(original.body);
      expect(original.headers.get('cache-control')).toBe('public, max-age=300');
      const etag = original.headers.get('etag') as string;
      expect(etag).toBeTruthy();
      // fetch adds `Cache-Control: no-cache` to conditional requests unless one is given.
      const conditional = { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' };
      expect((await fetch(`${gateway.baseUrl}/api/v1/keys`, { headers: conditional })).status).toBe(304);

      const [jwk] = (original.body as { keys: Record<string, string>[] }).keys;
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS512', use: 'sig', e: 'AQAB' });
      expect(jwk['n']).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(jwk['n'], 'base64url')[0]).not.toBe(0);
      expect(jwk['kid']).toBe(rsaKeyId(createPublicKey({ key: jwk, format: 'jwk' })));
      expect(jwk['kid']).toBe(
        createHash('sha256').update(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs1', format: 'der' })).digest('hex'),
      );
    });
  });

  describe('HTTP conventions', () => {
    it('answers unknown routes with JSON 404 and echoes the request id on errors too', async () => {
      const res = await call(`${gateway.baseUrl}/api/v1/nope`, { headers: { 'X-Request-Id': 'req-42' } });
      expectError(res, 404, 'no such endpoint');
      expect(res.headers.get('x-request-id')).toBe('req-42');

      const refused = await call(`${gateway.baseUrl}/api/v1/deviceauth/challenge`, { headers: { request_id: 'orig-7' } });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('request_id')).toBe('orig-7');
    });

    it('publishes an OpenAPI document of the endpoints', async () => {
      const res = await call(`${gateway.baseUrl}/api/v1/openapi.json`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body['paths'] as object)).toEqual(
        expect.arrayContaining(['/api/v1/keys', '/api/v1/deviceauth/challenge', '/api/v1/deviceauth/token', '/api/v1/appauth/token']),
      );
    });
  });
});
