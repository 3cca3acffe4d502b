export {
  adminDatabaseUrl,
  createTemporaryDatabase,
  dropDatabase,
  dropStaleTestDatabases,
  testEncryptionKey,
  testRedisUrl,
  uniqueRunId,
} from './lib/test-infrastructure';
export type { TemporaryDatabase } from './lib/test-infrastructure';
export { createTestCa, EXTENDED_KEY_USAGE, KEY_USAGE } from './lib/test-ca';
export type { TestCa, TestDevice, TestDeviceOptions } from './lib/test-ca';
export { decodeJws, signClientAssertion, signJws, verifyWithJwks } from './lib/jws';
export type { ClientAssertionOptions, DecodedJws } from './lib/jws';
export { createTestApp, writeAppsFile } from './lib/apps-file';
export type { TestApp } from './lib/apps-file';
