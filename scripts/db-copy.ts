import { dropOutputWhenReaderGoes } from '../src/common/closed-output.js';
import { runCopy } from '../src/db/copy/cli.js';

// Copies a database between SQLite and PostgreSQL (src/db/copy/): see `npm run db:copy -- --help`.
dropOutputWhenReaderGoes(process.stdout, process.stderr);
process.exitCode = await runCopy(process.argv.slice(2), process.stdout, process.stderr);
