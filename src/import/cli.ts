import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type CliOutput, commandFailure, type FailureKind, parseCommandArgs, wantsJson } from '../common/command-line.js';
import { commandConfig, type ResolvedConfig } from '../config.js';
import { databaseFailure, openForCommand } from '../db/open.js';
import { redactUrl } from '../db/pg/url.js';
import { openPostgres } from '../db/pg/open.js';
import { pgImportFile } from './pg-import.js';
import { formatReport } from './report.js';
import { importFile, isImportFormat, type RunImport } from './run.js';
import { IMPORT_FORMATS, ImportError } from './types.js';
import { checkpointAndClose } from '../db/wal.js';

// `npm run import -- <file> [--format …] [--review KGZ-3] [--dry-run] [--json]`: imports one file into
// DATABASE_URL's PostgreSQL when set, else DATABASE_PATH (as the server would open it) and prints the report. Exit status
// (src/common/command-line.ts): 0 imported (rows may have been skipped: see the report), 1 the file could not be
// imported (nothing written), 2 wrong usage.

export const USAGE = `Usage: npm run import -- <file> [--format ${IMPORT_FORMATS.join('|')}] [--review KGZ-3] [--dry-run] [--json]

  <file>      an OHCHR matrix (.docx), a Terman UPR CSV, a UPR Info CSV, or a CSV exported by this API
  --format    the file's format (detected when not given)
  --review    ohchr-matrix: the review the file is about (else read from the document);
              CSV formats: import only this review's rows
  --dry-run   read and check everything, report, write nothing
  --json      print the report as JSON
Writes to DATABASE_URL when set (PostgreSQL), else DATABASE_PATH (default ./data/upr-tracker.sqlite).`;

export type { CliOutput } from '../common/command-line.js';

export async function runImportCli(argv: string[], env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  const json = wantsJson(argv);
  const fail = (kind: FailureKind, message: string, usage = false): number => commandFailure(io, json, kind, message, usage ? USAGE : undefined);
  let args;
  try {
    args = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        review: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return fail('usage', (error as Error).message, true);
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    const given = positionals.length === 0 ? 'none was given' : `given ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(', ')}`;
    return fail('usage', `Give exactly one file to import; ${given}.`, true);
  }
  const format = values.format;
  if (format !== undefined && !isImportFormat(format)) {
    return fail('usage', `Unknown format "${format}": use ${IMPORT_FORMATS.join(', ')}.`);
  }
  const path = positionals[0]!;
  const file = await stat(path).catch(() => undefined);
  if (file === undefined) return fail('file', `Cannot read ${path}: no such file, or not readable.`);
  // A directory was read as a file: "Error: EISDIR: illegal operation on a directory, read" after the database was opened.
  if (file.isDirectory()) return fail('file', `Cannot read ${path}: it is a directory, not a file.`);

  let refused = '';
  const config = commandConfig(env, (text) => (refused += text));
  if (config === undefined) return fail('environment', refused.trimEnd());
  const database = await openTarget(config, io);
  if (typeof database === 'string') return fail('failed', `${path} was not imported (nothing written): ${database}`);
  try {
    const report = await database.run(
      { name: basename(path), chunks: () => createReadStream(path) },
      {
        format,
        review: values.review,
        dryRun: values['dry-run'],
        actor: `import ${basename(path)} (command line)`,
        limits: config.importLimits,
        newDatabase: database.created,
      },
    );
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, path));
    return 0;
  } catch (error) {
    // One line, never a stack trace: the import runs in one transaction, so nothing was written whatever failed.
    const reason =
      error instanceof ImportError ? error.message : (databaseFailure(error) ?? `${(error as Error).name}: ${(error as Error).message}`);
    return fail('failed', `${path} was not imported (nothing written): ${reason.replace(/\s+/g, ' ')}`);
  } finally {
    await database.close();
  }
}

/** DATABASE_URL's PostgreSQL (migrated, as the server would) or DATABASE_PATH's SQLite; why not, when it cannot be opened. */
// (`created`: DATABASE_PATH's file did not exist and was made for this import: see ImportOptions.newDatabase.)
async function openTarget(config: ResolvedConfig, io: CliOutput): Promise<{ run: RunImport; close(): Promise<void>; created: boolean } | string> {
  const url = config.databaseUrl;
  if (url === undefined) {
    const created = !existsSync(config.databasePath);
    let db;
    try {
      db = openForCommand(config.databasePath, io.err, { openWaitMs: config.databaseOpenWaitMs });
    } catch (error) {
      const failure = databaseFailure(error);
      if (failure === undefined) throw error;
      return failure;
    }
    return { run: (source, options) => importFile(db, source, options), close: async () => checkpointAndClose(db.$client), created };
  }
  try {
    const pool = (await openPostgres(url, { poolMax: 1, connectTimeoutMs: config.pgConnectTimeoutMs })).$client;
    return { run: (source, options) => pgImportFile({ pool }, source, options), close: () => pool.end(), created: false };
  } catch (error) {
    return `cannot open the PostgreSQL database ${redactUrl(url)}: ${(error as Error).message}`;
  }
}
