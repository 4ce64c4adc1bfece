import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { get } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { type CommandOptions, exitOnHelpOrUsageError } from '../scripts/command-args.js';
import { openDatabase } from '../src/db/open.js';
import { applySeed } from '../seed/apply.js';
import { type ServerProcess, startServer, stopServer, TS_NODE_ARGS } from '../test/support/server-process.js';
import { generateDatabase, type GenerateReport } from './generate.js';
import { npmStart } from './npm-start.js';
import { firstRequestsBench } from './first-requests.js';
import { runImportBench } from './import.js';
import { importStallBench } from './import-stall.js';
import { relatedBench } from './related.js';
import { taggingBench } from './tagging-figures.js';
import { type PgTarget, pgCpuMicros, pgTarget } from './postgres.js';
import { type Client, ensureWrk, load as runLoad, type LoadResult } from './load.js';
import type { BenchRow } from './row.js';

// `npm run bench [-- --quick] [-- --large] [-- --json] [-- --duration 5 --rounds 3]`: the benchmark of issue 9.
// Generates a synthetic database of 100,000 recommendations (--large: also 1,000,000; --quick: 20,000 and
// shorter rounds), starts the real server on it as a child process (the compiled bundle `npm start` runs,
// else src/server.ts with tsx) and, as the baseline, a bare Fastify route in a process of its own
// (bench/bare-fastify.mjs). Each throughput row is measured in rounds interleaved with the baseline (bare,
// row, bare, row…), and its ratio is the median of the rounds' ratios, so that both see the same machine.
// The load comes from wrk (--client autocannon for the JavaScript client; bench/load.ts says why).
// Latency percentiles are only given from at least 2,000 samples. Prints a table with each row's ratio,
// target and whether it is met (--json: the results as JSON on stdout, nothing else); progress goes to
// stderr when it is a terminal. Results are also written to bench/results/ (git-ignored).
// --backend postgres: the same read path against PostgreSQL (bench/postgres.ts): the synthetic SQLite database
// copied by db:copy into a throwaway cluster (--pg-cluster DIR: a cluster of scripts/pg-cluster.sh kept and
// reused, its copy too), the server started with DATABASE_URL; the bare route the same. Rows a backend does
// not serve (501) are printed as "not served" with the reason.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const OPTIONS = {
  quick: { type: 'boolean', default: false },
  large: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  duration: { type: 'string' },
  rounds: { type: 'string' },
  connections: { type: 'string', default: '10' },
  client: { type: 'string', description: "the load generator: 'wrk' (default; installed from Debian when missing) or 'autocannon'" },
  recommendations: { type: 'string' },
  tsx: { type: 'boolean', default: false, description: 'run the server from source with tsx, not the bundle' },
  only: {
    type: 'string',
    description:
      "'read': only the read path (lists, 304, full text, stats, /healthz); 'export': only the CSV export, twice; 'first': only the first request of each kind after a start",
  },
  db: { type: 'string', description: 'the synthetic database file: generated when missing, kept afterwards' },
  'large-db': { type: 'string', description: "--large's database of 1,000,000 recommendations: generated when missing, kept afterwards" },
  backend: { type: 'string', default: 'sqlite', description: "'sqlite' or 'postgres'" },
  'pg-cluster': { type: 'string', description: 'with --backend postgres: a running scripts/pg-cluster.sh cluster to reuse' },
} satisfies CommandOptions;
exitOnHelpOrUsageError(
  OPTIONS,
  'Usage: npm run bench [-- --quick] [--large] [--json] [--only read|export|first] [--db FILE] [--backend sqlite|postgres] …\n' +
    '  The benchmark: a synthetic database, the real server, wrk (minutes; README, "Benchmark"). Options:\n' +
    Object.entries(OPTIONS as CommandOptions)
      .map(([name, option]) => `  --${name}${option.description === undefined ? '' : `  ${option.description}`}`)
      .join('\n'),
);
const { values: args } = parseArgs({ options: OPTIONS });
if (args.backend !== 'sqlite' && args.backend !== 'postgres') throw new Error(`--backend ${args.backend}: 'sqlite' or 'postgres'`);
const POSTGRES = args.backend === 'postgres';
const DURATION = Number(args.duration ?? (args.quick ? 2 : 4));
const ROUNDS = Number(args.rounds ?? (args.quick ? 2 : 3));
const CONNECTIONS = Number(args.connections);
const RECOMMENDATIONS = Number(args.recommendations ?? (args.quick ? 20_000 : 100_000));
/** Samples needed before a p99 is reported. */
const P99_SAMPLES = 2_000;
const READ_ONLY = args.only === 'read';
const EXPORT_ONLY = args.only === 'export';
const FIRST_ONLY = args.only === 'first';
if (args.only !== undefined && !READ_ONLY && !EXPORT_ONLY && !FIRST_ONLY) throw new Error(`--only ${args.only}: 'read', 'export' or 'first'`);

