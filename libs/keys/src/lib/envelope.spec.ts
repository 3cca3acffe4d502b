import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DstsError } from '@dsts/errors';
import { openPrivateKey, sealPrivateKey } from './envelope';

describe('private key envelope', () => {
  const kek = randomBytes(32);
  const der = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' });

  it('round-trips, and the sealed form contains none of the key material', () => {
    const sealed = sealPrivateKey(der, kek, 'kid-1');

    expect(openPrivateKey(sealed, kek, 'kid-1').equals(der)).toBe(true);
    expect(sealed.includes(der.subarray(100, 132))).toBe(false);
    expect(sealed.toString('utf8')).not.toContain(der.toString('base64').slice(40, 80));
  });

  it('uses fresh randomness for every seal', () => {
    expect(sealPrivateKey(der, kek, 'kid-1').equals(sealPrivateKey(der, kek, 'kid-1'))).toBe(false);
  });

  it('refuses a wrong key-encryption key, another key id, and tampering, as INTERNAL errors', () => {
    const sealed = sealPrivateKey(der, kek, 'kid-1');
    const tampered = Buffer.from(sealed.toString('utf8').replace(/"data":"(.)/g, (_m, c: string) => `"data":"${c === 'A' ? 'B' : 'A'}`));

    for (const attempt of [
      () => openPrivateKey(sealed, randomBytes(32), 'kid-1'),
      () => openPrivateKey(sealed, kek, 'kid-2'),
      () => openPrivateKey(tampered, kek, 'kid-1'),
    ]) {
      expect(attempt).toThrow(DstsError);
      expect(attempt).toThrow(/cannot be decrypted/);
    }
  });

  it('insists on a 32-byte key-encryption key', () => {
    expect(() => sealPrivateKey(der, randomBytes(16), 'k')).toThrow(/32 bytes/);
  });
});
