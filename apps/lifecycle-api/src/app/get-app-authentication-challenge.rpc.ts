import type { AppAuthenticationChallengeRequest, AppAuthenticationChallengeResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import { requiredId } from '@dsts/validation';

/**
 * An app challenge, exactly as REST `GET /api/v1/appauth/challenge` issues it
 * (same store, same lifetime; same per-address budget, `perAddressBudget` where it is registered).
 */
export function getAppAuthenticationChallenge({ apps }: Pick<RpcDeps, 'apps'>) {
  return async (request: AppAuthenticationChallengeRequest): Promise<Omit<AppAuthenticationChallengeResponse, 'header'>> => {
    const { challenge, expiresAt } = await apps.issueChallenge(requiredId(request.appId, 'app_id'));
    return { challenge, expiresAt };
  };
}
