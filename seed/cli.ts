import { type ConfigError, loadEnv } from '../src/config.js';
import { databaseFailure, openForCommand } from '../src/db/open.js';
import { applySeed } from './apply.js';

// `npm run seed`: migrates the database (DATABASE_PATH, or DATABASE_URL's PostgreSQL: seed/postgres.ts) and adds
// whatever seed records it lacks. Returns the exit status: 0 seeded, 1 not.

export interface SeedIo {
  out(line: string): void;
  err(line: string): void;
}

const seeded = (where: string, inserted: number) => `${where}: ${inserted} seed rows inserted${inserted === 0 ? ' (already up to date)' : ''}.`;

export async function runSeedCommand(environment: NodeJS.ProcessEnv, io: SeedIo): Promise<number> {
  let env;
  try {
    env = loadEnv(environment);
  } catch (error) {
    io.err((error as ConfigError).message);
    return 1;
  }
  if (env.DATABASE_URL === undefined) {
    try {
      const db = openForCommand(env.DATABASE_PATH, (line) => io.err(line.trimEnd()), { seed: false, openWaitMs: env.DATABASE_OPEN_WAIT_MS });
      try {
        io.out(seeded(env.DATABASE_PATH, applySeed(db).inserted));
      } finally {
        db.$client.close();
      }
      return 0;
    } catch (error) {
      const failure = databaseFailure(error);
      if (failure === undefined) throw error;
      io.err(`${env.DATABASE_PATH}: not seeded: ${failure}`);
      return 1;
    }
  }
  // Loaded only here: SQLite's seeding never loads pg.
  const [{ seedPostgres }, { redactUrl }] = await Promise.all([import('./postgres.js'), import('../src/db/pg/url.js')]);
  const where = redactUrl(env.DATABASE_URL);
  try {
    const { inserted } = await seedPostgres(env.DATABASE_URL);
    io.out(seeded(where, inserted));
    return 0;
  } catch (error) {
    io.err(`${where}: not seeded: ${(error as Error).message}`);
    return 1;
  }
}
