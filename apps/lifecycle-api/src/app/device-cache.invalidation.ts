import { DstsError } from '@dsts/errors';
import type { RpcDeps } from './deps';

/**
 * Drops the auth-gateway's cached snapshot of a device, after its change is
 * committed, so the next authentication reads the new state. A failure is
 * reported to the caller rather than hidden: the change stands, but a stale
 * snapshot may be served until it expires.
 */
export async function invalidateCachedDevice(
  { deviceCache, config }: Pick<RpcDeps, 'deviceCache' | 'config'>,
  tenantId: string,
  deviceId: string,
): Promise<void> {
  try {
    await deviceCache.invalidate(tenantId, deviceId);
  } catch (error) {
    throw new DstsError(
      'DEPENDENCY_UNAVAILABLE',
      `change saved, but the device cache is unavailable: it may take effect only after ${config.devices.cacheTtlSeconds} s`,
      { cause: error },
    );
  }
}
