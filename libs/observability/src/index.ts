export { createLogger } from './lib/logger';
export type { Logger, LoggerOptions } from './lib/logger';
export { createMetrics } from './lib/metrics';
export type { ServiceMetrics } from './lib/metrics';
export { exitOnSignal, runService } from './lib/process-lifecycle';
export { createAuditLog, failureOutcome } from './lib/audit-log';
export type { AuditActor, AuditEntry, AuditLog } from './lib/audit-log';
