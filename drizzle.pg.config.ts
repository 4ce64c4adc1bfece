import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations (src/db/pg/schema.ts): `npx drizzle-kit generate --config drizzle.pg.config.ts`.
// The SQLite ones stay in migrations/ for now; the intended layout is migrations/sqlite beside these.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg/schema.ts',
  out: './migrations/postgres',
});
