import Redis, { type ChainableCommander } from 'ioredis';
import { createMemoryCache } from './memory-cache';

/** A fixed-window counter: its count so far and the seconds until it resets (at least 1). */
export interface CounterWindow {
  count: number;
  remainingSeconds: number;
}

/** The window after {@link Cache.incrementWindowBelow}: `counted` is whether this call was counted. */
export interface BoundedIncrement extends CounterWindow {
  counted: boolean;
}

/** The narrow cache surface the services use; Redis-backed or in-process. */
export interface Cache {
  /**
   * Whether other processes (the other service, other replicas) see the same
   * entries: true for Redis, false in-process. Caches that another process
   * must invalidate are only used when true.
   */
  readonly sharedAcrossProcesses: boolean;
  /** Stores `value` under `key` for `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Stores `value` only if `key` holds nothing; returns whether it was stored. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  get(key: string): Promise<string | null>;
  /** Returns the value and removes it in one atomic step: at most one caller gets it. */
  getAndDelete(key: string): Promise<string | null>;
  getJson<T>(key: string): Promise<T | null>;
  setJson(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<number>;
  /**
   * Increments a counter that lives `ttlSeconds` from its first increment
   * (a fixed window); returns the new count and the seconds the window has left.
   */
  incrementWindow(key: string, ttlSeconds: number): Promise<CounterWindow>;
  /**
   * {@link incrementWindow} only while the count is below `limit`, in one
   * atomic step (so concurrent callers never overshoot it); at the limit the
   * count stays and `counted` is false.
   */
  incrementWindowBelow(key: string, limit: number, ttlSeconds: number): Promise<BoundedIncrement>;
  /** Takes one back from an open window's count: never below 0, never opens a window, keeps its end. */
  decrementWindow(key: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Lua runs atomically in Redis: no other command sees the count between the
 * comparison and the increment. KEYS[1] counter; ARGV limit, window seconds.
 * Returns { count, ttl, counted 0/1 }.
 */
const INCREMENT_WINDOW_BELOW = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local counted = 0
if count < tonumber(ARGV[1]) then
  count = redis.call('INCR', KEYS[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2], 'NX')
  counted = 1
end
return { count, redis.call('TTL', KEYS[1]), counted }`;

/** DECR keeps the key's TTL; the guard keeps it from creating a key or going below 0. */
const DECREMENT_WINDOW = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/** Runs a MULTI transaction and returns its replies; throws the first command's error. */
async function transaction(commands: ChainableCommander): Promise<unknown[]> {
  const results = await commands.exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw failed?.[0] ?? new Error('redis transaction aborted');
  return results.map(([, reply]) => reply);
}

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key, e.g. `dsts:`; lets tenants of one Redis coexist. */
  keyPrefix?: string;
  /** Per-command timeout, so a stalled Redis fails requests instead of hanging them. */
  commandTimeoutMs?: number;
}

/** Redis-backed {@link Cache}. Commands fail fast while disconnected rather than queueing. */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix ?? '',
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
  });
  // Connection errors surface through failing commands; without a listener
  // ioredis would print every reconnect attempt as an unhandled error.
  redis.on('error', () => undefined);
  return {
    sharedAcrossProcesses: true,
    async set(key, value, ttlSeconds) {
      await redis.set(key, value, 'EX', ttlSeconds);
    },
    async setIfAbsent(key, value, ttlSeconds) {
      return (await redis.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
    },
    get: (key) => redis.get(key),
    getAndDelete: (key) => redis.getdel(key),
    async getJson<T>(key: string) {
      const raw = await redis.get(key);
      return raw === null ? null : (JSON.parse(raw) as T);
    },
    async setJson(key, value, ttlSeconds) {
      await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
    },
    delete: (...keys) => (keys.length === 0 ? Promise.resolve(0) : redis.del(...keys)),
    async incrementWindow(key, ttlSeconds) {
      const [count, , ttl] = await transaction(redis.multi().incr(key).expire(key, ttlSeconds, 'NX').ttl(key));
      return { count: Number(count), remainingSeconds: Math.max(1, Number(ttl)) };
    },
    async incrementWindowBelow(key, limit, ttlSeconds) {
      const [count, ttl, counted] = (await redis.eval(INCREMENT_WINDOW_BELOW, 1, key, limit, ttlSeconds)) as [number, number, number];
      return { count, remainingSeconds: Math.max(1, ttl), counted: counted === 1 };
    },
    async decrementWindow(key) {
      await redis.eval(DECREMENT_WINDOW, 1, key);
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export type CacheBackend = 'redis' | 'memory';

export interface CacheOptions extends RedisCacheOptions {
  backend: CacheBackend;
}

/** The configured cache: Redis, or the single-instance in-process one (`url` then unused). */
export function createCache({ backend, ...redis }: CacheOptions): Cache {
  return backend === 'memory' ? createMemoryCache() : createRedisCache(redis);
}

/** What a service logs at start when it runs with the in-process cache. */
export const MEMORY_CACHE_WARNING =
  'CACHE=memory: challenges, rate limits and caches live in this process only; single instance only (no replicas), device cache off';
