import { DstsError } from '@dsts/errors';
import type { PrismaClient } from '../generated/prisma/client';
import { type AuditEventRecord, auditStatement } from './audit.repository';
import { databaseFailure, guarded, prismaErrorCode } from './database-errors';

export interface EnrollmentTokenRecord {
  tenantId: string;
  token: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Changes take an optional `audit` row, written in the change's transaction. */
export interface EnrollmentTokenRepository {
  /**
   * Stores the tenant's token. A tenant holds at most one: while its token is
   * unexpired at `now` this fails with ENROLLMENT_TOKEN_ALREADY_EXISTS (the
   * primary key decides concurrent creates); an expired one is replaced.
   */
  create(token: EnrollmentTokenRecord, now: Date, audit?: AuditEventRecord): Promise<EnrollmentTokenRecord>;
  findByTenant(tenantId: string): Promise<EnrollmentTokenRecord | null>;
  findByToken(token: string): Promise<EnrollmentTokenRecord | null>;
  /** Fails with ENROLLMENT_TOKEN_NOT_FOUND when the tenant has none. */
  delete(tenantId: string, audit?: AuditEventRecord): Promise<void>;
}

const notFound = () => new DstsError('ENROLLMENT_TOKEN_NOT_FOUND', 'enrollment token not found');

/** Prisma-backed {@link EnrollmentTokenRepository}. */
export function createEnrollmentTokenRepository(prisma: PrismaClient): EnrollmentTokenRepository {
  return {
    async create(token, now, audit) {
      try {
        const [, created] = await prisma.$transaction([
          prisma.enrollmentToken.deleteMany({ where: { tenantId: token.tenantId, expiresAt: { lte: now } } }),
          prisma.enrollmentToken.create({ data: token }),
          ...auditStatement(prisma, audit),
        ]);
        return created;
      } catch (error) {
        // The tenant is the primary key. The token column is unique too, but a
        // clash of two 190-bit random tokens is not a case worth a branch.
        if (prismaErrorCode(error) === 'P2002') {
          throw new DstsError('ENROLLMENT_TOKEN_ALREADY_EXISTS', 'tenant already has an enrollment token');
        }
        throw databaseFailure(error);
      }
    },

    findByTenant: (tenantId) => guarded(() => prisma.enrollmentToken.findUnique({ where: { tenantId } })),

    findByToken: (token) => guarded(() => prisma.enrollmentToken.findUnique({ where: { token } })),

    delete: (tenantId, audit) =>
      guarded(() =>
        prisma.$transaction(async (tx) => {
          const { count } = await tx.enrollmentToken.deleteMany({ where: { tenantId } });
          if (count === 0) throw notFound();
          await Promise.all(auditStatement(tx, audit));
        }),
      ),
  };
}
