import { metricValue } from '@dsts/testing';
import { call } from '../../test/client-flows';
import { type GatewayOnOwnDatabase, type RunningGateway, startGateway, startGatewayOnOwnDatabase } from '../../test/start-gateway';

const JWKS_PATHS = ['/api/v1/keys', '/.well-known/jwks.json'];

/** A gateway on a database of its own, which the test takes away (no mocks: refused and terminated connections). */
describe('JWKS while the database is unavailable', () => {
  let gateway: GatewayOnOwnDatabase;

  beforeAll(async () => {
    // Keys re-read on every use: the JWKS then needs the database unless it serves what it has.
    gateway = await startGatewayOnOwnDatabase('dsts_jwks', { env: { SIGNING_KEY_REFRESH_SECONDS: '0' } });
  });
  afterAll(() => gateway?.close());

  it('serves the public keys it holds at both paths, and the same keys once the database is back', async () => {
    const before = await call(`${gateway.baseUrl}/api/v1/keys`);
    expect(before.status).toBe(200);
    expect((before.body['keys'] as unknown[]).length).toBeGreaterThan(0);

    await gateway.database.setConnectable(false);
    try {
      for (const path of JWKS_PATHS) {
        const during = await call(`${gateway.baseUrl}${path}`);
        expect({ path, status: during.status, body: during.body }).toEqual({ path, status: 200, body: before.body });
      }
      expect((await call(`${gateway.baseUrl}/ready`)).status).toBe(503);
    } finally {
      await gateway.database.setConnectable(true);
    }
    expect((await call(`${gateway.baseUrl}/.well-known/jwks.json`)).body).toEqual(before.body);
  });
});

describe('JWKS request metrics', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway?.close());

  it('counts each JWKS path under its own route label', async () => {
    for (const path of JWKS_PATHS) expect((await call(`${gateway.baseUrl}${path}`)).status).toBe(200);
    await call(`${gateway.baseUrl}/.well-known/jwks.json`);

    const text = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    const requests = (path: string) => metricValue(text, 'dsts_requests_total', { transport: 'http', method: `GET ${path}`, code: '200' });
    expect({ keys: requests('/api/v1/keys'), wellKnown: requests('/.well-known/jwks.json') }).toEqual({ keys: 1, wellKnown: 2 });
    expect(text).not.toMatch(/method="[^"]*,[^"]*"/);
  });
});
