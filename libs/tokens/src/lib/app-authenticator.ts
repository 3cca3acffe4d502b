import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ChallengeStore, IssuedChallenge } from '@dsts/cache';
import type { RegisteredAppRepository } from '@dsts/db';
import { DstsError } from '@dsts/errors';
import { requiredId } from '@dsts/validation';
import type { AuthenticationAttempt } from './authentication-attempt';
import { type AssertionRequest, assertionHeader, requireAssertion, verifyAssertion } from './client-assertion';
import { redeemChallenge } from './redeem-challenge';
import type { IssuedToken, TokenIssuer } from './token-issuer';

const APP_ALGORITHMS = ['RS512'];
/** Same text as a failed signature check in client-assertion.ts. */
const SIGNATURE_FAILED = 'invalid client assertion: signature verification failed';

export interface AppAuthenticatorDeps {
  challenges: ChallengeStore;
  apps: Pick<RegisteredAppRepository, 'find'>;
  tokens: TokenIssuer;
  clock: () => Date;
}

export interface AppAuthenticationRequest extends AssertionRequest {
  appId: string | undefined;
}

/**
 * App authentication (SPEC §3 "App authentication"), shared by the REST
 * gateway and the gRPC AuthenticateApp: every failure after the request
 * shape is an `unauthenticated` DstsError.
 */
export interface AppAuthenticator {
  issueChallenge(appId: string | undefined): Promise<IssuedChallenge>;
  /** `attempt` learns the claimed app id before anything is looked up or verified. */
  authenticate(request: AppAuthenticationRequest, attempt?: AuthenticationAttempt): Promise<IssuedToken>;
}

export function createAppAuthenticator(deps: AppAuthenticatorDeps): AppAuthenticator {
  // Parsed public keys by PEM: the registered set is small and changes only at start.
  const keys = new Map<string, KeyObject>();
  const publicKey = (pem: string) => {
    let key = keys.get(pem);
    if (!key) keys.set(pem, (key = createPublicKey(pem)));
    return key;
  };

  let decoy: KeyObject | undefined;
  const decoyKey = () => (decoy ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);

  return {
    async issueChallenge(appId) {
      return deps.challenges.issue('app', requiredId(appId ?? '', 'app_id'), deps.clock());
    },

    async authenticate(request, attempt) {
      const appId = requiredId(request.appId ?? '', 'app_id');
      const assertion = requireAssertion(request);
      await attempt?.claimed({ kind: 'app', appId });
      const now = deps.clock();
      assertionHeader(assertion, APP_ALGORITHMS);
      const app = await deps.apps.find(appId);
      // Only the holder of the app's key learns anything about the app id: an
      // unknown app reads like a bad signature, and "disabled" is told only
      // after the signature has been verified.
      if (!app) {
        // The same JOSE checks run against a key nobody holds, so a malformed
        // header is refused the same way for unknown and registered ids.
        await verifyAssertion(assertion, { key: decoyKey(), algorithms: APP_ALGORITHMS, subject: appId, now });
        throw new DstsError('APP_NOT_FOUND', SIGNATURE_FAILED);
      }
      const claims = await verifyAssertion(assertion, { key: publicKey(app.publicKey), algorithms: APP_ALGORITHMS, subject: appId, now });
      if (!app.isEnabled) throw new DstsError('APP_DISABLED', 'app authentication is disabled');
      await redeemChallenge(deps.challenges, 'app', appId, claims.nonce);
      return deps.tokens.issue({ typ: 'app', appId });
    },
  };
}
