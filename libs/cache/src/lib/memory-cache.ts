import type { Cache } from './cache';

export interface MemoryCacheOptions {
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
  /** How often expired entries are swept out (they are never returned after expiry either way). */
  sweepIntervalMs?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * In-process {@link Cache} with Redis's semantics for the commands the
 * services use (TTL, GETDEL, SET NX, fixed-window INCR, and the bounded
 * INCR / guarded DECR that Redis runs as Lua scripts). JavaScript runs each
 * method body up to its first await without interleaving, and none of them
 * awaits, so every command is atomic like its Redis counterpart.
 *
 * Single instance only: nothing is shared with another process, so
 * `sharedAcrossProcesses` is false (the device cache then stays off, see
 * {@link createDeviceCache}).
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const store = (key: string, value: string, ttlSeconds: number) => {
    entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
  };
  const counterOf = (window: Entry) => ({
    count: Number(window.value),
    remainingSeconds: Math.max(1, Math.ceil((window.expiresAt - now()) / 1000)),
  });
  const countUp = (key: string, ttlSeconds: number): Entry => {
    const window = live(key) ?? { value: '0', expiresAt: now() + ttlSeconds * 1000 };
    window.value = String(Number(window.value) + 1);
    entries.set(key, window);
    return window;
  };
  const sweep = setInterval(() => {
    for (const key of entries.keys()) live(key);
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  return {
    sharedAcrossProcesses: false,
    async set(key, value, ttlSeconds) {
      store(key, value, ttlSeconds);
    },
    async setIfAbsent(key, value, ttlSeconds) {
      if (live(key)) return false;
      store(key, value, ttlSeconds);
      return true;
    },
    async get(key) {
      return live(key)?.value ?? null;
    },
    async getAndDelete(key) {
      const entry = live(key);
      entries.delete(key);
      return entry?.value ?? null;
    },
    async getJson<T>(key: string) {
      const entry = live(key);
      return entry ? (JSON.parse(entry.value) as T) : null;
    },
    async setJson(key, value, ttlSeconds) {
      store(key, JSON.stringify(value), ttlSeconds);
    },
    async delete(...keys) {
      return keys.filter((key) => live(key) && entries.delete(key)).length;
    },
    async incrementWindow(key, ttlSeconds) {
      return counterOf(countUp(key, ttlSeconds));
    },
    async incrementWindowBelow(key, limit, ttlSeconds) {
      const window = live(key);
      if (Number(window?.value ?? 0) < limit) return { ...counterOf(countUp(key, ttlSeconds)), counted: true };
      // As Redis answers for a key without a window: count 0, TTL reported as at least 1.
      return window ? { ...counterOf(window), counted: false } : { count: 0, remainingSeconds: 1, counted: false };
    },
    async decrementWindow(key) {
      const window = live(key);
      if (window && Number(window.value) > 0) window.value = String(Number(window.value) - 1);
    },
    async ping() {
      return undefined;
    },
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
