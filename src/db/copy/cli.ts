import { commandFailure, parseCommandArgs, wantsJson } from '../../common/command-line.js';
import { commandConfig } from '../../config.js';
import { isConnectTimeout } from '../pg/connect-timeout.js';
import { redactUrl } from '../pg/url.js';
import { type Endpoint, copyDatabase, parseEndpoint } from './copy.js';

// `npm run db:copy -- --from <sqlite file|postgres://…> --to <…> [--json]`: progress on stderr; with --json,
// the rows copied per table as one JSON object on stdout. Exit 0 when copied, 1 when refused or failed, 2 wrong usage
// (it was 1, as a failed copy).

export const USAGE = `Usage: npm run db:copy -- --from <sqlite file|postgres://…> --to <sqlite file|postgres://…> [--json]
  Copies every table of one database into another, new or empty (one end SQLite, the other PostgreSQL).
  --json    print the rows copied per table as JSON`;

interface Output {
  write(text: string): unknown;
}

const describe = (endpoint: Endpoint) => (endpoint.kind === 'postgres' ? redactUrl(endpoint.url) : endpoint.path);

export async function runCopy(argv: string[], stdout: Output, stderr: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const io = { out: (text: string) => void stdout.write(text), err: (text: string) => void stderr.write(text) };
  const json = wantsJson(argv);
  let from: Endpoint;
  let to: Endpoint;
  try {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.from === undefined || values.to === undefined) throw new Error('--from and --to are required');
    from = parseEndpoint(values.from);
    to = parseEndpoint(values.to);
    // Said before anything is opened, as wrong usage (copyDatabase refused it as a failed copy, exit 1).
    if (from.kind === to.kind) throw new Error('db:copy copies between SQLite and PostgreSQL: one of --from and --to must be a postgres:// URL, the other a file');
  } catch (error) {
    return commandFailure(io, json, 'usage', (error as Error).message, USAGE);
  }
  let refused = '';
  const config = commandConfig(env, (text) => (refused += text));
  if (config === undefined) return commandFailure(io, json, 'environment', refused.trimEnd());
  stderr.write(`copying ${describe(from)} → ${describe(to)}\n`);
  try {
    const report = await copyDatabase(from, to, {
      connectTimeoutMs: config.pgConnectTimeoutMs,
      onProgress: (table, rows, done) => {
        if (done || rows % 10_000 === 0) stderr.write(`  ${table}: ${rows} rows${done ? '' : '…'}\n`);
      },
    });
    const total = Object.values(report).reduce((sum, rows) => sum + rows, 0);
    stderr.write(`copied ${total} rows in ${Object.keys(report).length} tables\n`);
    if (json) stdout.write(`${JSON.stringify({ from: describe(from), to: describe(to), rows: total, tables: report })}\n`);
    return 0;
  } catch (error) {
    const reason = isConnectTimeout(error)
      ? `no connection within PG_CONNECT_TIMEOUT_MS (${config.pgConnectTimeoutMs} ms)`
      : (error as Error).message;
    return commandFailure(io, json, 'failed', `copy failed, nothing written: ${reason}`);
  }
}
