import { type CertificatePolicy, certificateThumbprint, type DeviceCertificate, parseDeviceCertificate } from '@dsts/certificates';

/** Bounds memory: far more devices than one replica sees within a cache lifetime. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Parses device certificates once per DER: a device presents the same
 * certificate on every authentication, and parsing plus importing its key is
 * a large share of a flow's CPU. The rules of SPEC §2 depend only on the
 * bytes, except the validity window, which is checked again on every use
 * (outside it the certificate is re-parsed, so the usual error results).
 * Reusing the KeyObject also lets jose reuse its imported key.
 */
export function createCertificateCache(policy: CertificatePolicy, maxEntries = DEFAULT_MAX_ENTRIES) {
  const entries = new Map<string, DeviceCertificate>();
  return {
    parse(der: Buffer, now: Date): DeviceCertificate {
      const thumbprint = certificateThumbprint(der);
      const cached = entries.get(thumbprint);
      if (cached && cached.notBefore <= now && now <= cached.notAfter) return cached;
      const parsed = parseDeviceCertificate(der, policy, now);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(thumbprint, parsed);
      return parsed;
    },
  };
}