const progress = (message: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
};

if (args.client !== undefined && args.client !== 'wrk' && args.client !== 'autocannon') throw new Error(`--client ${args.client}: 'wrk' or 'autocannon'`);
/** wrk unless asked otherwise or it cannot be installed (then autocannon, said in the table). */
const CLIENT: Client = args.client === 'autocannon' || !ensureWrk(progress) ? 'autocannon' : 'wrk';

// Rate limits and load shedding are part of the service, but a benchmark from one address would only
// measure 429s and 503s: lift them for the run.
const SERVER_ENV = {
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '1000000000',
  RATE_LIMIT_KEY_MAX: '1000000000',
  RATE_LIMIT_EXPORT_MAX: '1000000000',
  MAX_EVENT_LOOP_DELAY_MS: '0',
};

/** The server as `npm start` runs it: the bundle, built first (unless --tsx, or no build script). */
function serverArgs(): string[] {
  if (args.tsx || !existsSync(join(ROOT, 'scripts', 'build.mjs'))) return [...TS_NODE_ARGS, 'src/server.ts'];
  return ['dist/src/server.js'];
}

interface Row extends BenchRow {
  /** The figure divided by the bare route's req/s in the same rounds (median of the rounds' ratios). */
  ratio?: number;
  /** Why the backend does not serve this row (its 501 problem): printed as "not served". */
  notServed?: string;
}

const rows: Row[] = [];
const failures: string[] = [];

/** A process's CPU time so far (user + system, from /proc/<pid>/stat), in microseconds. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks of 10 ms
}

/** The server's peak resident set size so far (VmHWM) and its parts now, in bytes. */
function memory(pid: number): { peak: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]) * 1024;
  return { peak: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

async function load(
  base: string,
  title: string,
  path: string,
  headers: Record<string, string> = {},
  options: { connections?: number; amount?: number } = {},
): Promise<LoadResult> {
  progress(`${title} …`);
  const result = await runLoad(CLIENT, {
    url: `${base}${path}`,
    connections: options.connections ?? CONNECTIONS,
    duration: DURATION,
    ...(options.amount ? { amount: options.amount } : {}),
    headers,
  });
  // Failures are reported with the row, not fatal: on an overloaded machine a round may see timeouts or a 503.
  if (result.failed > 0) failures.push(`${title}: ${result.failed} failed (${result.failures})`);
  return result;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const latencies = (result: LoadResult) =>
  result.requests.total >= P99_SAMPLES
    ? `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`
    : `p50 ${result.latency.p50} ms (p99: < ${P99_SAMPLES} samples)`;

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


/**
 * A full export read by curl, as analysts export, its bytes discarded: curl reads the same bytes for a fifth of
 * the CPU or less of Node's http client (measured: 0.05–0.07 s against 0.30–0.35 s for 59–77 MB), so that on
 * two shared cores the client takes less of the machine from the server. Wall time from curl's own clock;
 * curl's CPU from the shell's `times`. Undefined when curl is not installed.
 */
function curlDownload(url: string): Promise<{ bytes: number; ms: number; cpu: number } | undefined> {
  const script = 'command -v curl >/dev/null || exit 3; curl -s -o /dev/null -w "%{http_code} %{size_download} %{time_total}\\n" "$1" || exit 4; times';
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script, 'curl-download', url], (error, stdout) => {
      if (error && error.code === 3) return resolve(undefined);
      if (error) return reject(error);
      const [status, bytes, seconds] = stdout.split('\n')[0]!.split(' ');
      if (status !== '200') return reject(new Error(`${url}: ${status}`));
      // `times`: the shell's user and system time, then its children's (curl's): "0m0.012s 0m0.041s".
      const [user, system] = stdout.trim().split('\n').at(-1)!.split(' ').map((t) => {
        const [, m, sec] = /^(\d+)m([\d.]+)s$/.exec(t)!;
        return Number(m) * 60 + Number(sec);
      });
      resolve({ bytes: Number(bytes), ms: Number(seconds) * 1000, cpu: user! + system! });
    });
  });
}

