import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type { PrismaClient } from '../generated/prisma/client';

export interface DatabaseOptions {
  databaseUrl: string;
  /** Upper bound of pooled connections per process. */
  poolMax?: number;
  /** Fail a checkout (and so a query) after this long instead of queueing forever. */
  connectionTimeoutMs?: number;
}

/** Prisma Client on the `pg` driver adapter (no native query engine). */
export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  });
  return new PrismaClient({ adapter });
}

/** Cheap round trip used by readiness probes. */
export async function pingDatabase(prisma: PrismaClient): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
