import { resolve } from 'node:path';
import { commandFailure, type FailureKind, wantsJson } from '../src/common/command-line.js';
import { loadEnv } from '../src/config.js';
import { BackupError, backupDatabase } from '../src/db/backup.js';

// `npm run backup -- <file> [--json]`: a consistent online copy of DATABASE_PATH into a new file, while the service
// runs. With --json, stdout holds one JSON document: the backup made, or the CommandFailure (src/common/command-line.ts).
const USAGE = `Usage: npm run backup -- <file> [--json]   (a new file; DATABASE_PATH is the database copied)
  --json    print the backup (its file, bytes and integrity check) or why none was made as JSON`;
const argv = process.argv.slice(2);
const json = wantsJson(argv);
const end = argv.indexOf('--');
const args = argv.filter((arg, i) => arg !== '--json' || (end !== -1 && i > end));
const io = { out: (text: string) => void process.stdout.write(text), err: (text: string) => void process.stderr.write(text) };
const fail: (kind: FailureKind, message: string, usage?: string) => never = (kind, message, usage) => process.exit(commandFailure(io, json, kind, message, usage));
const target = args[0];
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
      ? `${JSON.stringify(target)} is an option, and this command takes none but --json: give a file (./${target} for a file named so).`
      : args.length > 1
        ? `Give one file, not ${args.length}: ${args.map((arg) => JSON.stringify(arg)).join(', ')}.`
        : undefined;
if (fault !== undefined) fail('usage', fault, USAGE);
let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv(process.env);
} catch (error) {
  fail('environment', (error as Error).message);
}
// A PostgreSQL deployment may still hold an old SQLite file at DATABASE_PATH: copying it would report a backup
// of data the service no longer serves.
if (env.DATABASE_URL !== undefined) {
  fail(
    'environment',
    'DATABASE_URL names a PostgreSQL database: npm run backup copies only a SQLite database (DATABASE_PATH). ' +
      'Use pg_dump --format=custom --file=<file> "$DATABASE_URL" (README, "Backups on PostgreSQL").',
  );
}
try {
  // Ctrl-C or a kill stops the copy between two steps and removes its partial file (the default action exited at once
  // and left a `<file>.partial-<pid>` behind).
  const interrupt = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => interrupt.abort(new Error(`Interrupted by ${signal}: no backup written.`)));
  }
  const database = resolve(env.DATABASE_PATH);
  const report = await backupDatabase(database, resolve(target!), interrupt.signal);
  io.out(
    json
      ? `${JSON.stringify({ database, target: report.target, pages: report.pages, bytes: report.bytes, integrity: 'ok' })}\n`
      : `Backed up ${env.DATABASE_PATH} to ${report.target} (${report.pages} pages, ${report.bytes} bytes); integrity check ok.\n`,
  );
} catch (error) {
  // A target that cannot be written (`file`), a missing or damaged database, an interruption: said, not thrown.
  fail(error instanceof BackupError ? error.kind : 'failed', (error as Error).message);
}
