import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { createTestCa, verifyWithJwks } from '@dsts/testing';
import { type RunningGateway, startGatewayOnOwnDatabase } from '../../test/start-gateway';
import { authenticateDevice, call, registerDevice, uniqueId, uniqueTenant } from '../../test/client-flows';

/** SIGNING_KEY_ALGORITHM=EdDSA on a database of its own: its first key is the Ed25519 primary. */
describe('auth-gateway with EdDSA signing keys (REST, real Postgres and Redis)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGatewayOnOwnDatabase('dsts_eddsa', { env: { SIGNING_KEY_ALGORITHM: 'EdDSA' } });
  });
  afterAll(() => gateway?.close());

  it('publishes the Ed25519 key in full and issues device tokens that verify with the REST JWKS alone', async () => {
    const ca = await createTestCa();
    const device = await ca.issueDevice({ deviceId: uniqueId('device'), tenantId: uniqueTenant() });
    await registerDevice(gateway.prisma, device);

    const res = await authenticateDevice(gateway.baseUrl, device);
    const jwks = (await call(`${gateway.baseUrl}/.well-known/jwks.json`)).body as { keys: JsonWebKey[] };

    expect(res.status).toBe(200);
    const [jwk, ...others] = jwks.keys;
    expect(others).toEqual([]);
    expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), alg: 'EdDSA', use: 'sig', kid: expect.any(String) });
    const spki = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    expect(jwk['kid']).toBe(createHash('sha256').update(spki).digest('hex'));
    const { header, claims } = verifyWithJwks(res.body['access_token'] as string, jwks);
    expect(header).toEqual({ alg: 'EdDSA', kid: jwk['kid'], typ: 'JWT' });
    expect(claims).toMatchObject({ sub: device.deviceId, typ: 'device', tid: device.tenantId });
  });
});