/** A figure for the rows' detail: rows/s and the client's CPU. */
const readBy = (client: string, records: number, ms: number, cpu: number) =>
  `${client}: ${Math.round(records / (ms / 1000)).toLocaleString('en')} rows/s in ${(ms / 1000).toFixed(2)} s, client CPU ${cpu.toFixed(2)} s`;

function generate(path: string, recommendations: number): GenerateReport {
  const db = openDatabase(path);
  try {
    return generateDatabase(db, { recommendations });
  } finally {
    db.$client.close();
  }
}

/** The CPU seconds (user + system) a process has used so far: the export's own cost, whatever the load. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, in clock ticks (USER_HZ, 100)
}

const MiB = 2 ** 20;
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

async function exportRun(label: string, server: ServerProcess, expected: number, targetRowsPerSecond: number, maxGrowthMb: number) {
  progress(`CSV export, ${label} …`);
  await fetch(`${server.baseUrl}/v1/recommendations?limit=1`); // the route and its statements, ready
  const url = `${server.baseUrl}/v1/recommendations?format=csv`;
  const before = memory(server.child.pid!);
  // Read once by Node's http client, which counts the records (the export is complete and well formed) …
  let cpuBefore = cpuSeconds(server.child.pid!);
  const clientBefore = process.cpuUsage();
  const result = await download(url);
  const nodeServerCpu = cpuSeconds(server.child.pid!) - cpuBefore;
  // The client (this process) shares the machine's cores with the server: its own cost, to tell who limits.
  const client = process.cpuUsage(clientBefore);
  const nodeClientCpu = (client.user + client.system) / 1e6;
  if (result.records !== expected) throw new Error(`${label}: exported ${result.records} records, expected ${expected}`);
  // … then by curl, the same bytes: the rate reported, when curl is installed.
  cpuBefore = cpuSeconds(server.child.pid!);
  const curl = await curlDownload(url);
  const curlServerCpu = cpuSeconds(server.child.pid!) - cpuBefore;
  if (curl && curl.bytes !== result.bytes) throw new Error(`${label}: curl read ${curl.bytes} bytes, Node's client ${result.bytes}`);
  const after = memory(server.child.pid!);
  const growth = after.peak - before.peak;
  const ms = curl?.ms ?? result.ms;
  const cpu = curl ? curlServerCpu : nodeServerCpu;
  const rate = result.records / (ms / 1000);
  const nodeFigure = readBy("read by Node's http client", result.records, result.ms, nodeClientCpu);
  rows.push({
    name: `CSV export, ${label}${curl ? ', read by curl' : ''}`,
    value: Math.round(rate),
    unit: 'rows/s',
    target: `≥ ${targetRowsPerSecond.toLocaleString('en')} rows/s`,
    met: rate >= targetRowsPerSecond,
    detail:
      `${result.records.toLocaleString('en')} rows, ${(result.bytes / 1e6).toFixed(0)} MB in ${(ms / 1000).toFixed(2)} s; ` +
      `server CPU ${cpu.toFixed(2)} s (${Math.round(result.records / cpu).toLocaleString('en')} rows per CPU-second); ` +
      (curl ? `curl's CPU ${curl.cpu.toFixed(2)} s; the same export ${nodeFigure} (server CPU ${nodeServerCpu.toFixed(2)} s)` : `client CPU ${nodeClientCpu.toFixed(2)} s (curl not installed)`),
  });
  rows.push({
    name: `CSV export, ${label}: server RSS growth (peak)`,
    value: mib(growth),
    unit: 'MiB',
    target: `≤ ${maxGrowthMb} MB`,
    met: growth <= maxGrowthMb * 1e6,
    detail:
      `over both reads; VmHWM ${mib(before.peak)} → ${mib(after.peak)} MiB; after: anonymous (heap, SQLite page cache) ` +
      `${mib(after.anon - before.anon)} MiB, file-backed pages (database mmap, OS page cache) ${mib(after.file - before.file)} MiB`,
  });
}

/**
 * The ceiling for the export row on this machine: bare Fastify streaming the same bytes from a file to the same
 * client (which counts records as it reads, as for the export).
 */
