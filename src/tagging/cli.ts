import { parseArgs } from 'node:util';
import { configFromEnv, loadEnv } from '../config.js';
import { openDatabase } from '../db/open.js';
import type { CliOutput } from '../import/cli.js';
import { REVIEW_ID } from '../import/run.js';
import { tagRecommendations } from './apply.js';
import { machineTagger } from './tagger.js';

export const TAG_USAGE = `Usage: npm run tag [-- --review KGZ-3] [--all] [--json]
  Gives machine labels (UPR Info's issues, and the UHRI themes the crosswalk derives) to recommendations
  that have none of the upr-info scheme; labels from UPR Info, OHCHR or curators are never changed.
  --review  only this review's recommendations
  --all     every recommendation, its machine labels recomputed (e.g. after a new model)
  --json    the report as JSON`;

/** `npm run tag`: exit code 0, or 2 for bad arguments. */
export function runTagCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        review: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n${TAG_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${TAG_USAGE}\n`);
    return 0;
  }
  if (values.review !== undefined && !REVIEW_ID.test(values.review)) {
    io.err(`--review "${values.review}" is not a review id like KGZ-3 (ISO code, hyphen, cycle 1–4).\n`);
    return 2;
  }
  const db = openDatabase(configFromEnv(loadEnv(env)).databasePath);
  try {
    const started = performance.now();
    const report = tagRecommendations(db, machineTagger()!, { reviewId: values.review, all: values.all });
    const seconds = (performance.now() - started) / 1000;
    io.out(
      values.json
        ? `${JSON.stringify({ ...report, seconds })}\n`
        : `${report.recommendations} recommendations looked at: ${report.added} machine labels added, ${report.changed} changed, ${report.removed} removed (${seconds.toFixed(1)} s).\n`,
    );
    return 0;
  } finally {
    db.$client.close();
  }
}
