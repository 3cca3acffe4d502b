// Creates the database named in DATABASE_URL (argv[2]) if it does not exist.
// Errors name the variable, never print the URL (it may hold a password).
import pg from 'pg';

function fail(reason) {
  console.error(`DATABASE_URL: ${reason}`);
  process.exit(1);
}

let target;
try {
  target = new URL(process.argv[2]);
} catch {
  fail('is not a valid URL');
}
if (!['postgres:', 'postgresql:'].includes(target.protocol)) fail('must be a postgres:// or postgresql:// URL');
const database = decodeURIComponent(target.pathname.slice(1));
if (!database) fail('names no database');
const admin = new URL(target);
admin.pathname = '/postgres';
const client = new pg.Client({ connectionString: admin.toString() });
try {
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (rowCount === 0) {
    await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    console.log(`created database ${database}`);
  }
} catch (error) {
  fail(`cannot prepare the database: ${error.code ?? error.message}`);
} finally {
  await client.end().catch(() => undefined);
}
