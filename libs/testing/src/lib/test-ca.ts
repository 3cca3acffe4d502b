import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const DAY_MS = 86_400_000;

export interface TestDeviceOptions {
  deviceId: string;
  tenantId?: string;
  keyType?: 'rsa' | 'ec-p256';
  rsaBits?: number;
  signatureHash?: 'SHA-1' | 'SHA-256' | 'SHA-384';
  /** Key usage flags (`x509.KeyUsageFlags`); `null` leaves the extension out. Default: digitalSignature. */
  keyUsage?: number | null;
  /** Extended key usage OIDs; absent when undefined. */
  extendedKeyUsages?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Extra subject attributes, e.g. a second CN. */
  extraSubject?: Record<string, string[]>[];
}

export interface TestDevice {
  deviceId: string;
  tenantId?: string;
  certificateDer: Buffer;
  certificatePem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface TestCa {
  certificatePem: string;
  issueDevice(options: TestDeviceOptions): Promise<TestDevice>;
}

export const EXTENDED_KEY_USAGE = x509.ExtendedKeyUsage;
export const KEY_USAGE = x509.KeyUsageFlags;

const rsa = (bits: number, hash: string) => ({
  name: 'RSASSA-PKCS1-v1_5',
  hash,
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: bits,
});

/**
 * A throwaway CA that issues device certificates shaped like real ones
 * (RSA-2048, sha256WithRSA, CN = device id, O = tenant id, digitalSignature),
 * each rule overridable so tests can break exactly one of them.
 */
export async function createTestCa(): Promise<TestCa> {
  const caAlgorithm = rsa(2048, 'SHA-256');
  const caKeys = (await webcrypto.subtle.generateKey(caAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caPkcs8 = await webcrypto.subtle.exportKey('pkcs8', caKeys.privateKey);
  // WebCrypto binds an RSA key to one hash: re-import the CA key for the hash under test.
  const caSigningKey = (hash: string) =>
    webcrypto.subtle.importKey('pkcs8', caPkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: [{ CN: ['DSTS Test CA'] }],
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
    signingAlgorithm: caAlgorithm,
    keys: caKeys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });

  return {
    certificatePem: caCert.toString('pem'),
    async issueDevice(options) {
      const hash = options.signatureHash ?? 'SHA-256';
      const keyAlgorithm =
        options.keyType === 'ec-p256' ? { name: 'ECDSA', namedCurve: 'P-256' } : rsa(options.rsaBits ?? 2048, hash);
      const keys = (await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
      const name: Record<string, string[]>[] = [{ CN: [options.deviceId] }];
      if (options.tenantId !== undefined) name.push({ O: [options.tenantId] });
      name.push(...(options.extraSubject ?? []));
      const extensions: x509.Extension[] = [];
      const keyUsage = options.keyUsage === undefined ? x509.KeyUsageFlags.digitalSignature : options.keyUsage;
      if (keyUsage !== null) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
      if (options.extendedKeyUsages) extensions.push(new x509.ExtendedKeyUsageExtension(options.extendedKeyUsages));
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: Date.now().toString(16),
        subject: name,
        issuer: caCert.subject,
        notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
        notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY_MS),
        // The CA signs with RSA; the hash is what the rule under test looks at.
        signingAlgorithm: options.keyType === 'ec-p256' ? caAlgorithm : rsa(2048, hash),
        publicKey: keys.publicKey,
        signingKey: await caSigningKey(options.keyType === 'ec-p256' ? 'SHA-256' : hash),
        extensions,
      });
      return {
        deviceId: options.deviceId,
        tenantId: options.tenantId,
        certificateDer: Buffer.from(cert.rawData),
        certificatePem: cert.toString('pem'),
        privateKey: KeyObject.from(keys.privateKey),
        publicKey: KeyObject.from(keys.publicKey),
      };
    },
  };
}
