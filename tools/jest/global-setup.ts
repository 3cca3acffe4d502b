import { migrate } from '../../libs/db/src/lib/migrate';
import {
  createTemporaryDatabase,
  dropStaleTestDatabases,
  testRedisUrl,
  uniqueRunId,
} from '../../libs/testing/src/lib/test-infrastructure';

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/**
 * Each jest run (one per Nx project) gets its own freshly migrated database
 * and its own Redis key prefix, so runs never see each other's data.
 * The env vars set here are inherited by the test workers.
 */
export default async function globalSetup(): Promise<void> {
  await dropStaleTestDatabases(STALE_AFTER_MS);
  const database = await createTemporaryDatabase();
  process.env['TEST_DATABASE_NAME'] = database.name;
  process.env['DATABASE_URL'] = database.url;
  process.env['REDIS_URL'] = testRedisUrl;
  process.env['REDIS_KEY_PREFIX'] = `dsts_test:${uniqueRunId()}:`;
  await migrate({ databaseUrl: database.url });
}
