import type { KeyObject } from 'node:crypto';
import { signClientAssertion } from './client-assertion';
import type { LifecycleClient } from './lifecycle-client';

/** RFC 7523 client assertion type (SPEC §3). */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * An app access token over gRPC (SPEC §3 "App authentication"):
 * GetAppAuthenticationChallenge, an RS512 assertion signed with the app's
 * registered key, AuthenticateApp. Both operations are open, so this works
 * without any other credential.
 */
export async function fetchAppToken(client: LifecycleClient, appId: string, privateKey: KeyObject): Promise<{ accessToken: string; expiresAt: Date | undefined }> {
  const { challenge } = await client.call('getAppAuthenticationChallenge', { appId });
  const assertion = signClientAssertion({ subject: appId, nonce: challenge, privateKey });
  const { accessToken, expiresAt } = await client.call('authenticateApp', { appId, assertionType: JWT_BEARER_ASSERTION_TYPE, assertion });
  return { accessToken, expiresAt };
}
