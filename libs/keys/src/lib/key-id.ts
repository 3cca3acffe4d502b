import { createHash, type KeyObject } from 'node:crypto';

/**
 * Key id as the original service derives it (SPEC §4): lowercase hex SHA-256
 * of the PKCS#1 DER encoding of the RSA public key.
 */
export function rsaKeyId(publicKey: KeyObject): string {
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`rsaKeyId needs an RSA key, got ${publicKey.asymmetricKeyType}`);
  }
  const der = publicKey.export({ type: 'pkcs1', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}
