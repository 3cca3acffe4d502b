import type { PublicJwk } from '@dsts/keys';
import type { GetSigningKeyResponse, JSONWebKey } from '@dsts/proto';
import type { RpcDeps } from './deps';

/**
 * The proto's JSONWebKey carries RSA members only (`n`, `e`), and existing
 * clients read every entry as an RSA key (SPEC §4). A key of another type
 * (ES256: `crv`/`x`/`y`; EdDSA: `crv`/`x`) cannot be expressed, and an entry
 * without key material would break those clients, so such keys are left out
 * here; the REST JWKS publishes them in full.
 */
const isRsa = (jwk: PublicJwk) => jwk.kty === 'RSA';
const toWireJwk = ({ kty, alg, use, kid, n, e }: PublicJwk): JSONWebKey => ({ kty, alg, use, kid, n, e });

/** The REST JWKS's RSA keys (SPEC §6 GetSigningKey); the request has no header to check. */
export function getSigningKey({ keys }: Pick<RpcDeps, 'keys'>) {
  return async (): Promise<Omit<GetSigningKeyResponse, 'header'>> => ({
    signingKey: (await keys.publishedJwks()).filter(isRsa).map(toWireJwk),
  });
}
