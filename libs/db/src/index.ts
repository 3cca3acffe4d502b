export { createPrismaClient, pingDatabase } from './lib/prisma-client';
export type { DatabaseOptions, PrismaClient } from './lib/prisma-client';
export { migrate, MigrationError } from './lib/migrate';
export type { MigrationOptions, MigrationResult } from './lib/migrate';
export { defaultMigrationsDir } from './lib/migrations-dir';
export type {
  Device,
  EnrollmentToken,
  ManagementService,
  RegisteredApp,
  SigningKey,
  TombstonedDevice,
} from './generated/prisma/client';
