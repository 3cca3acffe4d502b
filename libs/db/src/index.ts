export { createPrismaClient, pingDatabase } from './lib/prisma-client';
export type { DatabaseOptions, DatabaseQuery, PrismaClient } from './lib/prisma-client';
export { migrate, MigrationError, pendingMigrations } from './lib/migrate';
export type { MigrationOptions, MigrationResult } from './lib/migrate';
export { defaultMigrationsDir } from './lib/migrations-dir';
export { databaseConnectionProblem, databaseFailure } from './lib/database-errors';
export type { DatabaseConnectionProblem } from './lib/database-errors';
export { createDeviceRepository, UNMANAGED } from './lib/device.repository';
export type {
  CertificateFacts,
  DeviceChanges,
  DevicePage,
  DevicePageQuery,
  DeviceRecord,
  DeviceRepository,
  NewDevice,
} from './lib/device.repository';
export { createEnrollmentTokenRepository } from './lib/enrollment-token.repository';
export type { EnrollmentTokenRecord, EnrollmentTokenRepository } from './lib/enrollment-token.repository';
export { createSigningKeyRepository } from './lib/signing-key.repository';
export type { KeyPromotion, NewSigningKey, SigningKeyRecord, SigningKeyRepository } from './lib/signing-key.repository';
export { createRegisteredAppRepository } from './lib/registered-app.repository';
export type {
  RegisteredAppDefinition,
  RegisteredAppRecord,
  RegisteredAppRepository,
} from './lib/registered-app.repository';
export { createAuditRepository, MAX_AUDIT_EVENTS_PER_QUERY } from './lib/audit.repository';
export type { AuditEventQuery, AuditEventRecord, AuditRepository } from './lib/audit.repository';
