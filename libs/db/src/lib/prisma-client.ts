import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type { PrismaClient } from '../generated/prisma/client';

/** One finished Prisma operation: the model (undefined for raw SQL), the operation and how long it took. */
export interface DatabaseQuery {
  model: string | undefined;
  operation: string;
  seconds: number;
  failed: boolean;
}

export interface DatabaseOptions {
  databaseUrl: string;
  /** Upper bound of pooled connections per process. */
  poolMax?: number;
  /** Fail a checkout (and so a query) after this long instead of queueing forever. */
  connectionTimeoutMs?: number;
  /** Told about every operation (e.g. a latency histogram); never changes its outcome. */
  onQuery?: (query: DatabaseQuery) => void;
}

/** Prisma Client on the `pg` driver adapter (no native query engine). */
export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  });
  const prisma = new PrismaClient({ adapter });
  const { onQuery } = options;
  if (!onQuery) return prisma;
  // A query extension sees every model operation and raw query, inside transactions too; it
  // leaves results and types as they are, so the extended client is still a PrismaClient.
  return prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const started = process.hrtime.bigint();
        const observe = (failed: boolean) =>
          onQuery({ model, operation, seconds: Number(process.hrtime.bigint() - started) / 1e9, failed });
        try {
          const result = await query(args);
          observe(false);
          return result;
        } catch (error) {
          observe(true);
          throw error;
        }
      },
    },
  }) as unknown as PrismaClient;
}

/** Cheap round trip used by readiness probes. */
export async function pingDatabase(prisma: PrismaClient): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
