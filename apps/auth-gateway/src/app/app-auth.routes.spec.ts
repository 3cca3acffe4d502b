import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { Writable } from 'node:stream';
import { createTestApp, createTestCa, signClientAssertion, type TestApp, verifyWithJwks, writeAppsFile } from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { type RunningGateway, startGateway } from '../../test/start-gateway';
import { authenticateDevice, call, challengeFor, postForm, registerDevice, uniqueId, uniqueTenant } from '../../test/client-flows';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('app authentication (REST, real Postgres and Redis)', () => {
  let gateway: RunningGateway;
  const reporting = createTestApp(uniqueId('reporting'));
  const retired = createTestApp(uniqueId('retired'), false);

  const postAppToken = (appId: string, assertion: string, assertionType = JWT_BEARER_ASSERTION_TYPE) =>
    postForm(`${gateway.baseUrl}/api/v1/appauth/token`, { app_id: appId, client_assertion_type: assertionType, client_assertion: assertion });
  const assertionFor = async (app: Pick<TestApp, 'id' | 'privateKey'>, nonce?: string) =>
    signClientAssertion({ subject: app.id, nonce: nonce ?? (await challengeFor(gateway.baseUrl, 'app', app.id)), privateKey: app.privateKey });

  beforeAll(async () => {
    // Started like main.ts: the apps file is read and upserted.
    gateway = await startGateway({ env: { APPS_FILE: writeAppsFile([reporting, retired]) } });
  });
  afterAll(() => gateway.close());

  it('issues a three-hour app token that verifies with the JWKS alone', async () => {
    const res = await postAppToken(reporting.id, await assertionFor(reporting));

    expect(res.status).toBe(200);
    const jwks = (await call(`${gateway.baseUrl}/.well-known/jwks.json`)).body as { keys: JsonWebKey[] };
    const { header, claims } = verifyWithJwks(res.body['access_token'] as string, jwks);
    expect(header['alg']).toBe('RS512');
    expect(claims).toEqual({
      jti: expect.any(String),
      iss: 'HP Device Token Service',
      sub: reporting.id,
      iat: expect.any(Number),
      nbf: claims['iat'],
      exp: (claims['iat'] as number) + 10_800,
      typ: 'app',
    });
  });

  it('401 for a disabled app, an unknown app, a wrong nonce (the original answered 200), a missing challenge, a bad signature', async () => {
    const expect401 = async (appId: string, assertion: string, message: string) => {
      const res = await postAppToken(appId, assertion);
      expect({ appId, status: res.status, body: res.body }).toEqual({ appId, status: 401, body: { code: 401, message } });
    };
    await expect401(retired.id, await assertionFor(retired), 'app authentication is disabled');
    await expect401('no-such-app', await assertionFor(createTestApp('no-such-app')), 'invalid client assertion: signature verification failed');
    await challengeFor(gateway.baseUrl, 'app', reporting.id);
    await expect401(reporting.id, await assertionFor(reporting, 'wrong-nonce'), 'nonce matches no outstanding challenge: request a new one');
    await expect401(reporting.id, await assertionFor(reporting, 'never-issued'), 'nonce matches no outstanding challenge: request a new one');
    await expect401(reporting.id, await assertionFor({ id: reporting.id, privateKey: rsa().privateKey }), 'invalid client assertion: signature verification failed');
  });

  // Regression: unknown, disabled and existing apps answered three different
  // messages before any signature check, so app ids could be enumerated.
  it('tells nothing about an app id to a caller without its key', async () => {
    const stranger = { id: reporting.id, privateKey: rsa().privateKey };
    const wrongKeyForDisabled = { id: retired.id, privateKey: rsa().privateKey };
    const unknown = createTestApp(uniqueId('unknown'));
    const answers = await Promise.all(
      [stranger, wrongKeyForDisabled, unknown].map(async (app) => (await postAppToken(app.id, await assertionFor(app))).body),
    );

    expect(new Set(answers.map((body) => JSON.stringify(body)))).toEqual(
      new Set([JSON.stringify({ code: 401, message: 'invalid client assertion: signature verification failed' })]),
    );

    // Regression: a `crit` header was refused as malformed only for registered ids.
    const withCrit = await Promise.all(
      [reporting, unknown].map(async (app) => {
        const nonce = await challengeFor(gateway.baseUrl, 'app', app.id);
        const assertion = signClientAssertion({ subject: app.id, nonce, privateKey: rsa().privateKey, header: { crit: ['exp'] } });
        return JSON.stringify((await postAppToken(app.id, assertion)).body);
      }),
    );
    expect(new Set(withCrit).size).toBe(1);
  });

  it('400, never 500, for control characters in app_id', async () => {
    expect((await postAppToken('x\u0000', await assertionFor(reporting))).body).toEqual({
      code: 400,
      message: 'app_id must be valid UTF-8 text without control characters',
    });
  });

  it('401 when the assertion names another app than app_id', async () => {
    const res = await postAppToken(reporting.id, signClientAssertion({
      subject: retired.id,
      nonce: await challengeFor(gateway.baseUrl, 'app', reporting.id),
      privateKey: reporting.privateKey,
    }));
    expect(res.body).toEqual({ code: 401, message: 'invalid client assertion: iss and sub must name the authenticating client' });
  });

  it('400 for a missing app_id or assertion type, 415 for JSON', async () => {
    expect((await call(`${gateway.baseUrl}/api/v1/appauth/challenge`)).body).toEqual({ code: 400, message: 'app_id is required' });
    expect((await postAppToken('', 'x')).body).toEqual({ code: 400, message: 'app_id is required' });
    expect((await postAppToken(reporting.id, 'x', 'urn:other')).status).toBe(400);
    expect((await postForm(`${gateway.baseUrl}/api/v1/appauth/token`, { app_id: reporting.id }, 'application/json')).status).toBe(415);
  });

  it('refuses a replayed app assertion', async () => {
    const assertion = await assertionFor(reporting);
    expect((await postAppToken(reporting.id, assertion)).status).toBe(200);
    expect((await postAppToken(reporting.id, assertion)).body).toEqual({ code: 401, message: 'nonce matches no outstanding challenge: request a new one' });
  });
});

