import { loadEnv } from '../src/config.js';
import { openDatabase } from '../src/db/open.js';
import { applySeed } from './apply.js';

// `npm run seed`: migrates the database and adds whatever seed records it lacks; with DATABASE_URL, fills an
// empty PostgreSQL database with them (seed/postgres.ts).
const env = loadEnv(process.env);
if (env.DATABASE_URL === undefined) {
  const db = openDatabase(env.DATABASE_PATH, { seed: false });
  const { inserted } = applySeed(db);
  db.$client.close();
  console.log(`${env.DATABASE_PATH}: ${inserted} seed rows inserted${inserted === 0 ? ' (already up to date)' : ''}.`);
} else {
  // Loaded only here: SQLite's seeding never loads pg.
  const [{ seedPostgres }, { redactUrl }] = await Promise.all([import('./postgres.js'), import('../src/db/pg/url.js')]);
  const where = redactUrl(env.DATABASE_URL);
  try {
    const rows = await seedPostgres(env.DATABASE_URL);
    console.log(`${where}: seeded, ${rows} rows inserted (what a new database starts with).`);
  } catch (error) {
    console.error(`${where}: not seeded: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
