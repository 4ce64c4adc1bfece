import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { openDatabase } from '../src/db/open.js';
import { applySeed } from '../seed/apply.js';
import { type ServerProcess, startServer as startServerProcess, stopServer } from '../test/support/server-process.js';
import { generateDatabase, type GenerateReport } from './generate.js';

// `npm run bench [-- --large] [-- --duration 5]`: the benchmark of the issue "Analysts and dashboards".
// Generates a synthetic database of 100,000 recommendations (--large: also 1,000,000), starts the real
// server on it as a child process, and measures on 127.0.0.1, in one run: a bare baseline route, an
// uncached filtered list, the same list cached and revalidated (304), a full-text query, a stats query, a
// full CSV export (rows/s and the server's peak-RSS growth), and the cold start of an empty database.
// Prints a table with each figure's ratio to the baseline and the issue's target, and writes it as JSON
// to bench/results/.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    large: { type: 'boolean', default: false },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    recommendations: { type: 'string', default: '100000' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const RECOMMENDATIONS = Number(args.recommendations);

// Rate limits and load shedding are part of the service, but a benchmark from one address would only
// measure 429s and 503s: lift them for the run.
const SERVER_ENV = {
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  RATE_LIMIT_MAX: '1000000000',
  RATE_LIMIT_KEY_MAX: '1000000000',
  RATE_LIMIT_EXPORT_MAX: '1000000000',
  MAX_EVENT_LOOP_DELAY_MS: '0',
};

interface Row {
  name: string;
  value: number;
  unit: string;
  /** The figure divided by the baseline's req/s, for throughput rows. */
  ratio?: number;
  target?: string;
  met?: boolean;
  detail?: string;
}

const rows: Row[] = [];

interface Server extends ServerProcess {
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
}

async function startServer(databasePath: string): Promise<Server> {
  const started = performance.now();
  const server = await startServerProcess(databasePath, SERVER_ENV);
  return { ...server, readyMs: performance.now() - started };
}