/** A log destination whose lines the test can read back. */
function captureLogs(): { chunks: string[]; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { chunks, destination };
}

describe('logs', () => {
  it('never contain assertions, tokens, challenges or key material', async () => {
    const { chunks, destination } = captureLogs();
    const gateway = await startGateway({ logDestination: destination });
    try {
      const ca = await createTestCa();
      const device = await ca.issueDevice({ deviceId: uniqueId('logged'), tenantId: uniqueTenant() });
      await registerDevice(gateway.prisma, device);
      const ok = await authenticateDevice(gateway.baseUrl, device);
      const nonce = await challengeFor(gateway.baseUrl, 'device', device.deviceId);
      const bad = signClientAssertion({ subject: device.deviceId, nonce, privateKey: rsa().privateKey, certificateDer: device.certificateDer });
      const refused = await postForm(`${gateway.baseUrl}/api/v1/deviceauth/token`, { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: bad });
      expect([ok.status, refused.status]).toEqual([200, 401]);

      const logs = chunks.join('');
      expect(logs).toContain('"code":"ASSERTION_INVALID"');
      const token = ok.body['access_token'] as string;
      for (const secret of [token, token.split('.')[2], bad, bad.split('.')[2], nonce, gateway.config.signingKeys.encryptionKey as string]) {
        expect(logs).not.toContain(secret);
      }
      expect(logs).not.toMatch(/PRIVATE KEY|"d":"/);
    } finally {
      await gateway.close();
    }
  });

  // Regression: a body with more parameters than the parser allows became a
  // 500 whose log line carried the raw body (a live assertion), and the
  // challenge stayed redeemable.
  it('answer too many form parameters with 413 and keep the body out of the log', async () => {
    const { chunks, destination } = captureLogs();
    const gateway = await startGateway({ logDestination: destination });
    try {
      const ca = await createTestCa();
      const device = await ca.issueDevice({ deviceId: uniqueId('padded'), tenantId: uniqueTenant() });
      await registerDevice(gateway.prisma, device);
      const nonce = await challengeFor(gateway.baseUrl, 'device', device.deviceId);
      const assertion = signClientAssertion({ subject: device.deviceId, nonce, privateKey: device.privateKey, certificateDer: device.certificateDer });
      const padding = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`p${i}`, '1']));

      const res = await postForm(`${gateway.baseUrl}/api/v1/deviceauth/token`, {
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: assertion,
        ...padding,
      });

      expect({ status: res.status, body: res.body }).toEqual({ status: 413, body: { code: 413, message: 'too many form parameters' } });
      expect(chunks.join('')).not.toContain(assertion.split('.')[2]);
    } finally {
      await gateway.close();
    }
  });
});
