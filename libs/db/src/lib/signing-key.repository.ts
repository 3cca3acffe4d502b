import type { PrismaClient } from '../generated/prisma/client';
import { databaseFailure } from './database-errors';

export interface SigningKeyRecord {
  /** JWK `kid`. */
  id: string;
  algorithm: string;
  /** Public JWK as published. */
  publicJwk: Record<string, string>;
  /** Envelope-encrypted private key (opaque to the database). */
  encryptedPrivateKey: Buffer;
  isPrimary: boolean;
  createdAt: Date;
  /** Signs from this instant (a pending key is published earlier). */
  activatesAt: Date;
  retiredAt: Date | null;
  /** Leaves the JWKS after this instant. */
  expiresAt: Date | null;
}

export interface NewSigningKey {
  id: string;
  algorithm: string;
  publicJwk: Record<string, string>;
  encryptedPrivateKey: Buffer;
  createdAt: Date;
  activatesAt: Date;
}

export interface KeyPromotion {
  pendingId: string;
  primaryId: string;
  /** When the old primary stopped signing. */
  retiredAt: Date;
  /** When the old primary's last token has expired. */
  expiresAt: Date;
}

/**
 * Signing keys (SPEC §5). The database, not the callers, guarantees at most
 * one primary and at most one pending key, so replicas may race freely.
 */
export interface SigningKeyRepository {
  /** Keys whose tokens may be live at `now` (primary, pending, retired but unexpired), newest first. */
  listPublished(now: Date): Promise<SigningKeyRecord[]>;
  /** Inserts `key` as the primary unless one exists; false when another replica's key won. */
  insertPrimaryIfAbsent(key: NewSigningKey): Promise<boolean>;
  /** Inserts `key` as the pending successor unless one is pending already. */
  insertPendingIfAbsent(key: NewSigningKey): Promise<boolean>;
  /** Retires the primary and makes the pending key primary, atomically; false when someone else already did. */
  promote(promotion: KeyPromotion): Promise<boolean>;
}

type Row = Awaited<ReturnType<PrismaClient['signingKey']['findMany']>>[number];

function toRecord(row: Row): SigningKeyRecord {
  return {
    ...row,
    publicJwk: row.publicJwk as Record<string, string>,
    encryptedPrivateKey: Buffer.from(row.encryptedPrivateKey),
  };
}

/** Raised inside the promotion transaction to roll it back. */
class AlreadyPromoted extends Error {}

/** Prisma-backed {@link SigningKeyRepository}. */
export function createSigningKeyRepository(prisma: PrismaClient): SigningKeyRepository {
  // ON CONFLICT DO NOTHING: a conflict on a partial unique index means another replica won.
  const insertUnlessConflicting = async (key: NewSigningKey, isPrimary: boolean) => {
    try {
      const { count } = await prisma.signingKey.createMany({
        data: [{ ...key, encryptedPrivateKey: new Uint8Array(key.encryptedPrivateKey), isPrimary }],
        skipDuplicates: true,
      });
      return count === 1;
    } catch (error) {
      throw databaseFailure(error);
    }
  };

  return {
    async listPublished(now) {
      try {
        const rows = await prisma.signingKey.findMany({
          where: { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
          orderBy: [{ activatesAt: 'desc' }, { id: 'asc' }],
        });
        return rows.map(toRecord);
      } catch (error) {
        throw databaseFailure(error);
      }
    },

    insertPrimaryIfAbsent: (key) => insertUnlessConflicting(key, true),
    insertPendingIfAbsent: (key) => insertUnlessConflicting(key, false),

    async promote({ pendingId, primaryId, retiredAt, expiresAt }) {
      try {
        await prisma.$transaction(async (tx) => {
          // A concurrent promotion holds the row lock; after it commits the
          // row no longer matches, so exactly one promotion succeeds.
          const retired = await tx.signingKey.updateMany({
            where: { id: primaryId, isPrimary: true },
            data: { isPrimary: false, retiredAt, expiresAt },
          });
          const promoted = await tx.signingKey.updateMany({
            where: { id: pendingId, isPrimary: false, retiredAt: null },
            data: { isPrimary: true },
          });
          if (retired.count !== 1 || promoted.count !== 1) throw new AlreadyPromoted();
        });
        return true;
      } catch (error) {
        if (error instanceof AlreadyPromoted) return false;
        throw databaseFailure(error);
      }
    },
  };
}
