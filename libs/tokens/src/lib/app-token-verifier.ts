import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import { SIGNING_ALGORITHMS } from '@dsts/config';
import type { RegisteredAppRepository } from '@dsts/db';
import { DstsError, type RefusalReason } from '@dsts/errors';
import type { SigningKeyStore } from '@dsts/keys';
import { ACCESS_TOKEN_LIFETIME_SECONDS } from './access-token-claims';

/** Tolerated disagreement between the clocks of the replica that issued the token and this one. */
const CLOCK_TOLERANCE_SECONDS = 30;

export interface AppTokenVerifierDeps {
  /** The keys this service publishes (the JWKS): only tokens signed here verify. */
  keys: Pick<SigningKeyStore, 'publishedJwks'>;
  /** Required `iss` (config TOKEN_ISSUER). */
  issuer: string;
  apps: Pick<RegisteredAppRepository, 'find'>;
  clock: () => Date;
}

/** Checks app access tokens presented as credentials (`Authorization: Bearer`). */
export interface AppTokenVerifier {
  /**
   * Resolves with the app id of a valid app token: signed by one of our
   * published keys, `iss` ours, `typ` = `app`, within its lifetime, for an
   * app that is registered and enabled now. Anything else rejects with an
   * `ACCESS_TOKEN_INVALID` DstsError saying why (message for the log,
   * `reason` for the audit trail; neither for the caller), with the app id
   * as `verifiedSubject` when only the app's registration failed.
   */
  verify(token: string): Promise<string>;
}

const invalid = (reason: RefusalReason, problem: string, verifiedSubject?: string) =>
  new DstsError('ACCESS_TOKEN_INVALID', `access token ${problem}`, { reason, verifiedSubject });

function verificationFailure(error: unknown): DstsError {
  if (error instanceof errors.JWTExpired) return invalid('ACCESS_TOKEN_EXPIRED', 'is expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return invalid(error.claim === 'iss' ? 'ACCESS_TOKEN_WRONG_ISSUER' : 'ACCESS_TOKEN_CLAIM_INVALID', `has an invalid ${error.claim} claim`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('ACCESS_TOKEN_UNKNOWN_KEY', 'is not signed by a published key');
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('ACCESS_TOKEN_BAD_SIGNATURE', 'signature does not verify');
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('ACCESS_TOKEN_ALGORITHM_REFUSED', 'algorithm is not allowed');
  return invalid('ACCESS_TOKEN_MALFORMED', 'is malformed');
}

export function createAppTokenVerifier({ keys, issuer, apps, clock }: AppTokenVerifierDeps): AppTokenVerifier {
  return {
    async verify(token) {
      const jwks = createLocalJWKSet({ keys: await keys.publishedJwks() } as JSONWebKeySet);
      let payload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          algorithms: [...SIGNING_ALGORITHMS],
          issuer,
          requiredClaims: ['exp', 'iat', 'sub'],
          currentDate: clock(),
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          // A token living longer than any app token issued here was not issued here.
          maxTokenAge: ACCESS_TOKEN_LIFETIME_SECONDS.app + CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (error) {
        throw verificationFailure(error);
      }
      // A device token (or any other type) is not an app credential.
      if (payload['typ'] !== 'app' || typeof payload.sub !== 'string') throw invalid('ACCESS_TOKEN_NOT_APP_TOKEN', 'is not an app token');
      const appId = payload.sub;
      const app = await apps.find(appId);
      // The token verified: its app id is proven, though the app may not call (any more).
      if (!app) throw invalid('APP_NOT_FOUND', 'names an app that is unknown or disabled', appId);
      if (!app.isEnabled) throw invalid('APP_DISABLED', 'names an app that is unknown or disabled', appId);
      return appId;
    },
  };
}
