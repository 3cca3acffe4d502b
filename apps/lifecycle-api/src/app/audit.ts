import { randomUUID } from 'node:crypto';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { AuditEventRecord } from '@dsts/db';
import { type AuditActor, type AuditEntry, failureOutcome } from '@dsts/observability';
import { requiredId } from '@dsts/validation';
import { callerIdentityOf } from './caller-identity';
import type { RpcDeps } from './deps';
import { requestIdOf } from './request-id';

/** What a call is about, read from its request. */
export interface AuditTarget {
  tenantId?: string;
  deviceId?: string;
  appId?: string;
}

/**
 * How an RPC is audited. `change`: every outcome, as an audit line and a row
 * of `audit_events` (README "Audit log"). `authentication`: refusals only, as
 * an audit line whose actor is the app the caller claimed to be, or else the
 * caller (the enrollment service validating a device's enrollment token).
 */
export interface AuditDescriptor<Req> {
  kind: 'change' | 'authentication';
  target(request: Req): AuditTarget;
}

/** The audited RPCs' descriptors, given to `headerUnary` where each RPC is registered. */
export const AUDITED = {
  deviceChange: { kind: 'change', target: (request: { tid: string; deviceId: string }) => ({ tenantId: request.tid, deviceId: request.deviceId }) },
  tenantChange: { kind: 'change', target: (request: { tid: string }) => ({ tenantId: request.tid }) },
  appAuthentication: { kind: 'authentication', target: (request: { appId: string }) => ({ appId: request.appId }) },
  // The token is the secret being checked: nothing of it is recorded, and it names no tenant until it is valid.
  enrollmentTokenValidation: { kind: 'authentication', target: () => ({}) },
} as const;

/**
 * An id as the request gave it, when it is one; anything else (empty,
 * oversized, control characters, absent from an undecodable request) is left out.
 */
function validId(value: string | undefined): string | undefined {
  try {
    return value === undefined ? undefined : requiredId(value, 'id');
  } catch {
    return undefined;
  }
}

/** grpc-js names the peer `<address>:<port>` (`192.0.2.1:50000`, `::1:50000`): the address. */
export const peerAddress = (peer: string) => peer.replace(/:\d+$/, '');

const stringField = (request: unknown, field: string): string | undefined => {
  const value = typeof request === 'object' && request !== null ? (request as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
};

/**
 * What the request of a call refused before its handler says about itself:
 * the request id to label it with, and the tenant and device it names, where
 * its message has them. Read defensively — any RPC's message, an undecodable
 * one, or none at all.
 */
export function refusedRequestFacts(request: unknown): Pick<AuditEntry, 'requestId' | 'tenantId' | 'deviceId'> {
  const header = typeof request === 'object' && request !== null ? (request as { header?: unknown }).header : undefined;
  return {
    requestId: requestIdOf({ requestId: stringField(header, 'requestId') }),
    tenantId: validId(stringField(request, 'tid')),
    deviceId: validId(stringField(request, 'deviceId')),
  };
}

type Outcome = Pick<AuditEntry, 'outcome' | 'reason'>;

export interface AuditedCall {
  /** The `audit_events` row of a change, for the repository to write in the change's transaction (outcome ok). */
  row?: AuditEventRecord;
  /** Runs the call's work and audits its outcome before the caller is answered. */
  around<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * Audits one call of an audited RPC. A change's row is first offered to the
 * repository (same transaction as the change, so no change commits without
 * it); after the call the row is recorded again with the call's outcome,
 * which stores it only where the change's transaction did not (a call that
 * failed before changing anything) — best effort: if that write fails, the
 * audit line (always written first) is the record and the failure is logged.
 */
export function auditCall<Req>(
  deps: Pick<RpcDeps, 'audit' | 'auditEvents' | 'logger' | 'clock'>,
  method: string,
  descriptor: AuditDescriptor<Req>,
  call: ServerUnaryCall<Req, unknown>,
  requestId: string,
): AuditedCall {
  const target = descriptor.target(call.request);
  const [tenantId, deviceId, appId] = [validId(target.tenantId), validId(target.deviceId), validId(target.appId)];
  const actor: AuditActor =
    descriptor.kind === 'authentication' && appId ? { kind: 'app', id: appId } : callerIdentityOf(call);
  const id = randomUUID();
  const occurredAt = deps.clock();
  const entry = (outcome: Outcome): AuditEntry => ({ operation: method, actor, tenantId, deviceId, ...outcome, requestId });
  const row = (outcome: Outcome): AuditEventRecord => ({
    id,
    occurredAt,
    operation: method,
    actorKind: actor.kind,
    actorId: actor.id,
    tenantId: tenantId ?? null,
    deviceId: deviceId ?? null,
    outcome: outcome.outcome,
    reason: outcome.reason ?? null,
    requestId,
  });

  const changeFinished = async (outcome: Outcome) => {
    deps.audit.record(entry(outcome));
    await deps.auditEvents.record(row(outcome)).catch((error: unknown) =>
      deps.logger.error({ err: error, audit: entry(outcome) }, 'audit row not written; the audit line above is the record'),
    );
  };

  if (descriptor.kind === 'authentication') {
    return {
      async around<T>(work: () => Promise<T>): Promise<T> {
        try {
          return await work();
        } catch (error) {
          deps.audit.record({ ...entry(failureOutcome(error)), clientIp: peerAddress(call.getPeer()) });
          throw error;
        }
      },
    };
  }
  return {
    row: row({ outcome: 'ok' }),
    async around<T>(work: () => Promise<T>): Promise<T> {
      let result: T;
      try {
        result = await work();
      } catch (error) {
        await changeFinished(failureOutcome(error));
        throw error;
      }
      await changeFinished({ outcome: 'ok' });
      return result;
    },
  };
}
