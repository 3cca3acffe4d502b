import type { PrismaClient } from '../generated/prisma/client';
import { guarded } from './database-errors';

/** One row of the audit trail (README "Audit log"). */
export interface AuditEventRecord {
  /** UUID chosen by the service for the call it records. */
  id: string;
  occurredAt: Date;
  /** The RPC, e.g. `CreateDevice`. */
  operation: string;
  actorKind: string;
  actorId: string;
  tenantId: string | null;
  deviceId: string | null;
  /** `ok` or the error kind. */
  outcome: string;
  /** The error code of a failure. */
  reason: string | null;
  requestId: string;
}

export interface AuditEventQuery {
  tenantId: string;
  /** Inclusive. */
  since: Date;
  /** Exclusive. */
  until: Date;
  limit: number;
}

/** Largest page `list` returns. */
export const MAX_AUDIT_EVENTS_PER_QUERY = 1000;

export interface AuditRepository {
  /**
   * Stores the event unless a row with its id exists: the change's own
   * transaction writes it first where it can (`audit` parameters of the
   * device and enrollment-token repositories), so recording it again after
   * the call is harmless.
   */
  record(event: AuditEventRecord): Promise<void>;
  /** A tenant's events with since ≤ time < until, oldest first, at most `limit` (≤ {@link MAX_AUDIT_EVENTS_PER_QUERY}). */
  list(query: AuditEventQuery): Promise<AuditEventRecord[]>;
}

/**
 * The insert of `audit` for a change's transaction, or nothing: spread into
 * an array transaction, or awaited inside an interactive one.
 */
export function auditStatement(prisma: Pick<PrismaClient, 'auditEvent'>, audit: AuditEventRecord | undefined) {
  return audit ? [prisma.auditEvent.create({ data: audit })] : [];
}

/** Prisma-backed {@link AuditRepository}. */
export function createAuditRepository(prisma: PrismaClient): AuditRepository {
  return {
    record: (event) =>
      guarded(async () => {
        await prisma.auditEvent.createMany({ data: [event], skipDuplicates: true });
      }),

    list: ({ tenantId, since, until, limit }) =>
      guarded(() =>
        prisma.auditEvent.findMany({
          where: { tenantId, occurredAt: { gte: since, lt: until } },
          orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
          take: Math.min(Math.max(limit, 1), MAX_AUDIT_EVENTS_PER_QUERY),
        }),
      ),
  };
}
