import { createTestCa, KEY_USAGE } from '@dsts/testing';
import { createCertificateCache } from './certificate-cache';

describe('certificate cache', () => {
  const day = 86_400_000;

  it('returns the same parsed certificate for the same DER, and re-checks validity on every use', async () => {
    const ca = await createTestCa();
    const notAfter = new Date(Date.now() + day);
    const device = await ca.issueDevice({ deviceId: 'd', tenantId: 't', notAfter });
    const cache = createCertificateCache({ allowEcP256: false });

    const first = cache.parse(device.certificateDer, new Date());
    expect(cache.parse(Buffer.from(device.certificateDer), new Date())).toBe(first);
    expect(first).toMatchObject({ commonName: 'd', organization: 't' });

    expect(() => cache.parse(device.certificateDer, new Date(notAfter.getTime() + day))).toThrow('invalid device certificate: certificate has expired');
  });

  it('never caches a certificate that breaks a rule', async () => {
    const ca = await createTestCa();
    const bad = await ca.issueDevice({ deviceId: 'd', tenantId: 't', keyUsage: KEY_USAGE.keyEncipherment });
    const cache = createCertificateCache({ allowEcP256: false });

    expect(() => cache.parse(bad.certificateDer, new Date())).toThrow(/key usage/);
    expect(() => cache.parse(bad.certificateDer, new Date())).toThrow(/key usage/);
  });

  it('stays within its bound', async () => {
    const ca = await createTestCa();
    const cache = createCertificateCache({ allowEcP256: false }, 1);
    const [a, b] = await Promise.all([ca.issueDevice({ deviceId: 'a', tenantId: 't' }), ca.issueDevice({ deviceId: 'b', tenantId: 't' })]);

    const parsedA = cache.parse(a.certificateDer, new Date());
    cache.parse(b.certificateDer, new Date());

    expect(cache.parse(a.certificateDer, new Date())).not.toBe(parsedA);
  });
});
