import { type ErrorCode, type ErrorKind, isDstsError, type RefusalReason } from '@dsts/errors';
import type { Logger } from 'pino';

/** Who acted: a lifecycle-api caller, or the client a refused authentication claimed to be. */
export interface AuditActor {
  kind: 'certificate' | 'app' | 'device' | 'anonymous';
  id: string;
}

/** One audited event. Ids and codes only: never secrets, assertions, tokens or messages that echo input. */
export interface AuditEntry {
  /** The lifecycle RPC (`CreateDevice`, …) or the authentication flow (`device.authenticate`, `app.authenticate`). */
  operation: string;
  actor: AuditActor;
  tenantId?: string;
  deviceId?: string;
  /** `ok`, or the kind of error the caller was answered with. */
  outcome: 'ok' | ErrorKind;
  /** The error code behind a failure, or the finer refusal reason it carries (caller authentication). */
  reason?: ErrorCode | RefusalReason;
  requestId: string;
  /** Client address of a refused authentication. */
  clientIp?: string;
}

/**
 * Outcome and reason of a failed call: the domain error's kind, and its
 * refusal reason or else its code; `internal` for anything else.
 */
export function failureOutcome(error: unknown): { outcome: ErrorKind; reason: ErrorCode | RefusalReason } {
  return isDstsError(error) ? { outcome: error.kind, reason: error.reason ?? error.code } : { outcome: 'internal', reason: 'INTERNAL' };
}

export interface AuditLog {
  record(entry: AuditEntry): void;
}

/**
 * Audit lines on the service's own JSON log stream (stdout), marked
 * `"log":"audit"`. They are written at every LOG_LEVEL except `silent`: an
 * operator who quiets the service log must not lose the audit trail with it.
 */
export function createAuditLog(logger: Logger): AuditLog {
  const audit = logger.child({ log: 'audit' }, { level: logger.level === 'silent' ? 'silent' : 'info' });
  return { record: (entry) => audit.info(entry, 'audit') };
}
