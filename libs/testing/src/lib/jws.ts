import { constants, createHmac, createPublicKey, type JsonWebKey, type KeyObject, randomUUID, sign, verify } from 'node:crypto';

/**
 * Test-side JWS, written against node:crypto only, so that it checks the
 * production code (jose for assertions, the key store's signer for tokens)
 * rather than sharing its mistakes.
 */

export interface DecodedJws {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
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

const segment = (value: unknown) =>
  typeof value === 'string' ? Buffer.from(value).toString('base64url') : Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Compact JWS over arbitrary header and claims, signed with node:crypto for
 * the header's `alg` — including the ones a server must refuse: `none`
 * (empty signature) and HS* (HMAC keyed with `key`'s bytes).
 */
export function signJws(header: Record<string, unknown>, claims: Record<string, unknown> | string, key: KeyObject | Buffer): string {
  const input = `${segment(header)}.${segment(claims)}`;
  const alg = String(header['alg']);
  if (alg === 'none') return `${input}.`;
  if (alg.startsWith('HS')) return `${input}.${createHmac(HASHES[alg.slice(2)], key as Buffer).update(input).digest('base64url')}`;
  const { hash, ...options } = signatureOptions(alg);
  return `${input}.${sign(hash, Buffer.from(input), { key: key as KeyObject, ...options }).toString('base64url')}`;
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
export function verifyWithJwks(token: string, jwks: { keys: JsonWebKey[] }): DecodedJws {
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

export interface ClientAssertionOptions {
  /** `iss` and `sub` (device id or app id). */
  subject: string;
  nonce: string;
  privateKey: KeyObject;
  /** DER of the device certificate, sent as x5c[0] (standard base64); apps send none. */
  certificateDer?: Buffer;
  now?: Date;
  /** Header/claim overrides (undefined removes a claim). */
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

/**
 * A client assertion shaped exactly like the original device client's
 * (SPEC §3 step 2): RS512, x5c, iss = sub, nonce, exp = now + 10 min, nbf,
 * iat, jti, no aud.
 */
export function signClientAssertion(options: ClientAssertionOptions): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header: Record<string, unknown> = {
    alg: 'RS512',
    typ: 'JWT',
    ...(options.certificateDer ? { x5c: [options.certificateDer.toString('base64')] } : {}),
    ...options.header,
  };
  const claims: Record<string, unknown> = {
    iss: options.subject,
    sub: options.subject,
    nonce: options.nonce,
    exp: iat + 600,
    nbf: iat,
    iat,
    jti: randomUUID(),
    ...options.claims,
  };
  return signJws(header, JSON.parse(JSON.stringify(claims)), options.privateKey);
}
