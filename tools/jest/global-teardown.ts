import Redis from 'ioredis';
import { dropDatabase, testRedisUrl } from '../../libs/testing/src/lib/test-infrastructure';

/** Deletes every Redis key under `prefix` (a test run's or a benchmark's). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Drops the run's database and deletes its Redis keys: a run leaves nothing behind. */
export default async function globalTeardown(): Promise<void> {
  const database = process.env['TEST_DATABASE_NAME'];
  const prefix = process.env['REDIS_KEY_PREFIX'];
  if (database) await dropDatabase(database);
  if (prefix) await deleteRedisKeys(prefix);
}
