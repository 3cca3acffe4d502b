import { parseDeviceCertificate } from '@dsts/certificates';
import type { CertificateFacts } from '@dsts/db';
import { DstsError } from '@dsts/errors';
import type { RpcDeps } from './deps';

/**
 * Applies SPEC §2 to a certificate given on CreateDevice/UpdateDevice: all the
 * authentication rules, the subject CN must be the request's device id and the
 * subject O its tid — the gateway finds the device by (O, CN), so any other
 * certificate would register a device that can never authenticate.
 */
export function checkDeviceCertificate(
  { config, clock }: Pick<RpcDeps, 'config' | 'clock'>,
  bytes: Uint8Array,
  tenantId: string,
  deviceId: string,
): CertificateFacts {
  if (bytes.length === 0) throw new DstsError('INVALID_REQUEST', 'device_certificate is required');
  const certificate = parseDeviceCertificate(bytes, { allowEcP256: config.devices.allowEcP256 }, clock());
  if (certificate.commonName !== deviceId) {
    throw new DstsError('INVALID_CERTIFICATE', 'invalid device certificate: subject common name must equal device_id');
  }
  if (certificate.organization !== tenantId) {
    throw new DstsError('INVALID_CERTIFICATE', 'invalid device certificate: subject organization must equal tid');
  }
  return { thumbprint: certificate.thumbprint, issuedAt: certificate.notBefore, expiresAt: certificate.notAfter };
}