async function exportCeiling(dir: string, server: ServerProcess, expected: number) {
  const file = join(dir, 'export.csv');
  await pipeline(Readable.fromWeb((await fetch(`${server.baseUrl}/v1/recommendations?format=csv`)).body! as import('node:stream/web').ReadableStream), createWriteStream(file));
  const bare = await startServer(join(dir, 'unused.sqlite'), { BARE_STREAM_FILE: file }, ['bench/bare-fastify.mjs'], '/healthz');
  try {
    await download(`${bare.baseUrl}/stream`); // the file into the page cache
    let cpuBefore = cpuSeconds(bare.child.pid!);
    const clientBefore = process.cpuUsage();
    const result = await download(`${bare.baseUrl}/stream`);
    const nodeServerCpu = cpuSeconds(bare.child.pid!) - cpuBefore;
    const client = process.cpuUsage(clientBefore);
    if (result.records !== expected) throw new Error(`export ceiling: streamed ${result.records} records, expected ${expected}`);
    cpuBefore = cpuSeconds(bare.child.pid!);
    const curl = await curlDownload(`${bare.baseUrl}/stream`);
    const curlServerCpu = cpuSeconds(bare.child.pid!) - cpuBefore;
    const nodeFigure = `${readBy("read by Node's http client", result.records, result.ms, (client.user + client.system) / 1e6)}, server CPU ${nodeServerCpu.toFixed(2)} s`;
    rows.push({
      name: `control: bare Fastify streaming the same CSV from a file${curl ? ', read by curl' : ''}`,
      value: Math.round(result.records / ((curl?.ms ?? result.ms) / 1000)),
      unit: 'rows/s',
      detail:
        `${(result.bytes / 1e6).toFixed(0)} MB; ` +
        (curl ? `in ${(curl.ms / 1000).toFixed(2)} s, server CPU ${curlServerCpu.toFixed(2)} s, curl's CPU ${curl.cpu.toFixed(2)} s; ` : '') +
        `${nodeFigure}: the ceiling for the export rows above`,
    });
  } finally {
    await stopServer(bare);
    rmSync(file, { force: true });
  }
}

