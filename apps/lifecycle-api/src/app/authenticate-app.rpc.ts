import type { AppAuthenticationRequest, AppAuthenticationResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import type { CallContext } from './unary';
import { MAX_ASSERTION_LENGTH, optionalText, requiredId } from '@dsts/validation';

/**
 * App token, exactly as REST `POST /api/v1/appauth/token`: the shared
 * authenticator throws `unauthenticated` errors for every authentication
 * failure (unknown or disabled app, bad signature, time claims, wrong or
 * replayed nonce), so they all answer Unauthenticated; a wrong request shape
 * (empty app_id or assertion, wrong assertion_type) is InvalidArgument.
 * Failures use up the budget of (app id, client address) shared with REST
 * (RATE_LIMIT_FAILURES_PER_MINUTE): beyond it, ResourceExhausted.
 */
export function authenticateApp({ apps, budgets }: Pick<RpcDeps, 'apps' | 'budgets'>) {
  return async (request: AppAuthenticationRequest, { clientAddress }: CallContext): Promise<Omit<AppAuthenticationResponse, 'header'>> => {
    const { accessToken, expiresAt } = await budgets.limitFailures(clientAddress, (attempt) =>
      apps.authenticate(
        {
          appId: requiredId(request.appId, 'app_id'),
          assertionType: request.assertionType,
          assertion: optionalText(request.assertion, 'assertion', MAX_ASSERTION_LENGTH),
        },
        attempt,
      ),
    );
    return { accessToken, expiresAt };
  };
}
