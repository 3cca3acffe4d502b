import { DstsError, publicMessage } from './dsts-error';

describe('DstsError', () => {
  it('derives its kind from the code', () => {
    const error = new DstsError('INVALID_REQUEST', 'device_id is required');
    expect(error.kind).toBe('invalid_argument');
    expect(error.expose).toBe(true);
    expect(publicMessage(error)).toBe('device_id is required');
  });

  it('never exposes internal errors or foreign exceptions', () => {
    const internal = new DstsError('INTERNAL', 'pool exhausted at 10.0.0.3', { expose: true });
    expect(internal.expose).toBe(false);
    expect(publicMessage(internal)).toBe('internal error');
    expect(publicMessage(new TypeError('x is undefined'))).toBe('internal error');
  });

  it('keeps the retry hint and the cause', () => {
    const cause = new Error('redis');
    const error = new DstsError('RATE_LIMITED', 'too many requests', { retryAfterSeconds: 7, cause });
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.cause).toBe(cause);
  });
});

describe('overload', () => {
  it('tells callers when to retry when a dependency is unavailable', () => {
    expect(new DstsError('DEPENDENCY_UNAVAILABLE', 'database temporarily unavailable').retryAfterSeconds).toBe(5);
    expect(new DstsError('INVALID_REQUEST', 'x').retryAfterSeconds).toBeUndefined();
  });
});
