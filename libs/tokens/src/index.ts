export { ACCESS_TOKEN_LIFETIME_SECONDS, accessTokenClaims } from './lib/access-token-claims';
export type { AccessTokenClaims, AccessTokenSubject } from './lib/access-token-claims';
