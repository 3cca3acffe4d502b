import { DstsError } from '@dsts/errors';

/** Prisma codes that mean the database is unreachable, saturated or timing out. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
/** character_not_in_repertoire (e.g. NUL), untranslatable_character. */
const UNSTORABLE_TEXT_SQLSTATES = new Set(['22021', '22P05']);
/** SQLSTATEs with the same meaning: too_many_connections, cannot_connect_now, admin/crash shutdown, query_canceled. */
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P03', '57P01', '57P02', '57014']);

interface PrismaLikeError {
  code?: string;
  meta?: { driverAdapterError?: { cause?: { originalCode?: string; severity?: string; kind?: string } } };
}

export function prismaErrorCode(error: unknown): string | undefined {
  return (error as PrismaLikeError | null)?.code;
}

/**
 * Turns a failure of the database into a domain error: overload and
 * unreachability become DEPENDENCY_UNAVAILABLE (429 / ResourceExhausted),
 * anything else INTERNAL. Prisma's messages (which quote source code) are
 * kept only as the cause, for logs.
 */
export function databaseFailure(error: unknown): DstsError {
  if (error instanceof DstsError) return error;
  const prisma = error as PrismaLikeError | null;
  const cause = prisma?.meta?.driverAdapterError?.cause;
  const sqlState = cause?.originalCode ?? prisma?.code ?? '';
  // Text Postgres cannot store (NUL, invalid encoding) is the caller's input, not our failure.
  if (UNSTORABLE_TEXT_SQLSTATES.has(sqlState)) {
    return new DstsError('INVALID_REQUEST', 'text contains characters that cannot be stored', { cause: error });
  }
  // FATAL ends the session (e.g. "database is not currently accepting
  // connections", 55000) and class 08 is connection failure: both mean the
  // database cannot be used right now, whatever the statement was.
  const unavailable =
    UNAVAILABLE_PRISMA_CODES.has(prisma?.code ?? '') ||
    UNAVAILABLE_SQLSTATES.has(sqlState) ||
    cause?.severity === 'FATAL' ||
    sqlState.startsWith('08') ||
    /ECONNREFUSED|ETIMEDOUT|ECONNRESET|timeout exceeded when trying to connect/i.test(String((error as Error)?.message));
  return unavailable
    ? new DstsError('DEPENDENCY_UNAVAILABLE', 'database temporarily unavailable, retry later', { cause: error })
    : new DstsError('INTERNAL', 'database error', { cause: error });
}

/** Runs a database operation, turning any failure into a domain error ({@link databaseFailure}). */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw databaseFailure(error);
  }
}

/** Why a client could not use the database at all (a tool says so plainly, where the services say "database error"). */
export type DatabaseConnectionProblem = 'unreachable' | 'authentication-failed' | 'no-database' | 'not-migrated';

const CONNECTION_PROBLEMS: Record<string, DatabaseConnectionProblem> = {
  DatabaseNotReachable: 'unreachable',
  AuthenticationFailed: 'authentication-failed',
  // 28000: no pg_hba.conf entry, or the role does not exist.
  DatabaseAccessDenied: 'authentication-failed',
  DatabaseDoesNotExist: 'no-database',
  TableDoesNotExist: 'not-migrated',
};

/** The {@link DatabaseConnectionProblem} behind `error` (as thrown, or as the cause of {@link databaseFailure}), if it is one. */
export function databaseConnectionProblem(error: unknown): DatabaseConnectionProblem | undefined {
  const failure = (error instanceof DstsError ? error.cause : error) as PrismaLikeError | null;
  return CONNECTION_PROBLEMS[failure?.meta?.driverAdapterError?.cause?.kind ?? ''];
}
