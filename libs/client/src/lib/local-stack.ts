import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Where `npm start` (tools/stack) keeps its state and how it runs its
 * embedded PostgreSQL — one definition for the stack that makes them and the
 * tools that find them.
 */

/** The data folder: `$DSTS_DATA_DIR`, default `.data`, relative to the workspace root. */
export function localDataDir(root: string, env: Record<string, string | undefined>): string {
  return resolve(root, env['DSTS_DATA_DIR'] || '.data');
}

export const EMBEDDED_POSTGRES_HOST = '127.0.0.1';
export const EMBEDDED_POSTGRES_USER = 'postgres';
export const EMBEDDED_POSTGRES_DATABASE = 'dsts';

/** `$EMBEDDED_POSTGRES_PORT`, default 54329. */
export function embeddedPostgresPort(env: Record<string, string | undefined>): number {
  const port = Number(env['EMBEDDED_POSTGRES_PORT'] || 54329);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('EMBEDDED_POSTGRES_PORT must be a port number (1-65535)');
  return port;
}

/** The generated superuser password (standard base64, so `+`, `/` and `=`), mode 0600. */
export const embeddedPostgresPasswordFile = (dataDir: string) => join(dataDir, 'postgres-password');

/** URL of the `dsts` database; the password is percent-encoded (base64's `+` `/` `=` are not URL-safe). */
export function embeddedPostgresUrl(port: number, password: string): string {
  return `postgresql://${EMBEDDED_POSTGRES_USER}:${encodeURIComponent(password)}@${EMBEDDED_POSTGRES_HOST}:${port}/${EMBEDDED_POSTGRES_DATABASE}`;
}

/** The URL of the embedded database `npm start` runs for this workspace (whether or not it is running now). */
export async function localDatabaseUrl(root: string, env: Record<string, string | undefined>): Promise<string> {
  const passwordFile = embeddedPostgresPasswordFile(localDataDir(root, env));
  let password: string;
  try {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(`no DATABASE_URL, and no embedded PostgreSQL of npm start: ${passwordFile} is missing (run npm start, or set DATABASE_URL)`);
  }
  return embeddedPostgresUrl(embeddedPostgresPort(env), password);
}
