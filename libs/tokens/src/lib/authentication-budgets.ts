import { budgetAddress, type Cache, createFailureLimiter, createRateLimiter, type FailureReservation } from '@dsts/cache';
import type { Config } from '@dsts/config';
import { type ErrorKind, isDstsError } from '@dsts/errors';
import type { AuthenticationAttempt, ClaimedClient } from './authentication-attempt';

/** The RATE_LIMIT_* variables count per minute. */
const WINDOW_SECONDS = 60;

/**
 * Refusals anyone can provoke by naming a client whose key they do not hold:
 * these use up the failure budget of (claimed client, address).
 */
const COUNTED_FAILURES: ReadonlySet<ErrorKind> = new Set(['unauthenticated', 'not_found', 'gone']);

/** One budget for every challenge and token request of an address, whichever flow and transport. */
const requestBudgetKey = (address: string) => `auth:${budgetAddress(address)}`;

/** JSON keeps the key unambiguous whatever characters the ids hold. The address part is {@link budgetAddress}. */
const failureBudgetKey = (client: ClaimedClient, address: string) => {
  const source = budgetAddress(address);
  return client.kind === 'device' ? `device:${JSON.stringify([client.tenantId, client.deviceId, source])}` : `app:${JSON.stringify([client.appId, source])}`;
};

/**
 * The rate limits of the open authentication endpoints, shared by the
 * auth-gateway (REST) and the lifecycle-api (gRPC) through the same Redis
 * keys, so that a client cannot double its budgets by switching transport.
 * Both throw RATE_LIMITED (with the seconds left in the window) when a budget
 * is used up.
 */
export interface AuthenticationBudgets {
  /** Counts one challenge or token request of `clientAddress` (RATE_LIMIT_PER_MINUTE; an IPv6 client: its /64). */
  spendRequest(clientAddress: string): Promise<void>;
  /**
   * Runs one authentication under the failure limit of (claimed client,
   * client address) (RATE_LIMIT_FAILURES_PER_MINUTE). As soon as the client
   * is claimed (before anything is looked up) the attempt takes a slot of
   * that budget, atomically, so that concurrent attempts cannot overrun it.
   * Only COUNTED_FAILURES keep the slot until the window ends; a success
   * gives it back, and so does any other error (a bad request, a dependency
   * outage, a bug: none says whether the caller holds the key). A process
   * that dies mid-attempt leaves its slot taken for at most that window.
   * Keyed by address as well, so an attacker who makes a device's or app's
   * authentications fail uses up only their own budget, never the client's.
   */
  limitFailures<T>(clientAddress: string, authenticate: (attempt: AuthenticationAttempt) => Promise<T>): Promise<T>;
}

export function createAuthenticationBudgets(cache: Cache, limits: Config['rateLimit']): AuthenticationBudgets {
  const requests = createRateLimiter(cache, { limit: limits.perMinute, windowSeconds: WINDOW_SECONDS });
  const failures = createFailureLimiter(cache, { limit: limits.failuresPerMinute, windowSeconds: WINDOW_SECONDS });
  return {
    spendRequest: (clientAddress) => requests.consume(requestBudgetKey(clientAddress)),
    async limitFailures(clientAddress, authenticate) {
      let reservation: FailureReservation | undefined;
      try {
        const authenticated = await authenticate({
          claimed: async (client) => {
            reservation = await failures.reserve(failureBudgetKey(client, clientAddress));
          },
        });
        await reservation?.release();
        return authenticated;
      } catch (error) {
        if (!(isDstsError(error) && COUNTED_FAILURES.has(error.kind))) await reservation?.release();
        throw error;
      }
    },
  };
}
