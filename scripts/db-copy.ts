import { runCopy } from '../src/db/copy/cli.js';

// Copies a database between SQLite and PostgreSQL (src/db/copy/): see `npm run db:copy -- --help`.
process.exitCode = await runCopy(process.argv.slice(2), process.stdout, process.stderr);
