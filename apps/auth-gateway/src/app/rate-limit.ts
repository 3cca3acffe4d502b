import type { Request, RequestHandler } from 'express';
import { type AuditEntry, type AuditLog, failureOutcome } from '@dsts/observability';
import type { AuthenticationAttempt, AuthenticationBudgets, ClaimedClient } from '@dsts/tokens';

/** The client's address: the TCP peer, or what a trusted proxy says (`TRUST_PROXY`). */
const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Counts the request against its client address's budget (RATE_LIMIT_PER_MINUTE); beyond it, 429 with Retry-After. */
export function rateLimit(budgets: AuthenticationBudgets): RequestHandler {
  return async (req, _res, next) => {
    await budgets.spendRequest(clientAddress(req));
    next();
  };
}

function claimant(client: ClaimedClient | undefined): Pick<AuditEntry, 'actor' | 'tenantId' | 'deviceId'> {
  if (client?.kind === 'device') return { actor: { kind: 'device', id: client.deviceId }, tenantId: client.tenantId, deviceId: client.deviceId };
  if (client?.kind === 'app') return { actor: { kind: 'app', id: client.appId } };
  return { actor: { kind: 'anonymous', id: 'anonymous' } };
}

export type AuthenticationFlow = 'device' | 'app';

/**
 * Runs one token request's authentication under the failure limit of
 * (claimed client, client address) (`AuthenticationBudgets.limitFailures`)
 * and writes the audit line of every refusal, naming the client the request
 * claimed to be.
 */
export function failureLimited(budgets: AuthenticationBudgets, audit: AuditLog) {
  return async <T>(req: Request, flow: AuthenticationFlow, authenticate: (attempt: AuthenticationAttempt) => Promise<T>): Promise<T> => {
    const address = clientAddress(req);
    let claimed: ClaimedClient | undefined;
    try {
      return await budgets.limitFailures(address, (attempt) =>
        authenticate({
          claimed: async (client) => {
            claimed = client;
            await attempt.claimed(client);
          },
        }),
      );
    } catch (error) {
      audit.record({ operation: `${flow}.authenticate`, ...claimant(claimed), ...failureOutcome(error), requestId: req.id, clientIp: address });
      throw error;
    }
  };
}
