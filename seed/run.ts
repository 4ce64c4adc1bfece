import { wantsJson } from '../src/common/command-line.js';
import { exitOnHelpOrUsageError } from '../scripts/command-args.js';
import { runSeedCommand } from './cli.js';

// `npm run seed [-- --json]`: see seed/cli.ts. `--help` prints the usage, anything else is wrong usage
// (exit 2); both were ignored, and the database seeded.
exitOnHelpOrUsageError(
  { json: { type: 'boolean' } },
  'Usage: npm run seed [-- --json]\n  Migrates DATABASE_URL\'s PostgreSQL when set, else DATABASE_PATH, and adds the seed records it lacks.\n  --json    print the database and the rows inserted (or why not) as JSON',
);
process.exitCode = await runSeedCommand(
  process.env,
  { out: (line) => console.log(line), err: (line) => console.error(line) },
  wantsJson(process.argv.slice(2)),
);
