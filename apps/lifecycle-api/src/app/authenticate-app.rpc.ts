import type { AppAuthenticationRequest, AppAuthenticationResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import { MAX_ASSERTION_LENGTH, optionalText, requiredId } from '@dsts/validation';

/**
 * App token, exactly as REST `POST /api/v1/appauth/token`: the shared
 * authenticator throws `unauthenticated` errors for every authentication
 * failure (unknown or disabled app, bad signature, time claims, wrong or
 * replayed nonce), so they all answer Unauthenticated; a wrong request shape
 * (empty app_id or assertion, wrong assertion_type) is InvalidArgument.
 */
export function authenticateApp({ apps }: Pick<RpcDeps, 'apps'>) {
  return async (request: AppAuthenticationRequest): Promise<Omit<AppAuthenticationResponse, 'header'>> => {
    const { accessToken, expiresAt } = await apps.authenticate({
      appId: requiredId(request.appId, 'app_id'),
      assertionType: request.assertionType,
      assertion: optionalText(request.assertion, 'assertion', MAX_ASSERTION_LENGTH),
    });
    return { accessToken, expiresAt };
  };
}
