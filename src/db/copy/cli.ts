import { parseArgs } from 'node:util';
import { commandConfig } from '../../config.js';
import { isConnectTimeout } from '../pg/connect-timeout.js';
import { redactUrl } from '../pg/url.js';
import { type Endpoint, copyDatabase, parseEndpoint } from './copy.js';

// `npm run db:copy -- --from <sqlite file|postgres://…> --to <…> [--json]`: progress on stderr; with --json,
// the rows copied per table as one JSON object on stdout. Exit 0 when copied, 1 when refused or failed.

export const USAGE = 'usage: npm run db:copy -- --from <sqlite file|postgres://…> --to <sqlite file|postgres://…> [--json]';

interface Output {
  write(text: string): unknown;
}

const describe = (endpoint: Endpoint) => (endpoint.kind === 'postgres' ? redactUrl(endpoint.url) : endpoint.path);

export async function runCopy(argv: string[], stdout: Output, stderr: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let from: Endpoint;
  let to: Endpoint;
  let json: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    if (values.from === undefined || values.to === undefined) throw new Error('--from and --to are required');
    from = parseEndpoint(values.from);
    to = parseEndpoint(values.to);
    json = values.json;
  } catch (error) {
    stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const config = commandConfig(env, (text) => stderr.write(text));
  if (config === undefined) return 1;
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
    stderr.write(`copy failed, nothing written: ${reason}\n`);
    return 1;
  }
}
