import type { IncomingMessage } from 'node:http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes: frequent, and nothing to trace. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);
const untracedRequest = (request: IncomingMessage) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? '');

/**
 * The SDK with the instrumentations of the libraries the services use.
 * Exporter, endpoint, protocol, sampler and resource come from the standard
 * `OTEL_*` variables (read by the SDK itself). Traces only: metrics are
 * prom-client's (`/metrics`) and logs pino's (stdout).
 */
export function createTracingSdk(service: string, environment: Record<string, string | undefined>): NodeSDK {
  return new NodeSDK({
    // OTEL_SERVICE_NAME, when set, names the service instead.
    serviceName: environment['OTEL_SERVICE_NAME'] ? undefined : service,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: untracedRequest }),
      // Route handlers make spans; middlewares and routers on every request would only add noise.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
      // Background work (key refresh, health checks) would otherwise make a trace of its own every few seconds.
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
}
