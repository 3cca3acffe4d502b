import { migrate } from '../lib/migrate';

// `nx run db:migrate`: apply pending migrations to $DATABASE_URL and exit.
const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}
migrate({ databaseUrl, log: (m) => console.log(m) }).then(
  (r) => console.log(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
