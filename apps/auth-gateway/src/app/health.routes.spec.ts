import { type RunningGateway, startGateway } from '../../test/start-gateway';

/** Starts the app on port 0 with the given Postgres and Redis. */
const start = (databaseUrl: string, redisUrl: string) => startGateway({ databaseUrl, redisUrl, withoutSigningKey: true });

const databaseUrl = process.env['DATABASE_URL'] as string;
const redisUrl = process.env['REDIS_URL'] as string;
const deadPostgres = 'postgresql://postgres@127.0.0.1:1/none';
const deadRedis = 'redis://127.0.0.1:1';

describe('auth-gateway health endpoints', () => {
  let app: RunningGateway;
  beforeAll(async () => {
    app = await start(databaseUrl, redisUrl);
  });
  afterAll(() => app.close());

  it('GET /health answers 200', async () => {
    const res = await fetch(`${app.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready answers 200 when Postgres and Redis answer', async () => {
    const res = await fetch(`${app.baseUrl}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
  });

  it('GET /metrics exposes Prometheus text with request counts', async () => {
    await fetch(`${app.baseUrl}/health`);
    const res = await fetch(`${app.baseUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/dsts_requests_total\{transport="http",method="GET \/health",code="200"/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${app.baseUrl}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 404, message: 'no such endpoint' });
  });

  it('echoes request_id and X-Request-Id, and generates one when absent', async () => {
    const original = await fetch(`${app.baseUrl}/health`, { headers: { request_id: 'abc-123' } });
    expect(original.headers.get('request_id')).toBe('abc-123');
    const standard = await fetch(`${app.baseUrl}/health`, { headers: { 'X-Request-Id': 'xyz.9' } });
    expect(standard.headers.get('x-request-id')).toBe('xyz.9');
    const generated = await fetch(`${app.baseUrl}/health`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('auth-gateway readiness when a dependency is down', () => {
  it('reports 503 naming Redis when Redis is down', async () => {
    const app = await start(databaseUrl, deadRedis);
    try {
      const res = await fetch(`${app.baseUrl}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', checks: { postgres: 'up', redis: 'down' } });
    } finally {
      await app.close();
    }
  });

  it('reports 503 naming Postgres when Postgres is down, and stays live', async () => {
    const app = await start(deadPostgres, redisUrl);
    try {
      const res = await fetch(`${app.baseUrl}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', checks: { postgres: 'down', redis: 'up' } });
      expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
