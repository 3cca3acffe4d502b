import { PassThrough } from 'node:stream';
import { DstsError } from '@dsts/errors';
import { createAuditLog, failureOutcome } from './audit-log';
import { createLogger } from './logger';

function auditLines(level: string) {
  const destination = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line))));
  const audit = createAuditLog(createLogger({ service: 'lifecycle-api', level, destination }));
  return { audit, lines };
}

const entry = {
  operation: 'DeleteDevice',
  actor: { kind: 'certificate', id: 'CN=admin' },
  tenantId: 'acme',
  deviceId: 'printer-1',
  outcome: 'not_found',
  reason: 'DEVICE_NOT_FOUND',
  requestId: 'req-9',
} as const;

describe('audit log', () => {
  it('writes one JSON line per entry, marked log=audit, with the service and a timestamp', () => {
    const { audit, lines } = auditLines('info');
    audit.record(entry);

    expect(lines).toEqual([
      { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), service: 'lifecycle-api', log: 'audit', msg: 'audit', ...entry },
    ]);
  });

  it('is written whatever the log level, except silent', () => {
    const quiet = auditLines('error');
    quiet.audit.record(entry);
    expect(quiet.lines).toHaveLength(1);

    const silent = auditLines('silent');
    silent.audit.record(entry);
    expect(silent.lines).toHaveLength(0);
  });

  it('records a failure by its kind, and by its refusal reason where it has one, else its code', () => {
    expect(failureOutcome(new DstsError('DEVICE_NOT_FOUND', 'device not found'))).toEqual({ outcome: 'not_found', reason: 'DEVICE_NOT_FOUND' });
    expect(failureOutcome(new DstsError('CALLER_UNAUTHENTICATED', 'authentication required', { reason: 'ACCESS_TOKEN_EXPIRED' }))).toEqual({
      outcome: 'unauthenticated',
      reason: 'ACCESS_TOKEN_EXPIRED',
    });
    expect(failureOutcome(new Error('boom'))).toEqual({ outcome: 'internal', reason: 'INTERNAL' });
  });
});
