import { type CliOutput, commandFailure, parseCommandArgs, wantsJson } from '../common/command-line.js';
import { commandConfig } from '../config.js';
import { databaseFailure, openForCommand } from '../db/open.js';
import { bumpRevision } from '../db/revision.js';
import { materializeStale } from '../recommendations/documents.js';
import { relateAll } from './refresh.js';
import { checkpointAndClose } from '../db/wal.js';

// `npm run relate [-- --state KGZ] [--json]`: recomputes the related recommendations of every state under
// review (or of those given) in DATABASE_PATH, in one transaction, and the documents whose recurrence
// changed. Progress goes to stderr; the counts to stdout (--json: as JSON). Exit status 0 done, 1 refused (an invalid
// environment, DATABASE_URL set, or the database could not be opened or written: kept locked by another process, not a
// database…), 2 wrong usage.

export const USAGE = `Usage: npm run relate [-- --state KGZ] [--json]

  --state   only this state under review (ISO 3166-1 alpha-3; repeat or comma-separate for several)
  --json    print the counts as JSON
Writes to DATABASE_PATH (default ./data/upr-tracker.sqlite); refused when DATABASE_URL is set (PostgreSQL keeps
its relations current itself).`;

export function runRelateCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): number {
  const json = wantsJson(argv);
  let values;
  try {
    ({ values } = parseCommandArgs({
      args: argv,
      options: {
        state: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return commandFailure(io, json, 'usage', (error as Error).message, USAGE);
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const states = values.state?.flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase());
  const invalid = states?.find((s) => !/^[A-Z]{3}$/.test(s));
  if (invalid !== undefined) {
    return commandFailure(io, json, 'usage', `--state "${invalid}" is not an ISO 3166-1 alpha-3 code like KGZ.`);
  }
  // An invalid environment was said as wrong usage (2), followed by the usage.
  let refused = '';
  const config = commandConfig(env, (text) => (refused += text));
  if (config === undefined) return commandFailure(io, json, 'environment', refused.trimEnd());
  if (config.databaseUrl !== undefined) {
    // Relating the SQLite file left at DATABASE_PATH would report work on data the service no longer serves.
    return commandFailure(
      io,
      json,
      'environment',
      'DATABASE_URL names a PostgreSQL database: npm run relate recomputes a SQLite database (DATABASE_PATH). ' +
        'On PostgreSQL the service keeps relations current itself: every write and import refreshes them, and its start ' +
        'recomputes any left stale (README, "Deploying at scale").',
    );
  }
  try {
    return relate(config.databasePath, config.databaseOpenWaitMs, states, values.json, io);
  } catch (error) {
    const failure = databaseFailure(error);
    if (failure === undefined) throw error;
    return commandFailure(io, json, 'failed', `Not related: ${config.databasePath}: ${failure}`);
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
    checkpointAndClose(db.$client);
  }
}
