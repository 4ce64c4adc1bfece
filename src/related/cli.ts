import { parseArgs } from 'node:util';
import { configFromEnv, loadEnv } from '../config.js';
import { databaseFailure, openForCommand } from '../db/open.js';
import { bumpRevision } from '../db/revision.js';
import { materializeStale } from '../recommendations/documents.js';
import { relateAll } from './refresh.js';

// `npm run relate [-- --state KGZ] [--json]`: recomputes the related recommendations of every state under
// review (or of those given) in DATABASE_PATH, in one transaction, and the documents whose recurrence
// changed. Progress goes to stderr; the counts to stdout (--json: as JSON). Exit status 0 done, 1 refused (DATABASE_URL
// set, or the database could not be opened or written: kept locked by another process, not a database…), 2 wrong usage.

export const USAGE = `Usage: npm run relate [-- --state KGZ] [--json]

  --state   only this state under review (ISO 3166-1 alpha-3; repeat or comma-separate for several)
  --json    print the counts as JSON
Writes to DATABASE_PATH (default ./data/upr-tracker.sqlite); refused when DATABASE_URL is set (PostgreSQL keeps
its relations current itself).`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export function runRelateCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): number {
  let values;
  let config;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        state: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    config = configFromEnv(loadEnv(env));
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (config.databaseUrl !== undefined) {
    // Relating the SQLite file left at DATABASE_PATH would report work on data the service no longer serves.
    io.err(
      'DATABASE_URL names a PostgreSQL database: npm run relate recomputes a SQLite database (DATABASE_PATH). ' +
        'On PostgreSQL the service keeps relations current itself: every write and import refreshes them, and its start ' +
        'recomputes any left stale (README, "Deploying at scale").\n',
    );
    return 1;
  }
  const states = values.state?.flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase());
  const invalid = states?.find((s) => !/^[A-Z]{3}$/.test(s));
  if (invalid !== undefined) {
    io.err(`--state "${invalid}" is not an ISO 3166-1 alpha-3 code like KGZ.\n`);
    return 2;
  }
  try {
    return relate(config.databasePath, config.databaseOpenWaitMs, states, values.json, io);
  } catch (error) {
    const failure = databaseFailure(error);
    if (failure === undefined) throw error;
    io.err(`Not related: ${config.databasePath}: ${failure}\n`);
    return 1;
  }
}

function relate(path: string, openWaitMs: number, states: string[] | undefined, json: boolean, io: CliOutput): number {
  const db = openForCommand(path, io.err, { openWaitMs });
  try {
    const started = performance.now();
    const counts = db.transaction(
      () => {
        const result = relateAll(db, states, (done, total, state) => io.err(`relate: ${state} (${done}/${total})\n`));
        materializeStale(db);
        if (result.inserted + result.updated + result.deleted > 0) bumpRevision(db);
        return result;
      },
      { behavior: 'immediate' },
    );
    const seconds = Math.round(performance.now() - started) / 1000;
    io.out(
      json
        ? `${JSON.stringify({ ...counts, seconds })}\n`
        : `Related ${counts.recommendations} recommendations of ${counts.states} states under review in ${seconds} s: ` +
            `${counts.inserted} relations added, ${counts.updated} changed, ${counts.deleted} removed.\n`,
    );
    return 0;
  } finally {
    db.$client.close();
  }
}