/** The server's peak resident set size so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kb * 1024;
}

async function load(
  server: Server,
  title: string,
  path: string,
  headers: Record<string, string> = {},
  connections = CONNECTIONS,
): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${server.baseUrl}${path}`,
    connections,
    duration: DURATION,
    headers,
  });
  // (autocannon counts a 304 among the non-2xx responses: only errors, 4xx and 5xx are failures.)
  const unexpected = result.errors + result.timeouts + result['4xx'] + result['5xx'];
  if (unexpected > 0) {
    throw new Error(`${title}: ${unexpected} failed requests (${JSON.stringify(result.statusCodeStats)})`);
  }
  return result;
}

/** Streams a full export, counting records (CRLF ends) and bytes, as fast as the client can read. */
function download(url: string): Promise<{ records: number; bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    get(url, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${url}: ${response.statusCode}`));
      let records = 0;
      let bytes = 0;
      let previous = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Texts may contain a bare LF, never CRLF: every CRLF ends a record (or the header row).
        if (previous === 13 && chunk[0] === 10) records += 1;
        for (let i = chunk.indexOf(10, 1); i !== -1; i = chunk.indexOf(10, i + 1)) if (chunk[i - 1] === 13) records += 1;
        previous = chunk[chunk.length - 1]!;
      });
      response.on('end', () => resolve({ records: records - 1, bytes, ms: performance.now() - started }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

function generate(path: string, recommendations: number): GenerateReport {
  const db = openDatabase(path);
  try {
    return generateDatabase(db, { recommendations });
  } finally {
    db.$client.close();
  }
}

async function exportRun(
  label: string,
  server: Server,
  expected: number,
  targetRowsPerSecond: number,
  maxGrowthMb: number,
): Promise<void> {
  await fetch(`${server.baseUrl}/v1/recommendations?limit=1`); // the route and its statements, ready
  const before = peakRss(server.child.pid!);
  const result = await download(`${server.baseUrl}/v1/recommendations?format=csv`);
  const growth = peakRss(server.child.pid!) - before;
  if (result.records !== expected) throw new Error(`${label}: exported ${result.records} records, expected ${expected}`);
  const rate = result.records / (result.ms / 1000);
  rows.push({
    name: `CSV export, ${label}`,
    value: Math.round(rate),
    unit: 'rows/s',
    target: `≥ ${targetRowsPerSecond.toLocaleString('en')} rows/s`,
    met: rate >= targetRowsPerSecond,
    detail: `${result.records.toLocaleString('en')} rows, ${(result.bytes / 1e6).toFixed(0)} MB in ${(result.ms / 1000).toFixed(2)} s`,
  });
  rows.push({
    name: `CSV export, ${label}: server peak RSS growth`,
    value: Math.round((growth / 2 ** 20) * 10) / 10,
    unit: 'MiB',
    target: `≤ ${maxGrowthMb} MB`,
    met: growth <= maxGrowthMb * 2 ** 20,
    detail: `VmHWM ${(before / 2 ** 20).toFixed(0)} → ${((before + growth) / 2 ** 20).toFixed(0)} MiB`,
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upr-bench-'));
  const servers: Server[] = [];
  try {
    // Cold start: migrations and seed of an empty database, in process and as a server's time to ready.
    let started = performance.now();
    const cold = openDatabase(join(dir, 'cold.sqlite'), { seed: false });
    const migrated = performance.now();
    const { inserted } = applySeed(cold);
    const seeded = performance.now();
    cold.$client.close();
    rows.push({
      name: 'cold start: migrate + seed an empty database',
      value: Math.round(seeded - started),
      unit: 'ms',
      detail: `migrations ${Math.round(migrated - started)} ms; seed ${inserted} rows in ${Math.round(seeded - migrated)} ms (${Math.round(inserted / ((seeded - migrated) / 1000)).toLocaleString('en')} rows/s)`,
    });
    const coldServer = await startServer(join(dir, 'cold-server.sqlite'));
    servers.push(coldServer);
    rows.push({ name: 'cold start: server spawn to ready, empty database', value: Math.round(coldServer.readyMs), unit: 'ms' });
    await stopServer(coldServer);

    // The synthetic database, written straight into its file.
    const path = join(dir, 'bench.sqlite');
    started = performance.now();
    const report = generate(path, RECOMMENDATIONS);
    rows.push({
      name: `generate ${RECOMMENDATIONS.toLocaleString('en')} recommendations (insert rate)`,
      value: Math.round(report.rows / report.seconds),
      unit: 'rows/s',
      detail: `${report.rows.toLocaleString('en')} rows (${report.reviews} reviews, ${report.developments} developments, ${report.assessments} assessments, ${report.statements} statements) in ${report.seconds.toFixed(1)} s`,
    });

    const server = await startServer(path);
    servers.push(server);
    const expected = RECOMMENDATIONS + 8; // and the seed's eight
    const size = `${(RECOMMENDATIONS / 1000).toFixed(0)}k rows`;
    // The export first, on a fresh process (its peak RSS growth includes V8 growing its young generation),
    // and again at the end, on a server that has been working (the growth the export itself causes).
    await exportRun(`${size}, fresh server`, server, expected, 500_000, 20);

    const baseline = await load(server, 'baseline', '/healthz');
    const base = baseline.requests.average;
    rows.unshift({ name: 'baseline: GET /healthz', value: Math.round(base), unit: 'req/s', ratio: 1, detail: `p99 ${baseline.latency.p99} ms` });
    const throughput = (name: string, result: autocannon.Result, target?: number) => {
      const ratio = result.requests.average / base;
      rows.push({
        name,
        value: Math.round(result.requests.average),
        unit: 'req/s',
        ratio: Math.round(ratio * 1000) / 1000,
        ...(target === undefined ? {} : { target: `≥ ${target}× baseline`, met: ratio >= target }),
        detail: `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
      });
    };

    const list = '/v1/recommendations?stateUnderReview=FRA,KEN,BRA,IND&position=supported&limit=50';
    const noCache = { 'cache-control': 'no-cache' };
    throughput('filtered list of 50, uncached', await load(server, 'uncached list', list, noCache), 0.12);
    throughput('same list, cached', await load(server, 'cached list', list), 0.5);
    const compressed = { 'accept-encoding': 'br, gzip' };
    throughput('same list, cached, Accept-Encoding: br (as browsers send)', await load(server, 'cached br', list, compressed), 0.5);
    const etag = (await fetch(`${server.baseUrl}${list}`)).headers.get('etag')!;
    throughput('same list, If-None-Match → 304', await load(server, '304', list, { 'if-none-match': etag }), 0.5);

    const search = '/v1/recommendations?q=torture%20detention&limit=50';
    throughput('full-text query (q=torture detention), uncached', await load(server, 'full text', search, noCache));
    // Latency, not throughput: one request at a time, so that the figure is the query's, not a queue's.
    const fulltext = await load(server, 'full text, one at a time', search, noCache, 1);
    rows.push({
      name: 'full-text query: p99 latency, one client',
      value: fulltext.latency.p99,
      unit: 'ms',
      target: '≤ 20 ms',
      met: fulltext.latency.p99 <= 20,
      detail: `p50 ${fulltext.latency.p50} ms; ${Math.round(fulltext.requests.average)} req/s; matches ${(await (await fetch(`${server.baseUrl}${search}`)).json() as { meta: { total: number } }).meta.total.toLocaleString('en')} of ${expected.toLocaleString('en')}`,
    });
    const stats = await load(server, 'stats', '/v1/stats/recommendations?groupBy=position,regionalGroup&cycle=3', noCache);
    throughput('stats (groupBy=position,regionalGroup&cycle=3), uncached', stats);
    await exportRun(`${size}, warm server`, server, expected, 500_000, 20);
    await stopServer(server);

    if (args.large) {
      const largePath = join(dir, 'large.sqlite');
      const largeReport = generate(largePath, 1_000_000);
      rows.push({
        name: 'generate 1,000,000 recommendations (insert rate)',
        value: Math.round(largeReport.rows / largeReport.seconds),
        unit: 'rows/s',
        detail: `${largeReport.rows.toLocaleString('en')} rows in ${largeReport.seconds.toFixed(1)} s`,
      });
      const large = await startServer(largePath);
      servers.push(large);
      await exportRun('1M rows, fresh server', large, 1_000_008, 500_000, 20);
      await exportRun('1M rows, second export', large, 1_000_008, 500_000, 20);
      await stopServer(large);
    }

    print();
    const results = join(ROOT, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    const file = join(results, `${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version },
          settings: { recommendations: RECOMMENDATIONS, large: args.large, durationSeconds: DURATION, connections: CONNECTIONS },
          rows,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nwritten to ${file}`);
  } finally {
    for (const server of servers) await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(): void {
  const table = rows.map((r) => ({
    measure: r.name,
    value: `${r.value.toLocaleString('en')} ${r.unit}`,
    'vs baseline': r.ratio === undefined ? '' : `${r.ratio.toFixed(3)}×`,
    target: r.target ?? '',
    met: r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    detail: r.detail ?? '',
  }));
  const columns = Object.keys(table[0]!) as (keyof (typeof table)[number])[];
  const widths = columns.map((c) => Math.max(c.length, ...table.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' │ ');
  console.log(`\n${line(columns)}\n${widths.map((w) => '─'.repeat(w)).join('─┼─')}`);
  for (const r of table) console.log(line(columns.map((c) => r[c])));
}

await main();
