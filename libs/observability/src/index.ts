export { createLogger } from './lib/logger';
export type { Logger, LoggerOptions } from './lib/logger';
export { countTokens, createMetrics, observeDatabaseQuery } from './lib/metrics';
export type { ServiceMetrics, TokenSubject } from './lib/metrics';
export { serveMetrics } from './lib/metrics-server';
export type { MetricsServer } from './lib/metrics-server';
export { exitOnSignal, runService } from './lib/process-lifecycle';
export { startTracing, tracingRequested } from './lib/tracing';
export type { Tracing } from './lib/tracing';
