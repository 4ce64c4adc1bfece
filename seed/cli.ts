import { type ConfigError, loadEnv } from '../src/config.js';
import { openDatabase } from '../src/db/open.js';
import { applySeed } from './apply.js';

// `npm run seed`: migrates DATABASE_PATH and adds whatever seed records it lacks; with DATABASE_URL, fills an
// empty PostgreSQL database with them (seed/postgres.ts). Returns the exit status: 0 seeded, 1 refused.

export interface SeedIo {
  out(line: string): void;
  err(line: string): void;
}

export async function runSeedCommand(environment: NodeJS.ProcessEnv, io: SeedIo): Promise<number> {
  let env;
  try {
    env = loadEnv(environment);
  } catch (error) {
    io.err((error as ConfigError).message);
    return 1;
  }
  if (env.DATABASE_URL === undefined) {
    const db = openDatabase(env.DATABASE_PATH, { seed: false });
    const { inserted } = applySeed(db);
    db.$client.close();
    io.out(`${env.DATABASE_PATH}: ${inserted} seed rows inserted${inserted === 0 ? ' (already up to date)' : ''}.`);
    return 0;
  }
  // Loaded only here: SQLite's seeding never loads pg.
  const [{ seedPostgres }, { redactUrl }] = await Promise.all([import('./postgres.js'), import('../src/db/pg/url.js')]);
  const where = redactUrl(env.DATABASE_URL);
  try {
    const rows = await seedPostgres(env.DATABASE_URL);
    io.out(`${where}: seeded, ${rows} rows inserted (what a new database starts with).`);
    return 0;
  } catch (error) {
    io.err(`${where}: not seeded: ${(error as Error).message}`);
    return 1;
  }
}
