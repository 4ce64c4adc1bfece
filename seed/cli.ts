import { byLines, commandFailure, type FailureKind } from '../src/common/command-line.js';
import { type ConfigError, loadEnv } from '../src/config.js';
import { databaseFailure, openForCommand } from '../src/db/open.js';
import { applySeed } from './apply.js';
import { checkpointAndClose } from '../src/db/wal.js';

// `npm run seed`: migrates the database (DATABASE_PATH, or DATABASE_URL's PostgreSQL: seed/postgres.ts) and adds
// whatever seed records it lacks. Returns the exit status: 0 seeded, 1 not. With `json`, stdout holds one JSON
// document: `{"database","inserted"}`, or the CommandFailure (src/common/command-line.ts).

export interface SeedIo {
  out(line: string): void;
  err(line: string): void;
}

export async function runSeedCommand(environment: NodeJS.ProcessEnv, io: SeedIo, json = false): Promise<number> {
  const seeded = (database: string, inserted: number) =>
    io.out(json ? JSON.stringify({ database, inserted }) : `${database}: ${inserted} seed rows inserted${inserted === 0 ? ' (already up to date)' : ''}.`);
  const fail = (kind: FailureKind, message: string) => commandFailure(byLines(io), json, kind, message);
  let env;
  try {
    env = loadEnv(environment);
  } catch (error) {
    return fail('environment', (error as ConfigError).message);
  }
  if (env.DATABASE_URL === undefined) {
    try {
      const db = openForCommand(env.DATABASE_PATH, (line) => io.err(line.trimEnd()), { seed: false, openWaitMs: env.DATABASE_OPEN_WAIT_MS });
      try {
        seeded(env.DATABASE_PATH, applySeed(db).inserted);
      } finally {
        checkpointAndClose(db.$client);
      }
      return 0;
    } catch (error) {
      const failure = databaseFailure(error);
      if (failure === undefined) throw error;
      return fail('failed', `${env.DATABASE_PATH}: not seeded: ${failure}`);
    }
  }
  // Loaded only here: SQLite's seeding never loads pg.
  const [{ seedPostgres }, { redactUrl }] = await Promise.all([import('./postgres.js'), import('../src/db/pg/url.js')]);
  const where = redactUrl(env.DATABASE_URL);
  try {
    const { inserted } = await seedPostgres(env.DATABASE_URL);
    seeded(where, inserted);
    return 0;
  } catch (error) {
    return fail('failed', `${where}: not seeded: ${(error as Error).message}`);
  }
}
