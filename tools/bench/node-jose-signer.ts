import type { KeyObject } from 'node:crypto';
import { JWK, JWS } from 'node-jose';
import type { SigningKeyStore } from '@dsts/keys';

/**
 * The key store's `signJwt` done with node-jose's JWS instead of
 * `crypto.sign`: same private key, same header (`alg`, `kid`, `typ`), same
 * claims, so only the JOSE library differs between the two flow measurements.
 */
export async function createNodeJoseSigner(privateKey: KeyObject, kid: string, alg: string): Promise<Pick<SigningKeyStore, 'signJwt'>> {
  const key = await JWK.asKey(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'pem', { kid, alg, use: 'sig' });
  return {
    signJwt: (claims) =>
      JWS.createSign({ format: 'compact', fields: { alg, kid, typ: 'JWT' } }, key)
        .update(JSON.stringify(claims))
        // @types/node-jose types final() for the JSON formats; the compact format resolves to the token string.
        .final() as unknown as Promise<string>,
  };
}
