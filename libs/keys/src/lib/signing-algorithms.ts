import { constants, generateKeyPair, type KeyObject, sign, type SignKeyObjectInput } from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningAlgorithm } from '@dsts/config';

const generate = promisify(generateKeyPair);

interface AlgorithmSpec {
  hash: 'sha256' | 'sha384' | 'sha512';
  options: Omit<SignKeyObjectInput, 'key'>;
  family: 'rsa' | 'ec';
}

const pss = (saltLength: number) => ({ padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });

const ALGORITHMS: Record<SigningAlgorithm, AlgorithmSpec> = {
  RS256: { hash: 'sha256', options: {}, family: 'rsa' },
  RS384: { hash: 'sha384', options: {}, family: 'rsa' },
  RS512: { hash: 'sha512', options: {}, family: 'rsa' },
  PS256: { hash: 'sha256', options: pss(32), family: 'rsa' },
  PS384: { hash: 'sha384', options: pss(48), family: 'rsa' },
  PS512: { hash: 'sha512', options: pss(64), family: 'rsa' },
  // JWS wants the raw r||s form, not DER.
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' }, family: 'ec' },
};

function spec(algorithm: string): AlgorithmSpec {
  const found = ALGORITHMS[algorithm as SigningAlgorithm];
  if (!found) throw new TypeError(`unsupported signing algorithm ${algorithm}`);
  return found;
}

/** A fresh key pair for `algorithm` (RSA of `rsaBits`, or EC P-256), generated off the event loop. */
export async function generateSigningKeyPair(
  algorithm: SigningAlgorithm,
  rsaBits: number,
): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return spec(algorithm).family === 'rsa'
    ? generate('rsa', { modulusLength: rsaBits })
    : generate('ec', { namedCurve: 'P-256' });
}

/** JWS signature of `data` with Node's crypto, in the thread pool (the event loop keeps serving). */
export function signWith(algorithm: string, privateKey: KeyObject, data: Buffer): Promise<Buffer> {
  const { hash, options } = spec(algorithm);
  return new Promise((resolve, reject) =>
    sign(hash, data, { key: privateKey, ...options }, (error, signature) => (error ? reject(error) : resolve(signature))),
  );
}
