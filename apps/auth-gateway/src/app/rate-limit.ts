import type { Request, RequestHandler } from 'express';
import type { FailureLimiter, FailureReservation, RateLimiter } from '@dsts/cache';
import type { ErrorKind } from '@dsts/errors';
import { type AuditEntry, type AuditLog, failureOutcome } from '@dsts/observability';
import type { AuthenticationAttempt, ClaimedClient } from '@dsts/tokens';
import { budgetAddress } from './budget-address';

/** The client's address: the TCP peer, or what a trusted proxy says (`TRUST_PROXY`). */
const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Limits each client address (an IPv6 client: its /64) per endpoint group; beyond it, 429 with Retry-After. */
export function rateLimit(limiter: RateLimiter, group: string): RequestHandler {
  return async (req, _res, next) => {
    await limiter.consume(`${group}:${budgetAddress(clientAddress(req))}`);
    next();
  };
}

/**
 * Refusals anyone can provoke by naming a client whose key they do not hold:
 * these use up the failure budget of (claimed client, address).
 */
const COUNTED_FAILURES: ReadonlySet<ErrorKind> = new Set(['unauthenticated', 'not_found', 'gone']);

/** JSON keeps the key unambiguous whatever characters the ids hold. The address part is {@link budgetAddress}. */
const failureBudgetKey = (client: ClaimedClient, address: string) => {
  const source = budgetAddress(address);
  return client.kind === 'device' ? `device:${JSON.stringify([client.tenantId, client.deviceId, source])}` : `app:${JSON.stringify([client.appId, source])}`;
};

function claimant(client: ClaimedClient | undefined): Pick<AuditEntry, 'actor' | 'tenantId' | 'deviceId'> {
  if (client?.kind === 'device') return { actor: { kind: 'device', id: client.deviceId }, tenantId: client.tenantId, deviceId: client.deviceId };
  if (client?.kind === 'app') return { actor: { kind: 'app', id: client.appId } };
  return { actor: { kind: 'anonymous', id: 'anonymous' } };
}

export type AuthenticationFlow = 'device' | 'app';

/**
 * Runs one token request's authentication under the failure limit of
 * (claimed client, client address) and writes the audit line of every
 * refusal. As soon as the client is claimed (before anything is looked up)
 * the request takes a slot of that budget, atomically, so that concurrent
 * requests cannot overrun it. Only COUNTED_FAILURES keep the slot until the
 * window ends; a success gives it back, and so does any other error (a bad
 * request, a dependency outage, a bug: none says whether the caller holds
 * the key). A process that dies mid-request leaves its slot taken for at
 * most that window.
 * Keyed by address as well, so an attacker who makes a device's or app's
 * authentications fail uses up only their own budget, never the client's.
 */
export function failureLimited(failures: FailureLimiter, audit: AuditLog) {
  return async <T>(req: Request, flow: AuthenticationFlow, authenticate: (attempt: AuthenticationAttempt) => Promise<T>): Promise<T> => {
    const address = clientAddress(req);
    let claimed: ClaimedClient | undefined;
    let reservation: FailureReservation | undefined;
    try {
      const authenticated = await authenticate({
        claimed: async (client) => {
          claimed = client;
          reservation = await failures.reserve(failureBudgetKey(client, address));
        },
      });
      await reservation?.release();
      return authenticated;
    } catch (error) {
      const outcome = failureOutcome(error);
      audit.record({ operation: `${flow}.authenticate`, ...claimant(claimed), ...outcome, requestId: req.id, clientIp: address });
      if (!COUNTED_FAILURES.has(outcome.outcome)) await reservation?.release();
      throw error;
    }
  };
}
