import type { DeviceCache } from '@dsts/cache';
import type { DeviceRecord, DeviceRepository } from '@dsts/db';
import { DstsError } from '@dsts/errors';

/** A device record as JSON in Redis: dates become ISO strings. */
export type CachedDevice = Omit<DeviceRecord, 'certificateIssuedAt' | 'certificateExpiresAt' | 'createdAt' | 'updatedAt'> & {
  certificateIssuedAt: string;
  certificateExpiresAt: string;
  createdAt: string;
  updatedAt: string;
};

export interface DeviceLookupDeps {
  /** Keyed by `deviceCacheKey(tenant, device)`, which the lifecycle API invalidates on every change. */
  cache: DeviceCache<CachedDevice>;
  repository: Pick<DeviceRepository, 'find' | 'isTombstoned'>;
  /** Called when Redis fails; the lookup then falls back to Postgres. */
  onCacheError?: (error: unknown) => void;
  /** Told whether each lookup was answered by the cache (`hit`) or went to Postgres (`miss`, Redis failures included). */
  onCacheRead?: (result: 'hit' | 'miss') => void;
}

export interface DeviceLookup {
  /** The device, or DEVICE_NOT_FOUND (404) / DEVICE_TOMBSTONED (410). */
  find(tenantId: string, deviceId: string): Promise<DeviceRecord>;
  /** Drops the cached record so the next lookup reads Postgres. */
  invalidate(tenantId: string, deviceId: string): Promise<void>;
}

function revive(cached: CachedDevice): DeviceRecord {
  return {
    ...cached,
    certificateIssuedAt: new Date(cached.certificateIssuedAt),
    certificateExpiresAt: new Date(cached.certificateExpiresAt),
    createdAt: new Date(cached.createdAt),
    updatedAt: new Date(cached.updatedAt),
  };
}

/** Read-through device lookup: Redis first, then Postgres (which fills the cache). Absences are not cached. */
export function createDeviceLookup({
  cache,
  repository,
  onCacheError = () => undefined,
  onCacheRead = () => undefined,
}: DeviceLookupDeps): DeviceLookup {
  const tolerant = async <T>(operation: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      onCacheError(error);
      return fallback;
    }
  };

  return {
    async find(tenantId, deviceId) {
      const cached = await tolerant(() => cache.get(tenantId, deviceId), null);
      onCacheRead(cached ? 'hit' : 'miss');
      if (cached) return revive(cached);
      const device = await repository.find(tenantId, deviceId);
      if (device) {
        // Stored as JSON, so the dates are the ISO strings of CachedDevice.
        await tolerant(() => cache.put(tenantId, deviceId, device as unknown as CachedDevice), undefined);
        return device;
      }
      if (await repository.isTombstoned(tenantId, deviceId)) throw new DstsError('DEVICE_TOMBSTONED', 'device has been deleted');
      throw new DstsError('DEVICE_NOT_FOUND', 'device not found');
    },
    invalidate: (tenantId, deviceId) => tolerant(() => cache.invalidate(tenantId, deviceId), undefined),
  };
}
