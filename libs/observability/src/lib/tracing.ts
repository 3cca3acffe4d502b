/** A started OpenTelemetry SDK: flushes and stops exporting on shutdown. */
export interface Tracing {
  shutdown(): Promise<void>;
}

type Environment = Record<string, string | undefined>;

/**
 * Whether the standard OpenTelemetry variables ask for traces: an exporter in
 * `OTEL_TRACES_EXPORTER` other than `none`, or else an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`);
 * never with `OTEL_SDK_DISABLED=true`. Empty counts as unset.
 */
export function tracingRequested(environment: Environment): boolean {
  if (environment['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = (environment['OTEL_TRACES_EXPORTER'] ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  if (exporters.length > 0) return exporters[0] !== 'none';
  return Boolean(environment['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || environment['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}

/**
 * Starts OpenTelemetry tracing (`@opentelemetry/sdk-node`, configured by the
 * standard `OTEL_*` variables) when {@link tracingRequested}; otherwise does
 * nothing and returns undefined. Instrumentation patches express, grpc-js,
 * ioredis and pg as they are loaded, so a service calls this before it loads
 * any of them (first import of its main.ts).
 */
export function startTracing(service: string, environment: Environment = process.env): Tracing | undefined {
  if (!tracingRequested(environment)) return undefined;
  // Loaded only when tracing is on: the SDK is ~900 modules, half a second of start-up.
  const { createTracingSdk } = require('./otel-sdk') as typeof import('./otel-sdk');
  const sdk = createTracingSdk(service, environment);
  sdk.start();
  return sdk;
}
