import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DstsError } from '@dsts/errors';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const KEY_BYTES = 32;

interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

/** Stored form: the data key wrapped by the key-encryption key, and the private key under the data key. */
interface Envelope {
  v: 1;
  alg: 'A256GCM';
  wrappedKey: Sealed;
  privateKey: Sealed;
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv).setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer {
  const decipher = createDecipheriv(CIPHER, key, Buffer.from(sealed.iv, 'base64')).setAAD(aad);
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
}

function checkKek(kek: Buffer): void {
  if (kek.length !== KEY_BYTES) throw new TypeError('the key-encryption key must be 32 bytes');
}

/**
 * Envelope-encrypts a private key (AES-256-GCM twice): a fresh data key
 * encrypts the key material, the key-encryption key wraps the data key.
 * `keyId` is authenticated with both, so a ciphertext cannot be moved to another row.
 */
export function sealPrivateKey(privateKeyDer: Buffer, kek: Buffer, keyId: string): Buffer {
  checkKek(kek);
  const aad = Buffer.from(`dsts-signing-key:${keyId}`);
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const envelope: Envelope = { v: 1, alg: 'A256GCM', wrappedKey: seal(kek, dataKey, aad), privateKey: seal(dataKey, privateKeyDer, aad) };
    return Buffer.from(JSON.stringify(envelope));
  } finally {
    dataKey.fill(0);
  }
}

/** Reverses {@link sealPrivateKey}; a wrong key-encryption key or a tampered envelope is an INTERNAL error. */
export function openPrivateKey(sealed: Buffer, kek: Buffer, keyId: string): Buffer {
  checkKek(kek);
  const aad = Buffer.from(`dsts-signing-key:${keyId}`);
  try {
    const envelope = JSON.parse(sealed.toString('utf8')) as Envelope;
    if (envelope.v !== 1 || envelope.alg !== 'A256GCM') throw new Error(`unsupported envelope version`);
    const dataKey = open(kek, envelope.wrappedKey, aad);
    try {
      return open(dataKey, envelope.privateKey, aad);
    } finally {
      dataKey.fill(0);
    }
  } catch (cause) {
    throw new DstsError('INTERNAL', `signing key ${keyId} cannot be decrypted (wrong SIGNING_KEY_ENCRYPTION_KEY?)`, { cause });
  }
}
