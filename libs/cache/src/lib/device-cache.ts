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
 * Snapshot cache of device records in front of Postgres: auth-gateway reads
 * through it, lifecycle-api invalidates on every change. Values are JSON, so
 * callers revive dates themselves.
 */
export interface DeviceCache<T> {
  get(tenantId: string, deviceId: string): Promise<T | null>;
  put(tenantId: string, deviceId: string, value: T): Promise<void>;
  invalidate(tenantId: string, deviceId: string): Promise<void>;
}

export function createDeviceCache<T>(cache: Cache, ttlSeconds: number): DeviceCache<T> {
  return {
    get: (tenantId, deviceId) => cache.getJson<T>(deviceCacheKey(tenantId, deviceId)),
    put: (tenantId, deviceId, value) => cache.setJson(deviceCacheKey(tenantId, deviceId), value, ttlSeconds),
    async invalidate(tenantId, deviceId) {
      await cache.delete(deviceCacheKey(tenantId, deviceId));
    },
  };
}
