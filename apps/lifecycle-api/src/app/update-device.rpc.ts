import type { DeviceChanges } from '@dsts/db';
import type { UpdateDeviceRequest, UpdateDeviceResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import type { CallContext } from './unary';
import { checkDeviceCertificate } from './device-certificate.check';
import { invalidateCachedDevice } from './device-cache.invalidation';
import { requiredId } from '@dsts/validation';
import { updatedFields } from './update-mask';

/**
 * Changes the masked fields. A new certificate passes SPEC §2 with CN =
 * device id and starts a rollover (the old thumbprint stays valid as previous).
 */
export function updateDevice(deps: RpcDeps) {
  return async (request: UpdateDeviceRequest, { audit }: CallContext): Promise<Omit<UpdateDeviceResponse, 'header'>> => {
    const tenantId = requiredId(request.tid, 'tid');
    const deviceId = requiredId(request.deviceId, 'device_id');
    const fields = updatedFields(request.updateMask ?? []);
    const update = request.update ?? { isEnabled: false, isLost: false, deviceCertificate: Buffer.alloc(0) };
    const changes: DeviceChanges = {
      isEnabled: fields.has('enabled') ? update.isEnabled : undefined,
      isLost: fields.has('lost') ? update.isLost : undefined,
      certificate: fields.has('certificate') ? checkDeviceCertificate(deps, update.deviceCertificate, tenantId, deviceId) : undefined,
    };
    const updated = await deps.devices.update(tenantId, deviceId, changes, audit);
    await invalidateCachedDevice(deps, tenantId, deviceId);
    return { updateTime: updated.updatedAt };
  };
}
