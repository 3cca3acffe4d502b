import type { PrismaClient } from '../generated/prisma/client';
import { databaseFailure } from './database-errors';

/** A backend app as declared in the apps file (SPEC §1). */
export interface RegisteredAppDefinition {
  id: string;
  name: string;
  isEnabled: boolean;
  /** SPKI PEM of the app's public key. */
  publicKey: string;
}

export interface RegisteredAppRecord extends RegisteredAppDefinition {
  createdAt: Date;
  updatedAt: Date;
}

export interface RegisteredAppRepository {
  find(id: string): Promise<RegisteredAppRecord | null>;
  /**
   * Makes the table match the apps file in one transaction: upserts every
   * listed app and disables (never deletes) the ones no longer listed, so an
   * app removed from the file stops authenticating.
   */
  synchronise(apps: readonly RegisteredAppDefinition[]): Promise<void>;
}

/** Prisma-backed {@link RegisteredAppRepository}. */
export function createRegisteredAppRepository(prisma: PrismaClient): RegisteredAppRepository {
  return {
    async find(id) {
      try {
        return await prisma.registeredApp.findUnique({ where: { id } });
      } catch (error) {
        throw databaseFailure(error);
      }
    },

    async synchronise(apps) {
      try {
        await prisma.$transaction([
          prisma.registeredApp.updateMany({
            where: { id: { notIn: apps.map((app) => app.id) }, isEnabled: true },
            data: { isEnabled: false },
          }),
          ...apps.map(({ id, ...fields }) =>
            prisma.registeredApp.upsert({ where: { id }, create: { id, ...fields }, update: fields }),
          ),
        ]);
      } catch (error) {
        throw databaseFailure(error);
      }
    },
  };
}