/** Milliseconds from spawn to the first 200 from /healthz, and the server's CPU until then: best of `times`. */
async function coldStart(nodeArgs: string[], databasePath: string, times: number, env: Record<string, string> = SERVER_ENV) {
  const all: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const server = await startServer(databasePath, env, nodeArgs, '/healthz');
    all.push(performance.now() - started);
    cpu.push(cpuMicros(server.child.pid!) / 1000);
    await stopServer(server);
  }
  return { best: Math.min(...all), median: median(all), cpu: Math.min(...cpu) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upr-bench-'));
  const servers: ServerProcess[] = [];
  const nodeArgs = serverArgs();
  const compiled = nodeArgs[0] === 'dist/src/server.js';
  try {
    if (compiled) {
      progress('npm run build …');
      await import(join(ROOT, 'scripts', 'build.mjs'));
    }
    if (args.only === undefined && !POSTGRES) await coldStarts(dir, nodeArgs, compiled);

    // The synthetic database, written straight into its file (--db: reused when it exists, and kept).
    const path = args.db ?? join(dir, 'bench.sqlite');
    if (!existsSync(path)) {
      progress(`generating ${RECOMMENDATIONS.toLocaleString('en')} recommendations …`);
      const report = generate(path, RECOMMENDATIONS);
      rows.push({
        name: `generate ${RECOMMENDATIONS.toLocaleString('en')} recommendations (insert rate)`,
        value: Math.round(report.rows / report.seconds),
        unit: 'rows/s',
        detail: `${report.rows.toLocaleString('en')} rows (${report.reviews} reviews, ${report.developments} developments, ${report.assessments} assessments, ${report.statements} statements) in ${report.seconds.toFixed(1)} s`,
      });
    }
    const target = POSTGRES ? await pgTarget(dir, path, args['pg-cluster'], progress, (row) => rows.push(row)) : undefined;
    try {
      // The first request of each kind on fresh servers, before the read path's load warms the OS page cache further.
      if (FIRST_ONLY || args.only === undefined) {
        const env = target ? { ...SERVER_ENV, DATABASE_URL: target.url } : SERVER_ENV;
        rows.push(...(await firstRequestsBench(path, env, nodeArgs, POSTGRES ? 'PostgreSQL' : 'SQLite', args.quick ? 1 : 3, progress)));
      }
      if (!FIRST_ONLY) await readPath(dir, path, nodeArgs, servers, target);
      // Related recommendations, machine labels and imports are measured in process, on SQLite.
      if (args.only === undefined && !POSTGRES) await slowerParts(dir, nodeArgs, servers);
    } finally {
      await target?.stop();
    }
    progress('');
    report(nodeArgs);
  } finally {
    for (const server of servers) await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cold start: migrations and seed of an empty database, in process and as a server's time to /healthz. */
async function coldStarts(dir: string, nodeArgs: string[], compiled: boolean) {
  const started = performance.now();
  const cold = openDatabase(join(dir, 'cold.sqlite'), { seed: false });
  const migrated = performance.now();
  const { inserted } = applySeed(cold);
  const seeded = performance.now();
  cold.$client.close();
  rows.push({
    name: 'cold start: migrate + seed an empty database (in process)',
    value: Math.round(seeded - started),
    unit: 'ms',
    detail: `migrations ${Math.round(migrated - started)} ms; seed ${inserted} rows in ${Math.round(seeded - migrated)} ms`,
  });
  progress('cold start …');
  const first = await coldStart(nodeArgs, join(dir, 'cold-server.sqlite'), 1);
  const again = await coldStart(nodeArgs, join(dir, 'cold-server.sqlite'), 3);
  const bareStart = await coldStart(['bench/bare-fastify.mjs'], join(dir, 'unused.sqlite'), 3, {});
  // The whole of `npm start` (npm, its prestart build, the bundle), when the bundle is what is measured: the
  // bundle was just built, so the prestart finds it current and keeps it (scripts/build.mjs --if-changed).
  const npm: number[] = [];
  if (compiled) for (let i = 0; i < 3; i++) npm.push(await npmStart(join(dir, 'cold-server.sqlite'), SERVER_ENV));
  rows.push({
    name: `cold start: spawn to first /healthz (${compiled ? 'the bundle npm start runs' : 'tsx'})`,
    value: Math.round(again.best),
    unit: 'ms',
    target: '≤ 1000 ms',
    met: again.best <= 1000,
    detail:
      `existing database, best of 3 (median ${Math.round(again.median)}), server CPU ${Math.round(again.cpu)} ms; ` +
      `empty database (migrate + seed) ${Math.round(first.best)} ms; bare Fastify ${Math.round(bareStart.best)} ms, CPU ${Math.round(bareStart.cpu)} ms` +
      (compiled ? `; all of npm start with a current bundle (npm, the build's check, the bundle) ${Math.round(Math.min(...npm))} ms` : ''),
  });
}

/** Whether the server answers `path` with 501 (a route its backend does not serve yet): then a row says so. */
async function notServed(server: ServerProcess, name: string, path: string, headers: Record<string, string>): Promise<boolean> {
  const response = await fetch(`${server.baseUrl}${path}`, { headers });
  if (response.status !== 501) return false;
  const problem = (await response.json()) as { detail?: string };
  rows.push({ name, value: 0, unit: '', notServed: String(problem.detail).split('; served:')[0]! });
  return true;
}

/** /healthz, lists, 304, full text and stats against the bare route; the exports around them unless --only read. */
async function readPath(dir: string, path: string, nodeArgs: string[], servers: ServerProcess[], pg: PgTarget | undefined) {
  const bare = await startServer(join(dir, 'unused.sqlite'), {}, ['bench/bare-fastify.mjs'], '/healthz');
  servers.push(bare);
  const server = await startServer(path, pg ? { ...SERVER_ENV, DATABASE_URL: pg.url } : SERVER_ENV, nodeArgs);
  servers.push(server);
  if (pg) {
    const started = performance.now();
    const cold = await startServer(path, { ...SERVER_ENV, DATABASE_URL: pg.url }, nodeArgs, '/healthz');
    const ms = performance.now() - started;
    const cpu = cpuMicros(cold.child.pid!) / 1000;
    await stopServer(cold);
    rows.push({
      name: 'cold start: spawn to first /healthz (PostgreSQL, migrated database)',
      value: Math.round(ms),
      unit: 'ms',
      target: '≤ 1000 ms',
      met: ms <= 1000,
      detail: `server CPU ${Math.round(cpu)} ms (one start: the pool connects, checks the migrations and the stored documents)`,
    });
  }
  const expected = RECOMMENDATIONS + 8; // and the seed's eight
  const size = `${(RECOMMENDATIONS / 1000).toFixed(0)}k rows`;
  // The export first, on a fresh process (its peak RSS growth includes V8 growing its young generation),
  // and again at the end, on a server that has been working (the growth the export itself causes).
  if (!READ_ONLY && !(await notServed(server, 'CSV export', '/v1/recommendations?format=csv&limit=1', {}))) {
    await exportRun(`${size}, fresh server`, server, expected, 400_000, 20);
  }
  if (EXPORT_ONLY) {
    await exportRun(`${size}, second export`, server, expected, 400_000, 20);
    await exportCeiling(dir, server, expected);
    if (args.large) await largeExport(dir, nodeArgs, servers);
    return;
  }

  let bareBest = 0;
  /** Rounds of the bare route and the row, interleaved; the row's median req/s and median ratio. */
  const throughput = async (name: string, path: string, headers: Record<string, string>, target?: number, measured = server) => {
    if (await notServed(measured, name, path, headers)) return;
    const ratios: number[] = [];
    const results: LoadResult[] = [];
    // Server CPU per request, the best round's: on a machine busy with other work, a steadier figure
    // than req/s (which also counts the client's share of the cores).
    let bareCpu = Infinity;
    let rowCpu = Infinity;
    // On PostgreSQL, the database server's CPU per request too (its postmaster and backends).
    let dbCpu = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      let cpu = cpuMicros(bare.child.pid!);
      const baseline = await load(bare.baseUrl, `${name}: bare Fastify, round ${round + 1}`, '/healthz');
      bareCpu = Math.min(bareCpu, (cpuMicros(bare.child.pid!) - cpu) / baseline.requests.total);
      cpu = cpuMicros(measured.child.pid!);
      const db = pg ? pgCpuMicros(pg.postmaster) : 0;
      const result = await load(measured.baseUrl, `${name}: round ${round + 1}`, path, headers);
      rowCpu = Math.min(rowCpu, (cpuMicros(measured.child.pid!) - cpu) / result.requests.total);
      if (pg) dbCpu = Math.min(dbCpu, (pgCpuMicros(pg.postmaster) - db) / result.requests.total);
      bareBest = Math.max(bareBest, baseline.requests.average);
      ratios.push(result.requests.average / baseline.requests.average);
      results.push(result);
    }
    const ratio = median(ratios);
    const typical = results.sort((a, b) => a.requests.average - b.requests.average)[Math.floor(results.length / 2)]!;
    rows.push({
      name,
      value: Math.round(typical.requests.average),
      unit: 'req/s',
      ratio: Math.round(ratio * 10_000) / 10_000,
      ...(target === undefined ? {} : { target: `≥ ${target}× bare`, met: ratio >= target }),
      detail:
        `${latencies(typical)}; server CPU ${Math.round(rowCpu)} µs/request (bare ${Math.round(bareCpu)} µs: ${(bareCpu / rowCpu).toFixed(4)}×)` +
        `; the client's (${typical.client}) ${Math.round((typical.clientCpu * 1e6) / typical.requests.total)} µs/request` +
        (pg ? `; PostgreSQL CPU ${Math.round(dbCpu)} µs/request (node + PostgreSQL: ${(bareCpu / (rowCpu + dbCpu)).toFixed(4)}×)` : ''),
    });
  };

  const list = '/v1/recommendations?stateUnderReview=FRA,KEN,BRA,IND&position=supported&limit=50';
  const noCache = { 'cache-control': 'no-cache' };
  await throughput('GET /healthz', '/healthz', {}, 0.5);
  await throughput('filtered list of 50, uncached', list, noCache, 0.04);
  await throughput('same list, cached', list, {}, 0.25);
  // The ceiling for that row: bare Fastify sending the same bytes (the list's body is ~70 KB, the
  // baseline's 15 bytes; writing and reading the bytes is most of a hit's cost on both sides).
  const body = Buffer.from(await (await fetch(`${server.baseUrl}${list}`)).arrayBuffer());
  writeFileSync(join(dir, 'cached-list.json'), body);
  const bareBody = await startServer(join(dir, 'unused.sqlite'), { BARE_BODY_FILE: join(dir, 'cached-list.json') }, ['bench/bare-fastify.mjs'], '/healthz');
  servers.push(bareBody);
  await throughput(`control: bare Fastify sending the same ${body.length.toLocaleString('en')} bytes`, '/body', {}, undefined, bareBody);
  await stopServer(bareBody);
  await throughput('same list, cached, Accept-Encoding: br (as browsers send)', list, { 'accept-encoding': 'br, gzip' }, 0.25);
  const etag = (await fetch(`${server.baseUrl}${list}`)).headers.get('etag')!;
  await throughput('same list, If-None-Match → 304', list, { 'if-none-match': etag }, 0.4);

  const search = '/v1/recommendations?q=torture%20detention&limit=50';
  await throughput('full-text query (q=torture detention), uncached', search, noCache);
  await throughput('full-text query, cached', search, {});
  // Latency, not throughput: one request at a time, so that the figure is the query's, not a queue's.
  if (!(await notServed(server, 'full-text query, uncached: p99 latency, one client', search, noCache))) {
  const fulltext = await load(server.baseUrl, 'full text, one at a time', search, noCache, { connections: 1, amount: P99_SAMPLES });
  const matches = ((await (await fetch(`${server.baseUrl}${search}`)).json()) as { meta: { total: number } }).meta.total;
  rows.push({
    name: 'full-text query, uncached: p99 latency, one client',
    value: fulltext.latency.p99,
    unit: 'ms',
    target: '≤ 15 ms',
    met: fulltext.latency.p99 <= 15,
    detail: `p50 ${fulltext.latency.p50} ms over ${fulltext.requests.total.toLocaleString('en')} requests (autocannon); matches ${matches.toLocaleString('en')} of ${expected.toLocaleString('en')}`,
  });
  }
  const stats = '/v1/stats/recommendations?groupBy=position,regionalGroup&cycle=3';
  await throughput('stats (groupBy=position,regionalGroup&cycle=3), uncached', stats, noCache, 0.01);
  await throughput('same stats, cached', stats, {});
  if (!READ_ONLY && !(await notServed(server, 'CSV export', '/v1/recommendations?format=csv&limit=1', {}))) {
    await exportRun(`${size}, warm server`, server, expected, 400_000, 20);
    await exportCeiling(dir, server, expected);
  }
  rows.unshift({
    name: 'baseline: bare Fastify route (best round)',
    value: Math.round(bareBest),
    unit: 'req/s',
    ratio: 1,
    detail: `load generator ${CLIENT === 'wrk' ? 'wrk (one thread)' : 'autocannon'}, ${CONNECTIONS} connections, rounds of ${DURATION} s`,
  });
  await stopServer(server);
}

/** Related recommendations, machine labels and (--large) the 1M export. */
async function slowerParts(dir: string, nodeArgs: string[], servers: ServerProcess[]) {

  // Related recommendations (issue 11): precision on a labelled sample of real data, and their cost.
  rows.push(...(await relatedBench(progress)));
  // Machine labels (issue 11): held-out F1 and tagging speed.
  rows.push(...(await taggingBench(progress)));
  // Imports of the real data sets (issue 10): the Terman corpus, UPR Info, both reconciled (skipped without ../shared/data).
  rows.push(...(await runImportBench(progress)));
  // The service while it imports over HTTP: the import thread against the request's thread (skipped without ../shared/data).
  rows.push(...(await importStallBench(dir, nodeArgs, SERVER_ENV, progress)));

  if (args.large) await largeExport(dir, nodeArgs, servers);
}

/** --large: the CSV export of 1,000,000 recommendations (--large-db: that database, reused when it exists, and kept). */
async function largeExport(dir: string, nodeArgs: string[], servers: ServerProcess[]) {
  const largePath = args['large-db'] ?? join(dir, 'large.sqlite');
  if (!existsSync(largePath)) {
    progress('generating 1,000,000 recommendations …');
    const largeReport = generate(largePath, 1_000_000);
    rows.push({
      name: 'generate 1,000,000 recommendations (insert rate)',
      value: Math.round(largeReport.rows / largeReport.seconds),
      unit: 'rows/s',
      detail: `${largeReport.rows.toLocaleString('en')} rows in ${largeReport.seconds.toFixed(1)} s`,
    });
  }
  const large = await startServer(largePath, SERVER_ENV, nodeArgs);
  servers.push(large);
  await exportRun('1M rows, fresh server', large, 1_000_008, 400_000, 20);
  await exportRun('1M rows, second export', large, 1_000_008, 400_000, 20);
  await stopServer(large);
}

function report(nodeArgs: string[]): void {
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version },
    settings: {
      recommendations: RECOMMENDATIONS,
      large: args.large,
      only: args.only ?? null,
      backend: args.backend,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      server: nodeArgs.join(' '),
    },
    rows,
    failures,
  };
  const folder = join(ROOT, 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${results.at.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } else {
    print();
    for (const failure of failures) console.log(`failed requests: ${failure}`);
    console.log(`\nwritten to ${file}`);
  }
}

function print(): void {
  const table = rows.map((r) => ({
    measure: r.name,
    value: r.notServed === undefined ? `${r.value.toLocaleString('en')} ${r.unit}` : 'not served',
    'vs bare': r.ratio === undefined ? '' : `${r.ratio.toFixed(4)}×`,
    target: r.target ?? '',
    met: r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
    detail: r.notServed ?? r.detail ?? '',
  }));
  const columns = Object.keys(table[0]!) as (keyof (typeof table)[number])[];
  const widths = columns.map((c) => Math.max(c.length, ...table.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' │ ');
  console.log(`\n${line(columns)}\n${widths.map((w) => '─'.repeat(w)).join('─┼─')}`);
  for (const r of table) console.log(line(columns.map((c) => r[c])));
}

await main();
