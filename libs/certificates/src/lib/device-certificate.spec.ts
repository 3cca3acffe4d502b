import { createHash } from 'node:crypto';
import { createTestCa, EXTENDED_KEY_USAGE, KEY_USAGE, type TestCa, type TestDeviceOptions } from '@dsts/testing';
import { parseDeviceCertificate } from './device-certificate';

const RSA_ONLY = { allowEcP256: false };
const WITH_EC = { allowEcP256: true };
const DAY = 86_400_000;

describe('parseDeviceCertificate (SPEC §2)', () => {
  let ca: TestCa;
  const issue = (options: Partial<TestDeviceOptions> = {}) =>
    ca.issueDevice({ deviceId: 'device-1', tenantId: 'tenant-1', ...options });
  const reason = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      expect((error as { code: string }).code).toBe('INVALID_CERTIFICATE');
      return (error as Error).message;
    }
    throw new Error('expected the certificate to be refused');
  };

  beforeAll(async () => {
    ca = await createTestCa();
  });

  it('accepts a well-formed RSA-2048 device certificate and reads its identity', async () => {
    const device = await issue();
    const parsed = parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date());

    expect(parsed.commonName).toBe('device-1');
    expect(parsed.organization).toBe('tenant-1');
    expect(parsed.thumbprint).toBe(createHash('sha256').update(device.certificateDer).digest('hex'));
    expect(parsed.thumbprint).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.notBefore.getTime()).toBeLessThan(Date.now());
    expect(parsed.publicKey.asymmetricKeyType).toBe('rsa');
  });

  it('accepts clientAuth/serverAuth extended key usage', async () => {
    const device = await issue({ extendedKeyUsages: [EXTENDED_KEY_USAGE.clientAuth, EXTENDED_KEY_USAGE.serverAuth] });
    expect(parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date()).commonName).toBe('device-1');
  });

  it('reads names from attributes: a CN that looks like "x, O=evil" stays one CN', async () => {
    const device = await issue({ deviceId: 'dev,O=evil+CN=evil2/O=evil3', tenantId: 'Tenant-Case' });
    const parsed = parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date());
    expect(parsed.commonName).toBe('dev,O=evil+CN=evil2/O=evil3');
    expect(parsed.organization).toBe('Tenant-Case');
  });

  it.each([
    ['empty bytes', Buffer.alloc(0), /empty/],
    ['garbage', Buffer.from('definitely not a certificate'), /not a DER/],
    ['4 MB of zeros', Buffer.alloc(4 * 1024 * 1024), /larger than/],
  ])('refuses %s', (_label, bytes, expected) => {
    expect(reason(() => parseDeviceCertificate(bytes, RSA_ONLY, new Date()))).toMatch(expected);
  });

  it('refuses PEM and DER with trailing bytes (one certificate, one thumbprint)', async () => {
    const device = await issue();
    expect(reason(() => parseDeviceCertificate(Buffer.from(device.certificatePem), RSA_ONLY, new Date()))).toMatch(/not a DER/);
    const padded = Buffer.concat([device.certificateDer, Buffer.from([0])]);
    expect(reason(() => parseDeviceCertificate(padded, RSA_ONLY, new Date()))).toMatch(/not a DER/);
  });

  it('refuses a certificate outside its validity period', async () => {
    const device = await issue({ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 2 * DAY) });
    expect(reason(() => parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date()))).toMatch(/not yet valid/);
    expect(reason(() => parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date(Date.now() + 3 * DAY)))).toMatch(
      /expired/,
    );
  });

  it('refuses a missing CN and an ambiguous CN', async () => {
    const twoCns = await issue({ extraSubject: [{ CN: ['other'] }] });
    expect(reason(() => parseDeviceCertificate(twoCns.certificateDer, RSA_ONLY, new Date()))).toMatch(/more than one common name/);
    const emptyCn = await issue({ deviceId: '' });
    expect(reason(() => parseDeviceCertificate(emptyCn.certificateDer, RSA_ONLY, new Date()))).toMatch(/common name is missing/);
  });

  it('refuses names with control characters or longer than an id column (they become ids)', async () => {
    const nulInCn = await issue({ deviceId: 'dev1\u0000x' });
    expect(reason(() => parseDeviceCertificate(nulInCn.certificateDer, RSA_ONLY, new Date()))).toMatch(/common name contains control/);
    const newlineInO = await issue({ tenantId: 'tenant\n2' });
    expect(reason(() => parseDeviceCertificate(newlineInO.certificateDer, RSA_ONLY, new Date()))).toMatch(/organization contains control/);
    const longCn = await issue({ deviceId: 'd'.repeat(129) });
    expect(reason(() => parseDeviceCertificate(longCn.certificateDer, RSA_ONLY, new Date()))).toMatch(/longer than 128/);
  });

  it('refuses RSA keys under 2048 bits', async () => {
    const device = await issue({ rsaBits: 1024 });
    expect(reason(() => parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date()))).toMatch(/at least 2048/);
  });

  it('refuses signatures other than sha256WithRSA', async () => {
    for (const signatureHash of ['SHA-1', 'SHA-384'] as const) {
      const device = await issue({ signatureHash });
      expect(reason(() => parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date()))).toMatch(/sha256WithRSA/);
    }
  });

  it('refuses a missing key usage, or any usage besides digitalSignature', async () => {
    const none = await issue({ keyUsage: null });
    expect(reason(() => parseDeviceCertificate(none.certificateDer, RSA_ONLY, new Date()))).toMatch(/key usage extension is missing/);
    const extra = await issue({ keyUsage: KEY_USAGE.digitalSignature | KEY_USAGE.keyEncipherment });
    expect(reason(() => parseDeviceCertificate(extra.certificateDer, RSA_ONLY, new Date()))).toMatch(/exactly digitalSignature/);
    const wrong = await issue({ keyUsage: KEY_USAGE.keyCertSign });
    expect(reason(() => parseDeviceCertificate(wrong.certificateDer, RSA_ONLY, new Date()))).toMatch(/exactly digitalSignature/);
  });

  it('refuses extended key usages other than clientAuth/serverAuth', async () => {
    const device = await issue({ extendedKeyUsages: [EXTENDED_KEY_USAGE.clientAuth, EXTENDED_KEY_USAGE.codeSigning] });
    expect(reason(() => parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date()))).toMatch(/extended key usage/);
  });

  it('accepts EC P-256 device keys only when the policy allows them', async () => {
    const device = await issue({ keyType: 'ec-p256' });
    expect(reason(() => parseDeviceCertificate(device.certificateDer, RSA_ONLY, new Date()))).toMatch(/must be RSA/);
    expect(parseDeviceCertificate(device.certificateDer, WITH_EC, new Date()).publicKey.asymmetricKeyType).toBe('ec');
  });
});
