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
export { signJws } from './lib/jws';
export { decodeJws, signClientAssertion, verifyWithJwks } from '@dsts/client';
export type { ClientAssertionOptions, DecodedJws } from '@dsts/client';
export { createTestApp, writeAppsFile } from './lib/apps-file';
export type { TestApp } from './lib/apps-file';
export { freePort, startBuiltServices, waitUntilServing } from './lib/built-services';
export type { BuiltServices } from './lib/built-services';
export { createTestPki, TEST_ADMIN_IDENTITY, writeTestTls } from './lib/test-tls';
export type { IssueOptions, TestCertificate, TestGrants, TestPki, TestTls } from './lib/test-tls';
