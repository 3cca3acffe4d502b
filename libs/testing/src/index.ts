export {
  adminDatabaseUrl,
  createTemporaryDatabase,
  dropDatabase,
  testRedisUrl,
  uniqueRunId,
} from './lib/test-infrastructure';
export type { TemporaryDatabase } from './lib/test-infrastructure';
