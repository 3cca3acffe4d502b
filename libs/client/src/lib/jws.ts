import { constants, createPublicKey, type JsonWebKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * Compact JWS as a client and a relying party see it, written against
 * node:crypto only: independent of the services' own JOSE code, so tests and
 * tools built on it check the services rather than share their mistakes.
 */

export interface DecodedJws {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** A JWKS as `/api/v1/keys` serves it. */
export interface Jwks {
  keys: JsonWebKey[];
}

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function signatureOptions(alg: string): { hash: string | null; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } {
  // Ed25519 hashes internally: node:crypto takes no digest for it.
  if (alg === 'EdDSA') return { hash: null };
  const hash = HASHES[alg.slice(2)];
  if (!hash) throw new Error(`unsupported alg ${alg}`);
  if (alg.startsWith('RS')) return { hash };
  if (alg.startsWith('PS')) return { hash, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 };
  if (alg === 'ES256') return { hash, dsaEncoding: 'ieee-p1363' };
  throw new Error(`unsupported alg ${alg}`);
}

/** base64url of a string as is, or of any other value's JSON. */
export const jwsSegment = (value: unknown) =>
  typeof value === 'string' ? Buffer.from(value).toString('base64url') : Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Compact JWS over arbitrary header and claims, signed with `key` for the
 * header's `alg` (RS*, PS*, ES256, EdDSA; anything else throws).
 */
export function signJws(header: Record<string, unknown>, claims: Record<string, unknown> | string, key: KeyObject): string {
  const input = `${jwsSegment(header)}.${jwsSegment(claims)}`;
  const { hash, ...options } = signatureOptions(String(header['alg']));
  return `${input}.${sign(hash, Buffer.from(input), { key, ...options }).toString('base64url')}`;
}

/** Splits a compact JWS without checking anything. */
export function decodeJws(token: string): DecodedJws {
  const [header, claims] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')),
  };
}

/**
 * Verifies `token` the way an independent relying party would: finds its
 * `kid` in the JWKS, imports that JWK with node:crypto and checks the
 * signature for the header's `alg`. Throws when any step fails.
 */
export function verifyWithJwks(token: string, jwks: Jwks): DecodedJws {
  const decoded = decodeJws(token);
  const jwk = jwks.keys.find((key) => key['kid'] === decoded.header['kid']);
  if (!jwk) throw new Error(`kid ${String(decoded.header['kid'])} is not in the JWKS`);
  if (jwk['alg'] !== decoded.header['alg']) throw new Error('alg differs from the JWK');
  const [header, claims, signature] = token.split('.');
  const { hash, ...options } = signatureOptions(String(decoded.header['alg']));
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  if (!verify(hash, Buffer.from(`${header}.${claims}`), { key, ...options }, Buffer.from(signature, 'base64url'))) {
    throw new Error('signature does not verify');
  }
  return decoded;
}
