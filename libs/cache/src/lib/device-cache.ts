import type { Cache } from './cache';

/**
 * Cache key of one device. Tenant and device id are both part of it (the
 * original keyed by device id alone, across tenants) and are percent-encoded,
 * so `a:b`/`c` and `a`/`b:c` cannot collide.
 */
export function deviceCacheKey(tenantId: string, deviceId: string): string {
  return `device:${encodeURIComponent(tenantId)}:${encodeURIComponent(deviceId)}`;
}

/**
 * Written over a device's entry when it changes. A reader that loaded the row
 * before the change cannot store it afterwards (stores never overwrite), so
 * the next authentication always sees the change. It must outlive any
 * in-flight read-then-store; after it expires the entry is filled afresh.
 */
const INVALIDATED = '!invalidated';
export const INVALIDATION_HOLD_SECONDS = 30;

/**
 * Snapshot cache of device records in front of Postgres: auth-gateway reads
 * through it, lifecycle-api invalidates on every change. Values are JSON, so
 * callers revive dates themselves.
 */
export interface DeviceCache<T> {
  get(tenantId: string, deviceId: string): Promise<T | null>;
  /** Stores a snapshot unless the entry exists or was just invalidated. */
  put(tenantId: string, deviceId: string, value: T): Promise<void>;
  invalidate(tenantId: string, deviceId: string): Promise<void>;
}

/** Used when the cache is not shared: nothing is stored, every lookup goes to Postgres. */
const NO_DEVICE_CACHE: DeviceCache<never> = {
  get: async () => null,
  put: async () => undefined,
  invalidate: async () => undefined,
};

/**
 * The lifecycle-api invalidates entries the auth-gateway reads, two
 * processes: with a cache they do not share (in-process), an invalidation
 * could never reach the reader, so the device cache is off and every
 * authentication reads the current row.
 */
export function createDeviceCache<T>(cache: Cache, ttlSeconds: number): DeviceCache<T> {
  if (!cache.sharedAcrossProcesses) return NO_DEVICE_CACHE;
  return {
    async get(tenantId, deviceId) {
      const raw = await cache.get(deviceCacheKey(tenantId, deviceId));
      return raw === null || raw === INVALIDATED ? null : (JSON.parse(raw) as T);
    },
    async put(tenantId, deviceId, value) {
      await cache.setIfAbsent(deviceCacheKey(tenantId, deviceId), JSON.stringify(value), ttlSeconds);
    },
    async invalidate(tenantId, deviceId) {
      await cache.set(deviceCacheKey(tenantId, deviceId), INVALIDATED, INVALIDATION_HOLD_SECONDS);
    },
  };
}
