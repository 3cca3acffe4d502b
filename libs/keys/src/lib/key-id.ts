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

/**
 * Key id of any signing key: {@link rsaKeyId} for RSA (the original's rule);
 * for other key types, which have no PKCS#1 form, hex SHA-256 of the SPKI DER.
 */
export function signingKeyId(publicKey: KeyObject): string {
  if (publicKey.asymmetricKeyType === 'rsa') return rsaKeyId(publicKey);
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}
