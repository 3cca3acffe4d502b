import type { IncomingMessage } from 'node:http';
import type { Attributes, Span } from '@opentelemetry/api';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** What stands where a query value was (as the HTTP instrumentation's own redaction writes it). */
const REDACTED = 'REDACTED';
/** Span attributes that carry a URL's query string, in the stable and the older HTTP semantic conventions. */
const URL_ATTRIBUTES = ['url.query', 'url.full', 'http.target', 'http.url'];

/** `a=1&b=2` → `a=REDACTED&b=REDACTED`: parameter names stay, values go. */
const redactQuery = (query: string) => [...new URLSearchParams(query).keys()].map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&');
/** A URL, path or bare query (`url.query` has no `?`) with every query value redacted. */
function redactQueryValues(key: string, value: string): string {
  if (key === 'url.query') return redactQuery(value);
  const start = value.indexOf('?');
  return start < 0 ? value : `${value.slice(0, start + 1)}${redactQuery(value.slice(start + 1).split('#')[0] ?? '')}`;
}

/**
 * Query strings may carry secrets (a token, a signature), and the HTTP
 * instrumentation redacts only a fixed list of parameter names: every value
 * is redacted here, on incoming and outgoing spans, as soon as the span starts
 * (before anything can export it). The hook gets the SDK's span, whose
 * attributes it can read.
 */
function redactQueryStrings(span: Span): void {
  const { attributes } = span as Span & { attributes?: Attributes };
  for (const key of URL_ATTRIBUTES) {
    const value = attributes?.[key];
    if (typeof value === 'string' && (key === 'url.query' || value.includes('?'))) span.setAttribute(key, redactQueryValues(key, value));
  }
}

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
      new HttpInstrumentation({ ignoreIncomingRequestHook: untracedRequest, requestHook: redactQueryStrings }),
      // Route handlers make spans; middlewares and routers on every request would only add noise.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
      // Background work (key refresh, health checks) would otherwise make a trace of its own every few seconds.
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
}
