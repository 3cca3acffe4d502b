import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { isDstsError } from '@dsts/errors';

/** Who asked for a token. */
export type TokenSubject = 'device' | 'app';

export interface ServiceMetrics {
  registry: Registry;
  /** Requests by transport (`http`/`grpc`), route or RPC method, and outcome code. */
  requests: Counter<'transport' | 'method' | 'code'>;
  requestDuration: Histogram<'transport' | 'method' | 'code'>;
  /** Access tokens issued, by subject. */
  tokensIssued: Counter<'subject'>;
  /** Token requests refused, by subject and reason (a DstsError code, so a closed set). */
  tokensDenied: Counter<'subject' | 'reason'>;
  /** Device cache reads, by result (`hit`/`miss`). */
  deviceCacheLookups: Counter<'result'>;
  /** Database operations by Prisma model (`raw` for SQL), operation and outcome (`ok`/`error`). */
  databaseDuration: Histogram<'model' | 'operation' | 'outcome'>;
}

/** One registry per app, with Node process metrics and the service metrics. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const labelNames = ['transport', 'method', 'code'] as const;
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'dsts_requests_total',
      help: 'Requests handled, by transport, route or RPC method, and outcome code.',
      labelNames,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'dsts_request_duration_seconds',
      help: 'Request latency in seconds, by transport, route or RPC method, and outcome code.',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    tokensIssued: new Counter({
      name: 'dsts_tokens_issued_total',
      help: 'Access tokens issued, by subject (device or app).',
      labelNames: ['subject'],
      registers,
    }),
    tokensDenied: new Counter({
      name: 'dsts_tokens_denied_total',
      help: 'Token requests refused, by subject (device or app) and reason (error code).',
      labelNames: ['subject', 'reason'],
      registers,
    }),
    deviceCacheLookups: new Counter({
      name: 'dsts_device_cache_lookups_total',
      help: 'Device cache reads, by result (hit or miss).',
      labelNames: ['result'],
      registers,
    }),
    databaseDuration: new Histogram({
      name: 'dsts_db_query_duration_seconds',
      help: 'Database operation latency in seconds, by Prisma model (raw for SQL), operation and outcome.',
      labelNames: ['model', 'operation', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

/**
 * Wraps a token-issuing call so that each outcome is counted: issued, or
 * denied with the DstsError code as reason (`INTERNAL` for anything else).
 */
export function countTokens<Args extends unknown[], Token>(
  metrics: ServiceMetrics,
  subject: TokenSubject,
  issue: (...args: Args) => Promise<Token>,
): (...args: Args) => Promise<Token> {
  return async (...args) => {
    try {
      const token = await issue(...args);
      metrics.tokensIssued.inc({ subject });
      return token;
    } catch (error) {
      metrics.tokensDenied.inc({ subject, reason: isDstsError(error) ? error.code : 'INTERNAL' });
      throw error;
    }
  };
}

/** Records one database operation (the `onQuery` of `createPrismaClient`). */
export function observeDatabaseQuery(
  metrics: ServiceMetrics,
): (query: { model: string | undefined; operation: string; seconds: number; failed: boolean }) => void {
  return ({ model, operation, seconds, failed }) =>
    metrics.databaseDuration.observe({ model: model ?? 'raw', operation, outcome: failed ? 'error' : 'ok' }, seconds);
}
