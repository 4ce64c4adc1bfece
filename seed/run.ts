import { exitOnHelpOrUsageError } from '../scripts/command-args.js';
import { runSeedCommand } from './cli.js';

// `npm run seed`: see seed/cli.ts. It takes no argument: `--help` prints the usage, anything else is wrong usage
// (exit 2); both were ignored, and the database seeded.
exitOnHelpOrUsageError(
  {},
  'Usage: npm run seed\n  Migrates DATABASE_URL\'s PostgreSQL when set, else DATABASE_PATH, and adds the seed records it lacks.',
);
process.exitCode = await runSeedCommand(process.env, { out: (line) => console.log(line), err: (line) => console.error(line) });
