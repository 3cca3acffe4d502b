import type { ListDevicesRequest, ListDevicesResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import { toWireDevice } from './device.mapper';
import { deviceListingQuery } from './device-listing.query';

/** A page of a tenant's devices in creation order; `next_page` is 0 on the last page. */
export function listDevices({ devices }: Pick<RpcDeps, 'devices'>) {
  return async (request: ListDevicesRequest): Promise<Omit<ListDevicesResponse, 'header'>> => {
    const query = deviceListingQuery(request);
    const page = await devices.listPage(query);
    return { devices: page.devices.map(toWireDevice), nextPage: page.hasMore ? query.pageNumber + 1 : 0 };
  };
}
