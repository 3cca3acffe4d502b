import type { ChallengeStore, IssuedChallenge } from '@dsts/cache';
import type { DeviceRecord, DeviceRepository } from '@dsts/db';
import { DstsError } from '@dsts/errors';
import type { AuthenticationAttempt } from './authentication-attempt';
import { createCertificateCache } from './certificate-cache';
import { requiredId } from '@dsts/validation';
import { type AssertionRequest, assertionHeader, firstX5cCertificate, requireAssertion, verifyAssertion } from './client-assertion';
import type { DeviceLookup } from './device-lookup';
import { redeemChallenge } from './redeem-challenge';
import type { IssuedToken, TokenIssuer } from './token-issuer';

export interface DeviceAuthenticatorDeps {
  challenges: ChallengeStore;
  devices: DeviceLookup;
  repository: Pick<DeviceRepository, 'finishRollover'>;
  tokens: TokenIssuer;
  /** Also accept EC P-256 device certificates, whose assertions are ES256 (SPEC §2). */
  allowEcP256: boolean;
  clock: () => Date;
}

export interface DeviceAuthenticator {
  /** A fresh challenge for any device id, without looking the device up (SPEC §3 step 1). */
  issueChallenge(deviceId: string | undefined): Promise<IssuedChallenge>;
  /**
   * Verifies a device's client assertion (SPEC §3 step 3) and issues its
   * access token; `attempt` learns the claimed (tenant, device) first.
   */
  authenticate(request: AssertionRequest, attempt?: AuthenticationAttempt): Promise<IssuedToken>;
}

/** Which of the device's certificates was presented; throws when neither. */
function presentedCertificate(device: DeviceRecord, thumbprint: string): 'current' | 'previous' {
  if (!device.isEnabled || device.isLost) throw new DstsError('DEVICE_BLOCKED', 'device authentication is blocked');
  if (thumbprint === device.certificateThumbprint) return 'current';
  if (thumbprint === device.previousCertificateThumbprint) return 'previous';
  throw new DstsError('CERTIFICATE_MISMATCH', 'invalid device certificate');
}

export function createDeviceAuthenticator(deps: DeviceAuthenticatorDeps): DeviceAuthenticator {
  const algorithms = deps.allowEcP256 ? ['RS512', 'ES256'] : ['RS512'];
  const certificates = createCertificateCache({ allowEcP256: deps.allowEcP256 });

  return {
    async issueChallenge(deviceId) {
      return deps.challenges.issue('device', requiredId(deviceId ?? '', 'device_id'), deps.clock());
    },

    async authenticate(request, attempt) {
      const assertion = requireAssertion(request);
      const now = deps.clock();
      const header = assertionHeader(assertion, algorithms);
      const certificate = certificates.parse(firstX5cCertificate(header.x5c), now);
      const deviceId = certificate.commonName;
      const tenantId = certificate.organization;
      if (!tenantId) throw new DstsError('INVALID_CERTIFICATE', 'invalid device certificate: subject organization (tenant id) is missing');
      await attempt?.claimed({ kind: 'device', tenantId, deviceId });

      const device = await deps.devices.find(tenantId, deviceId);
      const presented = presentedCertificate(device, certificate.thumbprint);
      const claims = await verifyAssertion(assertion, { key: certificate.publicKey, algorithms, subject: deviceId, now });
      await redeemChallenge(deps.challenges, 'device', deviceId, claims.nonce);

      // Only now — signature, time claims and nonce all passed — may the rollover end.
      if (presented === 'current' && device.previousCertificateThumbprint !== null) {
        await deps.repository.finishRollover(tenantId, deviceId, certificate.thumbprint);
        await deps.devices.invalidate(tenantId, deviceId);
      }
      return deps.tokens.issue({ typ: 'device', deviceId, tenantId, managementService: device.managementServiceId });
    },
  };
}
