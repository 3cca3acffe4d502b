import { DstsError } from '@dsts/errors';
import type { PrismaClient } from '../generated/prisma/client';
import { type AuditEventRecord, auditStatement } from './audit.repository';
import { databaseFailure, guarded, prismaErrorCode } from './database-errors';

/** Management service id of unmanaged devices (the default). */
export const UNMANAGED = 'none';

export interface DeviceRecord {
  tenantId: string;
  deviceId: string;
  certificateThumbprint: string;
  /** Set while a certificate rollover is in progress. */
  previousCertificateThumbprint: string | null;
  certificateIssuedAt: Date;
  certificateExpiresAt: Date;
  isEnabled: boolean;
  isLost: boolean;
  managementServiceId: string;
  hardwareHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CertificateFacts {
  thumbprint: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface NewDevice {
  tenantId: string;
  deviceId: string;
  certificate: CertificateFacts;
  /** Empty means the default (`none`). */
  managementServiceId?: string;
  /** Blank means unknown (stored as NULL). */
  hardwareHash?: string;
}

export interface DeviceChanges {
  isEnabled?: boolean;
  isLost?: boolean;
  /** A new certificate: the current thumbprint becomes the previous one (rollover). */
  certificate?: CertificateFacts;
}

export interface DevicePageQuery {
  tenantId: string;
  /** undefined: all devices. */
  enabled?: boolean;
  pageSize: number;
  /** 1-based. */
  pageNumber: number;
}

export interface DevicePage {
  devices: DeviceRecord[];
  hasMore: boolean;
}

/**
 * Changes take an optional `audit` row, written in the change's transaction:
 * the change commits with its audit row or not at all.
 */
export interface DeviceRepository {
  find(tenantId: string, deviceId: string): Promise<DeviceRecord | null>;
  isTombstoned(tenantId: string, deviceId: string): Promise<boolean>;
  create(device: NewDevice, audit?: AuditEventRecord): Promise<DeviceRecord>;
  listPage(query: DevicePageQuery): Promise<DevicePage>;
  update(tenantId: string, deviceId: string, changes: DeviceChanges, audit?: AuditEventRecord): Promise<DeviceRecord>;
  /** Deletes the device and writes its tombstone in one transaction; returns the deletion time. */
  delete(tenantId: string, deviceId: string, audit?: AuditEventRecord): Promise<Date>;
  /**
   * Ends a rollover once the new certificate has been used: clears the previous
   * thumbprint only if `currentThumbprint` is still the stored one.
   * Returns whether anything changed.
   */
  finishRollover(tenantId: string, deviceId: string, currentThumbprint: string): Promise<boolean>;
}

const notFound = () => new DstsError('DEVICE_NOT_FOUND', 'device not found');

/** Prisma-backed {@link DeviceRepository}. */
export function createDeviceRepository(prisma: PrismaClient): DeviceRepository {
  const key = (tenantId: string, deviceId: string) => ({ tenantId_deviceId: { tenantId, deviceId } });

  return {
    find: (tenantId, deviceId) => guarded(() => prisma.device.findUnique({ where: key(tenantId, deviceId) })),

    isTombstoned: (tenantId, deviceId) =>
      guarded(async () => (await prisma.tombstonedDevice.count({ where: { tenantId, deviceId } })) > 0),

    async create(device, audit) {
      try {
        // A device id may be registered again after deletion: it is no longer gone.
        const [, created] = await prisma.$transaction([
          prisma.tombstonedDevice.deleteMany({ where: { tenantId: device.tenantId, deviceId: device.deviceId } }),
          prisma.device.create({
            data: {
              tenantId: device.tenantId,
              deviceId: device.deviceId,
              certificateThumbprint: device.certificate.thumbprint,
              certificateIssuedAt: device.certificate.issuedAt,
              certificateExpiresAt: device.certificate.expiresAt,
              managementServiceId: device.managementServiceId || UNMANAGED,
              hardwareHash: device.hardwareHash?.trim() ? device.hardwareHash : null,
            },
          }),
          ...auditStatement(prisma, audit),
        ]);
        return created;
      } catch (error) {
        const code = prismaErrorCode(error);
        if (code === 'P2002') throw new DstsError('DEVICE_ALREADY_EXISTS', 'device already exists');
        if (code === 'P2003') throw new DstsError('UNKNOWN_MANAGEMENT_SERVICE', 'unknown management service');
        throw databaseFailure(error);
      }
    },

    listPage: ({ tenantId, enabled, pageSize, pageNumber }) =>
      guarded(async () => {
        // One extra row tells whether a next page exists. The (tenant, [enabled,]
        // created_at, device_id) indexes serve the order, so a page costs an index
        // range walk of offset + size entries, never a table scan or a sort.
        const rows = await prisma.device.findMany({
          where: { tenantId, ...(enabled === undefined ? {} : { isEnabled: enabled }) },
          orderBy: [{ createdAt: 'asc' }, { deviceId: 'asc' }],
          skip: (pageNumber - 1) * pageSize,
          take: pageSize + 1,
        });
        return { devices: rows.slice(0, pageSize), hasMore: rows.length > pageSize };
      }),

    async update(tenantId, deviceId, changes, audit) {
      try {
        return await prisma.$transaction(async (tx) => {
          // FOR UPDATE: concurrent certificate changes must each see the thumbprint they replace.
          const [current] = await tx.$queryRaw<{ certificateThumbprint: string }[]>`
            SELECT certificate_thumbprint AS "certificateThumbprint" FROM devices
            WHERE tenant_id = ${tenantId} AND device_id = ${deviceId} FOR UPDATE`;
          if (!current) throw notFound();
          const updated = await tx.device.update({
            where: key(tenantId, deviceId),
            data: {
              isEnabled: changes.isEnabled,
              isLost: changes.isLost,
              ...(changes.certificate && {
                certificateThumbprint: changes.certificate.thumbprint,
                certificateIssuedAt: changes.certificate.issuedAt,
                certificateExpiresAt: changes.certificate.expiresAt,
                previousCertificateThumbprint:
                  changes.certificate.thumbprint === current.certificateThumbprint ? undefined : current.certificateThumbprint,
              }),
            },
          });
          await Promise.all(auditStatement(tx, audit));
          return updated;
        });
      } catch (error) {
        if (prismaErrorCode(error) === 'P2025') throw notFound();
        throw databaseFailure(error);
      }
    },

    async delete(tenantId, deviceId, audit) {
      try {
        return await prisma.$transaction(async (tx) => {
          const { count } = await tx.device.deleteMany({ where: { tenantId, deviceId } });
          if (count === 0) throw notFound();
          const tombstone = await tx.tombstonedDevice.upsert({
            where: key(tenantId, deviceId),
            create: { tenantId, deviceId },
            update: { deletedAt: new Date() },
          });
          await Promise.all(auditStatement(tx, audit));
          return tombstone.deletedAt;
        });
      } catch (error) {
        throw databaseFailure(error);
      }
    },

    finishRollover: (tenantId, deviceId, currentThumbprint) =>
      guarded(async () => {
        const { count } = await prisma.device.updateMany({
          where: { tenantId, deviceId, certificateThumbprint: currentThumbprint, previousCertificateThumbprint: { not: null } },
          data: { previousCertificateThumbprint: null },
        });
        return count > 0;
      }),
  };
}
