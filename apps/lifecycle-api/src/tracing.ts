import { startTracing } from '@dsts/observability';

/**
 * OpenTelemetry, when the OTEL_* variables ask for it. main.ts imports this
 * module first, so the SDK starts before grpc-js, pg and ioredis are loaded
 * (the bundle requires them in import order) and its instrumentation sees them.
 */
export const tracing = startTracing('lifecycle-api');
