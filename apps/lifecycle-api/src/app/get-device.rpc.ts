import { DstsError } from '@dsts/errors';
import type { GetDeviceRequest, GetDeviceResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import { toWireDevice } from './device.mapper';
import { requiredId } from '@dsts/validation';

/** One device with every field (SPEC §6 GetDevice). */
export function getDevice({ devices }: Pick<RpcDeps, 'devices'>) {
  return async (request: GetDeviceRequest): Promise<Omit<GetDeviceResponse, 'header'>> => {
    const device = await devices.find(requiredId(request.tid, 'tid'), requiredId(request.deviceId, 'device_id'));
    if (!device) throw new DstsError('DEVICE_NOT_FOUND', 'device not found');
    return { device: toWireDevice(device) };
  };
}
