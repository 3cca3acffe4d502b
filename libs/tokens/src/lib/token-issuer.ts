import type { SigningKeyStore } from '@dsts/keys';
import { accessTokenClaims, type AccessTokenSubject } from './access-token-claims';

export interface IssuedToken {
  accessToken: string;
  expiresAt: Date;
}

export interface TokenIssuerDeps {
  keys: Pick<SigningKeyStore, 'signJwt'>;
  /** `iss` of every token (config TOKEN_ISSUER). */
  issuer: string;
  clock: () => Date;
}

export interface TokenIssuer {
  issue(subject: AccessTokenSubject): Promise<IssuedToken>;
}

/** Mints access tokens (SPEC §4) signed by the key store's current key. */
export function createTokenIssuer({ keys, issuer, clock }: TokenIssuerDeps): TokenIssuer {
  return {
    async issue(subject) {
      const claims = accessTokenClaims(subject, issuer, clock());
      return { accessToken: await keys.signJwt(claims), expiresAt: new Date(claims.exp * 1000) };
    },
  };
}
