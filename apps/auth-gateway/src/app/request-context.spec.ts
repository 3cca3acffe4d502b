import type { AddressInfo } from 'node:net';
import express from 'express';
import { createLogger, createMetrics } from '@dsts/observability';
import { captureLogs } from '@dsts/testing';
import { requestContext } from './request-context';

describe('requestContext', () => {
  it('logs every finished request at debug level: route template, status, duration, request id (never the query string)', async () => {
    const log = captureLogs();
    const app = express();
    app.use(requestContext(createLogger({ service: 'auth-gateway', level: 'debug', destination: log.destination }), createMetrics('auth-gateway')));
    app.get('/api/v1/things/:id', (_req, res) => void res.status(204).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await fetch(`${base}/api/v1/things/42?secret=s3cr3t`, { headers: { 'X-Request-Id': 'req-logged-1' } });
      await fetch(`${base}/nowhere`, { headers: { 'X-Request-Id': 'req-logged-2' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    expect(log.lines().filter((line) => line['msg'] === 'request completed')).toEqual([
      expect.objectContaining({ level: 'debug', requestId: 'req-logged-1', route: 'GET /api/v1/things/:id', status: 204, durationSeconds: expect.any(Number) }),
      expect.objectContaining({ level: 'debug', requestId: 'req-logged-2', route: 'GET unmatched', status: 404, durationSeconds: expect.any(Number) }),
    ]);
    expect(log.text()).not.toContain('s3cr3t');
    expect(log.text()).not.toContain('/things/42');
  });
});
