import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { ConfigError } from '@dsts/config';
import { DstsError } from '@dsts/errors';
import { freePort } from '@dsts/testing';
import { createLogger } from './logger';
import { countTokens, createMetrics, observeDatabaseQuery } from './metrics';
import { serveMetrics } from './metrics-server';
import { runService } from './process-lifecycle';
import { startTracing, tracingRequested } from './tracing';

function captureLines(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l)) };
}

describe('logger', () => {
  it('writes one JSON object per line with service and level names', () => {
    const { stream, lines } = captureLines();
    createLogger({ service: 'auth-gateway', level: 'info', destination: stream }).info({ requestId: 'r1' }, 'hello');

    expect(lines()[0]).toMatchObject({ service: 'auth-gateway', level: 'info', requestId: 'r1', msg: 'hello' });
    // No span is active (tracing is off): no empty trace fields.
    expect(Object.keys(lines()[0] ?? {})).not.toContain('traceId');
  });

  it('redacts assertions, tokens, authorization headers and passwords', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ service: 's', level: 'info', destination: stream });

    logger.info({ body: { client_assertion: 'eyJhbGciOi.secret.sig' }, access_token: 'tok', password: 'pw' });
    logger.info({ req: { headers: { authorization: 'Bearer abc' } } });
    logger.error({ err: Object.assign(new Error('too many parameters'), { body: 'client_assertion=eyJhbGciOi.secret.sig' }) });

    const text = JSON.stringify(lines());
    expect(text).not.toMatch(/eyJhbGciOi|"tok"|"pw"|Bearer abc/);
    expect(text).toContain('[redacted]');
  });
});

describe('metrics', () => {
  it('exposes request metrics and process metrics in Prometheus text format', async () => {
    const metrics = createMetrics('lifecycle-api');
    metrics.requests.inc({ transport: 'grpc', method: 'Ping', code: 'OK' });
    metrics.requestDuration.observe({ transport: 'grpc', method: 'Ping', code: 'OK' }, 0.002);

    const text = await metrics.registry.metrics();

    expect(text).toContain('dsts_requests_total{transport="grpc",method="Ping",code="OK",service="lifecycle-api"} 1');
    expect(text).toContain('dsts_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('token, cache and database metrics', () => {
  it('counts issued tokens, and denied ones by error code (INTERNAL for anything unexpected), passing outcomes through', async () => {
    const metrics = createMetrics('auth-gateway');
    const outcomes: Record<string, () => Promise<string>> = {
      ok: async () => 'token',
      nonce: async () => {
        throw new DstsError('CHALLENGE_MISSING', 'no challenge');
      },
      bug: async () => {
        throw new TypeError('x is undefined');
      },
    };
    const issue = countTokens(metrics, 'device', (name: string) => (outcomes[name] as () => Promise<string>)());

    await expect(issue('ok')).resolves.toBe('token');
    await expect(issue('nonce')).rejects.toMatchObject({ code: 'CHALLENGE_MISSING' });
    await expect(issue('nonce')).rejects.toBeInstanceOf(DstsError);
    await expect(issue('bug')).rejects.toBeInstanceOf(TypeError);

    const text = await metrics.registry.metrics();
    expect(text).toContain('dsts_tokens_issued_total{subject="device",service="auth-gateway"} 1');
    expect(text).toContain('dsts_tokens_denied_total{subject="device",reason="CHALLENGE_MISSING",service="auth-gateway"} 2');
    expect(text).toContain('dsts_tokens_denied_total{subject="device",reason="INTERNAL",service="auth-gateway"} 1');
  });

  it('hands every argument to the wrapped call (the gateway passes the authentication attempt second)', async () => {
    const issue = countTokens(createMetrics('auth-gateway'), 'device', async (input: string, attempt: { claimed: string }) => `${input}:${attempt.claimed}`);
    await expect(issue('assertion', { claimed: 'printer-1' })).resolves.toBe('assertion:printer-1');
  });

  it('records database operations by model (raw for SQL), operation and outcome', async () => {
    const metrics = createMetrics('lifecycle-api');
    const observe = observeDatabaseQuery(metrics);
    observe({ model: 'Device', operation: 'findUnique', seconds: 0.002, failed: false });
    observe({ model: undefined, operation: '$queryRaw', seconds: 0.5, failed: true });

    const text = await metrics.registry.metrics();
    expect(text).toContain('dsts_db_query_duration_seconds_count{service="lifecycle-api",model="Device",operation="findUnique",outcome="ok"} 1');
    expect(text).toContain('dsts_db_query_duration_seconds_bucket{le="0.0025",service="lifecycle-api",model="Device",operation="findUnique",outcome="ok"} 1');
    expect(text).toContain('dsts_db_query_duration_seconds_count{service="lifecycle-api",model="raw",operation="$queryRaw",outcome="error"} 1');
  });
});

describe('serveMetrics', () => {
  it('answers GET /metrics with the registry in Prometheus text and 404 otherwise', async () => {
    const metrics = createMetrics('lifecycle-api');
    metrics.deviceCacheLookups.inc({ result: 'hit' });
    const port = await freePort();
    const server = await serveMetrics(metrics.registry, port, '127.0.0.1');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
      expect(await response.text()).toContain('dsts_device_cache_lookups_total{result="hit",service="lifecycle-api"} 1');
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    try {
      await expect(serveMetrics(createMetrics('x').registry, (taken.address() as AddressInfo).port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });
});

describe('tracing switch', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_SERVICE_NAME: 'dsts' }, false],
  ])('%j → tracing %s', (environment, expected) => {
    expect(tracingRequested(environment)).toBe(expected);
  });

  it('starts nothing when not asked to', () => {
    expect(startTracing('auth-gateway', {})).toBeUndefined();
  });
});

describe('runService', () => {
  /** Runs a `main` that fails; resolves with the exit code and the lines printed. */
  const failedStart = (error: Error) =>
    new Promise<{ code: number; lines: Record<string, unknown>[] }>((resolve) => {
      const { stream, lines } = captureLines();
      runService('some-service', () => Promise.reject(error), { destination: stream, exit: (code) => resolve({ code, lines: lines() }) });
    });

  it('prints a failed start as one JSON log line with the cause, URL passwords masked, and exits 1', async () => {
    const failure = await failedStart(new Error('cannot reach postgresql://dsts:s3cret-pw@db:5432/dsts (ECONNREFUSED)'));

    expect(failure).toEqual({
      code: 1,
      lines: [
        expect.objectContaining({
          level: 'fatal',
          service: 'some-service',
          msg: 'failed to start',
          cause: 'cannot reach postgresql://dsts:***@db:5432/dsts (ECONNREFUSED)',
        }),
      ],
    });
  });

  it('prints a configuration problem with each problem named', async () => {
    const failure = await failedStart(new ConfigError(['DATABASE_URL is required', 'REST_PORT must be a port number (0-65535)']));

    expect(failure.lines).toEqual([
      expect.objectContaining({
        level: 'fatal',
        msg: 'failed to start',
        cause: 'invalid configuration',
        problems: ['DATABASE_URL is required', 'REST_PORT must be a port number (0-65535)'],
      }),
    ]);
  });
});
