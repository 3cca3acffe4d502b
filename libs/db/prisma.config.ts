import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate; migrate on a connected machine).
// The services never read it: they migrate with libs/db's runner.
export default defineConfig({
  schema: path.join(__dirname, 'prisma', 'schema.prisma'),
  migrations: { path: path.join(__dirname, 'prisma', 'migrations') },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/dsts' },
});
