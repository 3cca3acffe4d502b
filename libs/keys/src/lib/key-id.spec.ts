import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { rsaKeyId } from './key-id';

describe('rsaKeyId', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('is the hex SHA-256 of the PKCS#1 DER public key', () => {
    const expected = createHash('sha256').update(publicKey.export({ type: 'pkcs1', format: 'der' })).digest('hex');
    expect(rsaKeyId(publicKey)).toBe(expected);
    expect(rsaKeyId(publicKey)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the public half derived from the private key', () => {
    expect(rsaKeyId(createPublicKey(privateKey))).toBe(rsaKeyId(publicKey));
  });

  it('refuses non-RSA keys', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => rsaKeyId(ec)).toThrow(/RSA/);
  });
});
