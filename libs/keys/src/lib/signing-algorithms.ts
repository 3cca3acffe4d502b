import { constants, generateKeyPair, type KeyObject, sign, type SignKeyObjectInput } from 'node:crypto';
import { promisify } from 'node:util';
import { JWK } from 'node-jose';
import type { SigningAlgorithm } from '@dsts/config';

const generate = promisify(generateKeyPair);

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** How keys of one type are made and published. */
interface KeyFamily {
  generate(rsaBits: number): Promise<KeyPair>;
  /** The public key's JWK members (`kty` and `n`/`e`, `crv`/`x`/`y` or `crv`/`x`). */
  publicMembers(publicKey: KeyObject): Promise<Record<string, string>>;
}

// node-jose owns the RSA/EC JWK form (base64url of n/e without leading zeros).
const joseMembers = async (publicKey: KeyObject) =>
  (await JWK.asKey(publicKey.export({ type: 'spki', format: 'pem' }), 'pem')).toJSON() as Record<string, string>;

const RSA: KeyFamily = { generate: (rsaBits) => generate('rsa', { modulusLength: rsaBits }), publicMembers: joseMembers };
const EC_P256: KeyFamily = { generate: () => generate('ec', { namedCurve: 'P-256' }), publicMembers: joseMembers };
// node-jose has no OKP keys; Node's own JWK export does (RFC 8037).
const ED25519: KeyFamily = {
  generate: () => generate('ed25519'),
  publicMembers: async (publicKey) => publicKey.export({ format: 'jwk' }) as Record<string, string>,
};

interface AlgorithmSpec {
  /** Digest for `crypto.sign`; null where the algorithm hashes internally (Ed25519). */
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  options: Omit<SignKeyObjectInput, 'key'>;
  family: KeyFamily;
}

const pss = (saltLength: number) => ({ padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });

const ALGORITHMS: Record<SigningAlgorithm, AlgorithmSpec> = {
  RS256: { hash: 'sha256', options: {}, family: RSA },
  RS384: { hash: 'sha384', options: {}, family: RSA },
  RS512: { hash: 'sha512', options: {}, family: RSA },
  PS256: { hash: 'sha256', options: pss(32), family: RSA },
  PS384: { hash: 'sha384', options: pss(48), family: RSA },
  PS512: { hash: 'sha512', options: pss(64), family: RSA },
  // JWS wants the raw r||s form, not DER.
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' }, family: EC_P256 },
  EdDSA: { hash: null, options: {}, family: ED25519 },
};

function spec(algorithm: string): AlgorithmSpec {
  const found = ALGORITHMS[algorithm as SigningAlgorithm];
  if (!found) throw new TypeError(`unsupported signing algorithm ${algorithm}`);
  return found;
}

/** A fresh key pair for `algorithm` (RSA of `rsaBits`, EC P-256 or Ed25519), generated off the event loop. */
export function generateSigningKeyPair(algorithm: SigningAlgorithm, rsaBits: number): Promise<KeyPair> {
  return spec(algorithm).family.generate(rsaBits);
}

/** The JWKS entry of a signing key: its public members plus `kid`, `alg` and `use: sig`. */
export async function signingJwk(algorithm: SigningAlgorithm, publicKey: KeyObject, kid: string): Promise<Record<string, string>> {
  // Our kid replaces the thumbprint kid node-jose puts in.
  return { ...(await spec(algorithm).family.publicMembers(publicKey)), kid, alg: algorithm, use: 'sig' };
}

/** JWS signature of `data` with Node's crypto, in the thread pool (the event loop keeps serving). */
export function signWith(algorithm: string, privateKey: KeyObject, data: Buffer): Promise<Buffer> {
  const { hash, options } = spec(algorithm);
  return new Promise((resolve, reject) =>
    sign(hash, data, { key: privateKey, ...options }, (error, signature) => (error ? reject(error) : resolve(signature))),
  );
}
