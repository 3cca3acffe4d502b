import type { DeleteDeviceRequest, DeleteDeviceResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import type { CallContext } from './unary';
import { invalidateCachedDevice } from './device-cache.invalidation';
import { requiredId } from '@dsts/validation';

/** Deletes a device, leaving its tombstone (same transaction, in the repository). */
export function deleteDevice(deps: RpcDeps) {
  return async (request: DeleteDeviceRequest, { audit }: CallContext): Promise<Omit<DeleteDeviceResponse, 'header'>> => {
    const tenantId = requiredId(request.tid, 'tid');
    const deviceId = requiredId(request.deviceId, 'device_id');
    const deleteTime = await deps.devices.delete(tenantId, deviceId, audit);
    await invalidateCachedDevice(deps, tenantId, deviceId);
    return { deleteTime };
  };
}
