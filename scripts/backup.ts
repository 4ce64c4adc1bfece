import { resolve } from 'node:path';
import { loadEnv } from '../src/config.js';
import { backupDatabase } from '../src/db/backup.js';

// `npm run backup -- <file>`: a consistent online copy of DATABASE_PATH into a new file, while the service runs.
const USAGE = 'Usage: npm run backup -- <file>   (a new file; DATABASE_PATH is the database copied)';
const target = process.argv[2];
if (target === '--help' || target === '-h') {
  console.log(USAGE);
  process.exit(0);
}
// An option is no file name (`--help` once made a backup named "--help"); `./-x` names such a file.
// What is wrong is said before the usage (it printed the usage alone).
const fault =
  target === undefined
    ? 'Give the file to write the backup to.'
    : target.startsWith('-')
      ? `${JSON.stringify(target)} is an option, and this command takes none: give a file (./${target} for a file named so).`
      : process.argv.length > 3
        ? `Give one file, not ${process.argv.length - 2}: ${process.argv.slice(2).map((arg) => JSON.stringify(arg)).join(', ')}.`
        : undefined;
if (fault !== undefined) {
  console.error(`${fault}\n${USAGE}`);
  process.exit(2);
}
try {
  const env = loadEnv(process.env);
  // A PostgreSQL deployment may still hold an old SQLite file at DATABASE_PATH: copying it would report a backup
  // of data the service no longer serves.
  if (env.DATABASE_URL !== undefined) {
    throw new Error(
      'DATABASE_URL names a PostgreSQL database: npm run backup copies only a SQLite database (DATABASE_PATH). ' +
        'Use pg_dump --format=custom --file=<file> "$DATABASE_URL" (README, "Backups on PostgreSQL").',
    );
  }
  // Ctrl-C or a kill stops the copy between two steps and removes its partial file (the default action exited at once
  // and left a `<file>.partial-<pid>` behind).
  const interrupt = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => interrupt.abort(new Error(`Interrupted by ${signal}: no backup written.`)));
  }
  const report = await backupDatabase(resolve(env.DATABASE_PATH), resolve(target!), interrupt.signal);
  console.log(`Backed up ${env.DATABASE_PATH} to ${report.target} (${report.pages} pages, ${report.bytes} bytes); integrity check ok.`);
} catch (error) {
  // An invalid environment, an existing target, a missing or damaged database: said, not thrown.
  console.error((error as Error).message);
  process.exit(1);
}
