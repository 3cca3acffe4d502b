import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  /** Requests by transport (`http`/`grpc`), route or RPC method, and outcome code. */
  requests: Counter<'transport' | 'method' | 'code'>;
  requestDuration: Histogram<'transport' | 'method' | 'code'>;
}

/** One registry per app, with Node process metrics and the request metrics. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const labelNames = ['transport', 'method', 'code'] as const;
  return {
    registry,
    requests: new Counter({
      name: 'dsts_requests_total',
      help: 'Requests handled, by transport, route or RPC method, and outcome code.',
      labelNames,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'dsts_request_duration_seconds',
      help: 'Request latency in seconds, by transport, route or RPC method, and outcome code.',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
