import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { createMetrics } from './metrics';

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
