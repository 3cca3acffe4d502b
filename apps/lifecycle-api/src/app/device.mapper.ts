import type { DeviceRecord } from '@dsts/db';
import type { Device } from '@dsts/proto';

/** A stored device as the wire shows it: issued/expiry are the certificate's notBefore/notAfter. */
export function toWireDevice(record: DeviceRecord): Device {
  return {
    tid: record.tenantId,
    deviceId: record.deviceId,
    isEnabled: record.isEnabled,
    isLost: record.isLost,
    certificateThumbprint: record.certificateThumbprint,
    issuedTime: record.certificateIssuedAt,
    expiryTime: record.certificateExpiresAt,
    managementService: record.managementServiceId,
    hardwareHash: record.hardwareHash ?? '',
  };
}
