import type { CreateDeviceRequest, CreateDeviceResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import type { CallContext } from './unary';
import { checkDeviceCertificate } from './device-certificate.check';
import { invalidateCachedDevice } from './device-cache.invalidation';
import { MAX_HARDWARE_HASH_LENGTH, MAX_MANAGEMENT_SERVICE_LENGTH, optionalText, requiredId } from '@dsts/validation';

/** Registers a device with its certificate (SPEC §6 CreateDevice). */
export function createDevice(deps: RpcDeps) {
  return async (request: CreateDeviceRequest, { audit }: CallContext): Promise<Omit<CreateDeviceResponse, 'header'>> => {
    const tenantId = requiredId(request.tid, 'tid');
    const deviceId = requiredId(request.deviceId, 'device_id');
    const managementServiceId = optionalText(request.managementService, 'management_service', MAX_MANAGEMENT_SERVICE_LENGTH);
    const hardwareHash = optionalText(request.hardwareHash, 'hardware_hash', MAX_HARDWARE_HASH_LENGTH);
    const certificate = checkDeviceCertificate(deps, request.deviceCertificate, tenantId, deviceId);
    const created = await deps.devices.create({ tenantId, deviceId, certificate, managementServiceId, hardwareHash }, audit);
    // Nothing the gateway cached for this id earlier (e.g. of a deleted device) may outlive the registration.
    await invalidateCachedDevice(deps, tenantId, deviceId);
    return { createTime: created.createdAt };
  };
}
