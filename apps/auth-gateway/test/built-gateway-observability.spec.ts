import { createLifecycleClient } from '@dsts/client';
import { createPrismaClient } from '@dsts/db';
import {
  type BuiltServices,
  createTestCa,
  eventually,
  metricValue,
  type OtlpReceiver,
  type ReceivedSpan,
  signClientAssertion,
  startBuiltServices,
  startOtlpReceiver,
} from '@dsts/testing';
import { authenticateDevice, challengeFor, postDeviceAssertion, registerDevice, uniqueTenant } from './client-flows';

const SPAN_KIND_SERVER = 2;
const TOKEN_PATH = '/api/v1/deviceauth/token';

/**
 * The built bundles (dist/apps/.../main.js) as processes, with tracing switched
 * on by the standard variables and exported over OTLP/HTTP JSON to a receiver
 * in the test: instrumentation hooks module loading, which only a real process
 * running the bundle shows (jest's module registry bypasses it).
 */
describe('built auth-gateway and lifecycle-api: traces, trace ids in logs, metrics', () => {
  let receiver: OtlpReceiver;
  let services: BuiltServices;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    services = await startBuiltServices({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        LOG_LEVEL: 'info',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await services?.stop();
    await receiver?.close();
  });

  const childrenOf = (root: ReceivedSpan) => {
    const spans = receiver.spans().filter((span) => span.traceId === root.traceId);
    const descendants: ReceivedSpan[] = [];
    const visit = (parent: ReceivedSpan) => {
      for (const child of spans.filter((span) => span.parentSpanId === parent.spanId)) {
        descendants.push(child);
        visit(child);
      }
    };
    visit(root);
    return descendants;
  };
  const serverSpan = (service: string, matches: (span: ReceivedSpan) => boolean) =>
    receiver.spans().find((span) => span.service === service && span.kind === SPAN_KIND_SERVER && matches(span));
  const dbSystems = (spans: ReceivedSpan[]) => [...new Set(spans.map((span) => span.attributes['db.system.name']).filter(Boolean))].sort();

  it('traces a device authentication: the token request span has Redis and Postgres child spans, the RPC a Postgres one', async () => {
    const device = await (await createTestCa()).issueDevice({ deviceId: 'traced-1', tenantId: uniqueTenant() });
    const lifecycle = createLifecycleClient(services.grpcAddress, services.tls.credentials(services.tls.admin));
    try {
      await lifecycle.call('createDevice', { tid: device.tenantId, deviceId: device.deviceId, deviceCertificate: device.certificateDer });
    } finally {
      lifecycle.close();
    }
    expect((await authenticateDevice(services.gatewayUrl, device)).status).toBe(200);

    const tokenRequest = await eventually('token request span exported', () => {
      const span = serverSpan('auth-gateway', (s) => s.name === `POST ${TOKEN_PATH}`);
      return span && dbSystems(childrenOf(span)).length === 2 ? span : undefined;
    });
    expect(dbSystems(childrenOf(tokenRequest))).toEqual(['postgresql', 'redis']);

    const createDevice = await eventually('CreateDevice span exported', () => {
      const span = serverSpan('lifecycle-api', (s) => s.name === 'grpc.krypton.dsts.DeviceSTS/CreateDevice');
      return span && dbSystems(childrenOf(span)).includes('postgresql') ? span : undefined;
    });
    expect(createDevice.traceId).not.toBe(tokenRequest.traceId);
  });

  it('puts the request id and the trace id of the request on its log lines', async () => {
    const device = await (await createTestCa()).issueDevice({ deviceId: 'traced-2', tenantId: uniqueTenant() });
    // A token request the gateway refuses (no device with this name) logs "request refused".
    const nonce = await challengeFor(services.gatewayUrl, 'device', device.deviceId);
    const assertion = signClientAssertion({ subject: device.deviceId, nonce, privateKey: device.privateKey, certificateDer: device.certificateDer });
    const refused = await fetch(`${services.gatewayUrl}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Request-Id': 'trace-in-log-1' },
      body: new URLSearchParams({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
    });
    expect(refused.status).toBe(404);

    const line = await eventually('refusal logged', () =>
      services
        .output()
        .split('\n')
        .filter((text) => text.startsWith('{'))
        .map((text) => JSON.parse(text) as Record<string, string>)
        .find((entry) => entry['requestId'] === 'trace-in-log-1' && entry['msg'] === 'request refused'),
    );
    expect(line).toMatchObject({ service: 'auth-gateway', code: 'DEVICE_NOT_FOUND', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const span = await eventually('refused request span exported', () =>
      serverSpan('auth-gateway', (s) => s.traceId === line['traceId'] && s.name === `POST ${TOKEN_PATH}`),
    );
    expect(span.attributes['http.status_code'] ?? span.attributes['http.response.status_code']).toBe(404);
  });

  it('exports no query string values: a secret in the query string reaches no span attribute', async () => {
    const secret = `s3cret-${Date.now()}`;
    const response = await fetch(`${services.gatewayUrl}/api/v1/deviceauth/challenge?device_id=query-1&secret=${secret}`);
    expect(response.status).toBe(200);

    const span = await eventually('challenge request span exported', () =>
      serverSpan('auth-gateway', (s) => s.attributes['url.path'] === '/api/v1/deviceauth/challenge' && String(s.attributes['url.query']).includes('secret=')),
    );
    // Parameter names stay (they tell what was asked), values do not.
    expect(span.attributes['url.query']).toBe('device_id=REDACTED&secret=REDACTED');
    const leaks = receiver
      .spans()
      .flatMap((s) => Object.entries(s.attributes).map(([key, value]) => ({ span: s.name, key, value: String(value) })))
      .filter(({ value }) => value.includes(secret));
    expect(leaks).toEqual([]);
  });

  it('counts tokens issued and denied by reason, device cache reads and database latency', async () => {
    const device = await (await createTestCa()).issueDevice({ deviceId: 'counted-1', tenantId: uniqueTenant() });
    // Straight into the table: CreateDevice would hold the device's cache entry invalidated for 30 s.
    const prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
    await registerDevice(prisma, device).finally(() => prisma.$disconnect());
    const scrape = async () => (await fetch(`${services.gatewayUrl}/metrics`)).text();
    const counts = (text: string) => ({
      issued: metricValue(text, 'dsts_tokens_issued_total', { subject: 'device' }),
      denied: metricValue(text, 'dsts_tokens_denied_total', { subject: 'device', reason: 'CHALLENGE_MISSING' }),
      hits: metricValue(text, 'dsts_device_cache_lookups_total', { result: 'hit' }),
      misses: metricValue(text, 'dsts_device_cache_lookups_total', { result: 'miss' }),
      deviceReads: metricValue(text, 'dsts_db_query_duration_seconds_count', { model: 'Device', operation: 'findUnique', outcome: 'ok' }),
      refusedRequests: metricValue(text, 'dsts_requests_total', { transport: 'http', method: `POST ${TOKEN_PATH}`, code: '401' }),
    });
    const before = counts(await scrape());

    expect((await authenticateDevice(services.gatewayUrl, device)).status).toBe(200);
    const unknownNonce = signClientAssertion({ subject: device.deviceId, nonce: 'never-issued', privateKey: device.privateKey, certificateDer: device.certificateDer });
    expect((await postDeviceAssertion(services.gatewayUrl, unknownNonce)).status).toBe(401);

    const after = counts(await scrape());
    // The first authentication read Postgres and filled the cache; the second was served by it.
    expect({
      issued: after.issued - before.issued,
      denied: after.denied - before.denied,
      hits: after.hits - before.hits,
      misses: after.misses - before.misses,
      deviceReads: after.deviceReads - before.deviceReads,
      refusedRequests: after.refusedRequests - before.refusedRequests,
    }).toEqual({ issued: 1, denied: 1, hits: 1, misses: 1, deviceReads: 1, refusedRequests: 1 });
  });
});
