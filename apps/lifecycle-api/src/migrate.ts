import { loadConfig } from '@dsts/config';
import { migrate } from '@dsts/db';
import { createLogger, runService } from '@dsts/observability';

/**
 * `node migrate.js`: applies pending migrations to DATABASE_URL and exits 0,
 * or prints why and exits 1 (the Kubernetes migration Job, compose's
 * `migrate` service). Advisory-locked, so it is safe next to starting replicas.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ service: 'dsts-migrate', level: config.logLevel });
  const { applied, alreadyApplied } = await migrate({ databaseUrl: config.database.url, log: (message) => logger.info(message) });
  logger.info({ applied, alreadyApplied: alreadyApplied.length }, 'database migrated');
}

runService('dsts-migrate', main);
