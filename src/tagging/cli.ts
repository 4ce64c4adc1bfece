import { type CliOutput, commandFailure, parseCommandArgs, wantsJson } from '../common/command-line.js';
import { commandConfig } from '../config.js';
import { letWritersIn } from '../db/busy.js';
import { databaseFailure, openForCommand } from '../db/open.js';
import { isConnectTimeout, timedClient } from '../db/pg/connect-timeout.js';
import { redactUrl } from '../db/pg/url.js';
import { REVIEW_ID } from '../import/run.js';
import { type TagProgress, tagRecommendations } from './apply.js';
import { machineTagger } from './tagger.js';
import { checkpointAndClose } from '../db/wal.js';

export const TAG_USAGE = `Usage: npm run tag [-- --review KGZ-3] [--all] [--json]
  Gives machine labels (UPR Info's issues, and the UHRI themes the crosswalk derives) to recommendations
  that have none of the upr-info scheme; labels from UPR Info, OHCHR or curators are never changed.
  --review  only this review's recommendations
  --all     every recommendation, its machine labels recomputed (e.g. after a new model)
  --json    the report as JSON
  Progress goes to stderr, every 2,000 records. On SQLite the records are tagged 2,000 a transaction, writers served in between: an
  interrupted run keeps the batches it finished (run again, it finds them done; with --all it starts again from the first).`;

/** `npm run tag`: exit code 0, 1 when the environment is invalid or the database could not be opened or written (kept locked by another process, not a database…), or 2 for bad arguments; on the database DATABASE_URL names, else DATABASE_PATH's. */
export async function runTagCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  const json = wantsJson(argv);
  let values;
  try {
    ({ values } = parseCommandArgs({
      args: argv,
      options: {
        review: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return commandFailure(io, json, 'usage', (error as Error).message, TAG_USAGE);
  }
  if (values.help) {
    io.out(`${TAG_USAGE}\n`);
    return 0;
  }
  if (values.review !== undefined && !REVIEW_ID.test(values.review)) {
    return commandFailure(io, json, 'usage', `--review "${values.review}" is not a review id like KGZ-3 (ISO code, hyphen, cycle 1–4).`);
  }
  let refused = '';
  const config = commandConfig(env, (text) => (refused += text));
  if (config === undefined) return commandFailure(io, json, 'environment', refused.trimEnd());
  const selection = { reviewId: values.review, all: values.all };
  const started = performance.now();
  let report;
  const url = config.databaseUrl;
  try {
    report =
      url === undefined
        ? tagSqlite(config.databasePath, config.databaseOpenWaitMs, selection, io)
        : await tagPostgres(url, config.pgConnectTimeoutMs, selection, (done, total) => io.err(`tag: ${done}/${total} recommendations\n`));
  } catch (error) {
    // On PostgreSQL whatever failed (a refused connection, say) is said as the seed says it: nothing was written.
    const failure =
      url === undefined
        ? databaseFailure(error)
        : `${redactUrl(url)}: ${isConnectTimeout(error) ? `no connection within PG_CONNECT_TIMEOUT_MS (${config.pgConnectTimeoutMs} ms)` : (error as Error).message}`;
    if (failure === undefined) throw error;
    return commandFailure(io, json, 'failed', `Not tagged: ${url === undefined ? `${config.databasePath}: ` : ''}${failure}`);
  }
  const seconds = (performance.now() - started) / 1000;
  io.out(
    values.json
      ? `${JSON.stringify({ ...report, seconds })}\n`
      : `${report.recommendations} recommendations looked at: ${report.added} machine labels added, ${report.changed} changed, ${report.removed} removed (${seconds.toFixed(1)} s).\n`,
  );
  return 0;
}

function tagSqlite(path: string, openWaitMs: number, selection: { reviewId?: string; all: boolean }, io: CliOutput) {
  const db = openForCommand(path, io.err, { openWaitMs });
  try {
    // Progress on stderr after each batch, each committed: writers waiting for the lock get it in between.
    return tagRecommendations(db, machineTagger()!, selection, (done, total) => {
      io.err(`tag: ${done}/${total} recommendations\n`);
      letWritersIn();
    });
  } finally {
    checkpointAndClose(db.$client);
  }
}

async function tagPostgres(url: string, connectTimeoutMs: number, selection: { reviewId?: string; all: boolean }, progress: TagProgress) {
  // Imported here: SQLite runs need not load pg.
  const { default: pg } = await import('pg');
  const { pgTagRecommendations } = await import('./pg-apply.js');
  const pool = new pg.Pool({ connectionString: url, max: 1, Client: timedClient(pg.Client, connectTimeoutMs) });
  try {
    return await pgTagRecommendations(pool, machineTagger()!, selection, progress);
  } finally {
    await pool.end();
  }
}
