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
export { freePort, grpcHealthStatus, startBuiltGateways, startBuiltServices, waitUntilServing } from './lib/built-services';
export type { BuiltGateways, BuiltServices } from './lib/built-services';
export { startOtlpReceiver } from './lib/otlp-receiver';
export type { OtlpReceiver, ReceivedSpan } from './lib/otlp-receiver';
export { eventually } from './lib/eventually';
export { metricValue } from './lib/prometheus-text';
export { captureLogs } from './lib/log-capture';
export type { CapturedLogs } from './lib/log-capture';
export { createTestPki, TEST_ADMIN_IDENTITY, writeTestTls } from './lib/test-tls';
export type { IssueOptions, TestCertificate, TestGrants, TestPki, TestTls } from './lib/test-tls';
