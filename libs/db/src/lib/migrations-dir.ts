import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the SQL migrations are. A bundled app ships them next to its
 * `main.js` (copied by the app's build); from source they are in
 * `libs/db/prisma/migrations`.
 */
export function defaultMigrationsDir(): string {
  const bundled = path.join(__dirname, 'migrations');
  return existsSync(bundled) ? bundled : path.resolve(__dirname, '../../prisma/migrations');
}
