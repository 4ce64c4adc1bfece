import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openDatabase } from '../src/db/open.js';
import { runCopy } from '../src/db/copy/cli.js';
import { generateDatabase } from './generate.js';
// @ts-expect-error a plain .mjs of the bench, untyped
import { opt, spawnServer } from './probe-server.mjs';

// A server that runs for weeks (session 38), by hand, not part of npm test: the BUILT server (`npm run build`
// first) on a generated database under steady mixed traffic for --minutes, at --rate requests a second, open
// loop (a request is sent on time whatever the others do; one beyond --max-in-flight is counted as skipped):
// list pages with filters followed by their cursors, full text, stats, related, single records revalidated with
// their ETags, exports read slowly or abandoned, a mirror polling the change feed, API-key writes (POST, PATCH,
// DELETE, labels confirmed and removed), an HTTP import every --import-every-s, a key created, used and revoked
// every --key-every-s. Every 10 s one line to --out (JSONL): RSS, descriptors, the SQLite -wal's size or
// PostgreSQL's connections, sizes and dead tuples, log bytes, and the server's own line (bench/soak-sampler.mjs:
// heap, event-loop delay, handles). At the end, a table per 5 minutes: those figures and latency per route.
//   node --import tsx bench/soak-steady.ts --dir /tmp/soak38-sqlite [--minutes 22] [--rate 40]
//   DATABASE_URL=postgres://…/postgres node --import tsx bench/soak-steady.ts --dir /tmp/soak38-pg …

const dir = opt('dir', '/tmp/soak-steady');
const minutes = Number(opt('minutes', '22'));
const rate = Number(opt('rate', '40'));
const maxInFlight = Number(opt('max-in-flight', '48'));
const recommendations = Number(opt('recommendations', '30000'));
const importEveryS = Number(opt('import-every-s', '240'));
const keyEveryS = Number(opt('key-every-s', '180'));
const windowS = Number(opt('window-s', '300'));
const heapSnapshots = opt('heap-snapshots', 'no') === 'yes';
const pgUrl = process.env.DATABASE_URL || undefined;
// ../shared/data from the main checkout; a worktree under wt/ has it one level further up.
const DATA = opt('data', ['../shared/data', '../../shared/data'].find((d) => existsSync(d)) ?? '../shared/data') + '/terman-upr-2008-2014';

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const out = join(dir, 'samples.jsonl');
const dbPath = join(dir, 'soak.sqlite');
{
  const db = openDatabase(dbPath);
  generateDatabase(db, { recommendations });
  db.$client.close();
}
if (pgUrl) {
  const copied = await runCopy(['--from', dbPath, '--to', pgUrl], process.stdout, process.stderr);
  if (copied !== 0) throw new Error('db:copy failed');
}
const dbEnv = pgUrl ? { DATABASE_URL: pgUrl } : { DATABASE_PATH: dbPath };

/** `npm run keys` as an operator runs it: create prints the key; revoke takes its id. */
function keys(...args: string[]): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', ...args], {
    env: { ...process.env, ...dbEnv },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`keys ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}
const keyOf = (printed: string) => /uprk_[A-Za-z0-9_-]+/.exec(printed)![0];
const adminKey = keyOf(keys('create', '--name', 'soak-admin', '--scope', 'admin'));

const port = 4100 + (process.pid % 200);
const logPath = join(dir, 'server.log');
const logFd = openSync(logPath, 'w');
Object.assign(process.env, dbEnv, { SOAK_SAMPLES: join(dir, 'server-samples.jsonl'), LOG_LEVEL: opt('log-level', 'info') });
const server = spawnServer(port, {
  nodeArgs: ['--expose-gc', '--heapsnapshot-signal=SIGUSR2', '--diagnostic-dir', dir, '--import', './bench/soak-sampler.mjs'],
  stdio: ['ignore', logFd, logFd],
});
closeSync(logFd);
let serverExit: unknown;
server.on('exit', (code: number | null, signal: string | null) => (serverExit = { code, signal }));

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Mode = { kind: 'read' } | { kind: 'slow'; bytesPerS: number } | { kind: 'abandon'; afterMs: number };

/** One request; its latency to the end of the body (or the first byte, for an export read slowly or left) per route. */
function send(
  route: string,
  path: string,
  { method = 'GET', headers = {}, body, mode = { kind: 'read' } as Mode }: { method?: string; headers?: Record<string, string>; body?: string | Buffer; mode?: Mode } = {},
): Promise<Answer> {
  const started = performance.now();
  inFlight++;
  return new Promise<Answer>((resolve) => {
    let done = false;
    const finish = (answer: Answer, cut = false) => {
      if (done) return;
      done = true;
      inFlight--;
      record(route, answer.status, performance.now() - started, cut);
      resolve(answer);
    };
    let req: http.ClientRequest;
    try {
      req = http.request({ host: '127.0.0.1', port, path, method, agent: mode.kind === 'read' ? agent : undefined, headers }, (res) => {
      const chunks: Buffer[] = [];
      if (mode.kind === 'abandon') {
        res.once('data', () => {
          setTimeout(() => {
            res.destroy();
            finish({ status: res.statusCode!, headers: res.headers, body: '' }, true);
          }, mode.afterMs);
        });
        res.on('end', () => finish({ status: res.statusCode!, headers: res.headers, body: '' }));
        res.on('error', () => {});
        return;
      }
      if (mode.kind === 'slow') {
        // Reads at most bytesPerS: pauses the stream for as long as the bytes read ask.
        let read = 0;
        const t0 = performance.now();
        res.on('data', (d: Buffer) => {
          read += d.length;
          const due = (read / mode.bytesPerS) * 1000 - (performance.now() - t0);
          if (due > 0) {
            res.pause();
            setTimeout(() => res.resume(), due);
          }
        });
      } else res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => finish({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => finish({ status: -1, headers: res.headers, body: '' }, true));
      // A slow reader's response the server ended (EXPORT_MAX_SECONDS) may only close: cut, as an error is.
      res.on('close', () => finish({ status: -1, headers: res.headers, body: '' }, true));
    });
    } catch (error) {
      finish({ status: -3, headers: {}, body: String(error) });
      return;
    }
    req.on('error', (error: NodeJS.ErrnoException) => finish({ status: -2, headers: {}, body: String(error.code) }));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

// Latencies per route, per window; statuses per route over the whole run.
const windows: Map<string, number[]>[] = [];
const statuses = new Map<string, Map<number, number>>();
const started = Date.now();
let inFlight = 0;
let skipped = 0;
let sent = 0;
function record(route: string, status: number, ms: number, cut: boolean) {
  const w = Math.floor((Date.now() - started) / (windowS * 1000));
  const routes = (windows[w] ??= new Map());
  if (!cut) (routes.get(route) ?? routes.set(route, []).get(route)!).push(ms);
  const byStatus = statuses.get(route) ?? statuses.set(route, new Map()).get(route)!;
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  if ((status >= 500 || status < 0) && route !== 'ready') console.error(`${new Date().toISOString()} ${route} answered ${status}`);
}

const json = (a: Answer) => {
  try {
    return JSON.parse(a.body);
  } catch {
    return undefined;
  }
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const auth = (key: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...more });
const jsonAuth = (key: string, more: Record<string, string> = {}) => auth(key, { 'content-type': 'application/json', ...more });

// Wait for the server, then learn some ids to ask for.
for (let i = 0; ; i++) {
  if (serverExit) throw new Error(`server exited: ${JSON.stringify(serverExit)} (${logPath})`);
  const ready = await send('ready', '/readyz').catch(() => undefined);
  if (ready?.status === 200) break;
  await sleep(250);
}
const ids: string[] = json(await send('setup', '/v1/recommendations?limit=200&sort=-updatedAt')).data.map((r: { id: string }) => r.id);
for (const cursor of ['cycle=1', 'cycle=2', 'position=noted']) {
  ids.push(...json(await send('setup', `/v1/recommendations?limit=200&${cursor}`)).data.map((r: { id: string }) => r.id));
}
const themeIds: string[] = json(await send('setup', '/v1/themes?scheme=upr-info')).data.map((t: { id: string }) => t.id).slice(0, 40);
const states: string[] = json(await send('setup', '/v1/states?limit=300')).data.map((s: { id: string }) => s.id);
const reviews: string[] = json(await send('setup', '/v1/reviews?limit=500')).data.map((r: { id: string }) => r.id);
const devIds: string[] = json(await send('setup', '/v1/developments?limit=100')).data.map((d: { id: string }) => d.id);

// The traffic.
const etags = new Map<string, string>();
async function single() {
  const [route, path] = pick([
    ['recommendation', () => `/v1/recommendations/${encodeURIComponent(pick(ids))}`],
    ['review', () => `/v1/reviews/${pick(reviews)}`],
    ['state', () => `/v1/states/${pick(states)}`],
    ['development', () => `/v1/developments/${pick(devIds)}`],
  ] as const);
  const url = path();
  const tag = etags.get(url);
  const a = await send(`${route} ${tag ? 'revalidate' : 'get'}`, url, { headers: tag ? { 'if-none-match': tag } : {} });
  if (typeof a.headers.etag === 'string') etags.set(url, a.headers.etag);
}
const filters = () =>
  [
    pick(['', `stateUnderReview=${pick(states)}`, `cycle=${pick([1, 2, 3])}`]),
    pick(['', `position=${pick(['supported', 'noted', 'pending', 'partially_supported'])}`]),
    pick(['', `theme=${pick(themeIds)}`, `sdg=${pick([1, 4, 5, 10, 16])}`]),
    pick(['', `regionalGroup=${pick(['WEOG', 'GRULAC', 'African', 'Asia-Pacific', 'Eastern%20European'])}`]),
    pick(['', 'sort=-updatedAt', 'sort=id', 'sort=-paragraph']),
  ]
    .filter(Boolean)
    .join('&');
async function browse() {
  // A reader paging on: up to four pages by nextCursor.
  let path: string | null = `/v1/recommendations?limit=${pick([20, 50, 100])}&${filters()}`;
  for (let page = 0; path && page < 4; page++) {
    const a = await send(page === 0 ? 'list' : 'list cursor', path);
    const next = json(a)?.meta?.nextCursor;
    path = next && Math.random() < 0.6 ? `${path.replace(/&cursor=[^&]*/, '')}&cursor=${encodeURIComponent(next)}` : null;
  }
}
const words = ['torture', 'women', 'education', 'detention*', '"human rights defenders"', 'child OR children', 'death penalty', 'ratify'];
const fulltext = () => send('fulltext', `/v1/recommendations?q=${encodeURIComponent(pick(words))}&limit=20&${pick(['', `cycle=${pick([1, 2])}`])}`);
const stats = () =>
  pick([
    () => send('stats', `/v1/stats/recommendations?groupBy=${pick(['position', 'position,regionalGroup', 'theme', 'year,position', 'recommendingState'])}&${filters()}`),
    () => send('stats developments', '/v1/stats/developments?groupBy=direction'),
    () => send('review summary', `/v1/reviews/${pick(reviews)}/summary`),
  ])();
const related = () => send('related', `/v1/recommendations/${encodeURIComponent(pick(ids))}/related?limit=5`);
const other = () =>
  send('other list', pick(['/v1/developments?limit=50', '/v1/reviews?limit=100', '/v1/states', '/v1/statements?limit=50', '/v1/sources?limit=50', '/v1/assessments?limit=50']));
function exportRead() {
  const format = pick(['csv', 'ndjson']);
  const path = `/v1/recommendations?format=${format}&${filters()}`;
  const r = Math.random();
  if (r < 0.4) return send('export', path);
  if (r < 0.7) return send('export slow', path, { mode: { kind: 'slow', bytesPerS: pick([64 * 1024, 256 * 1024]) } });
  return send('export abandoned', path, { mode: { kind: 'abandon', afterMs: 200 + Math.random() * 3000 } });
}
let written = 0;
async function write() {
  const n = ++written;
  const r = Math.random();
  if (r < 0.45) {
    // A development's life: created, corrected, then (most) deleted.
    const created = await send('POST development', '/v1/developments', {
      method: 'POST',
      headers: jsonAuth(adminKey, { 'idempotency-key': `soak-${process.pid}-${n}` }),
      body: JSON.stringify({
        stateUnderReview: 'KGZ',
        reviewId: 'KGZ-3',
        title: `Soak development ${n}`,
        summary: 'Written by the soak test.',
        date: '2021-03',
        datePrecision: 'month',
        direction: pick(['progress', 'setback', 'neutral']),
        recommendationIds: ['KGZ-3-FIN-1'],
        sources: [{ title: 'Soak', publisher: 'upr-tracker', url: `https://example.org/soak/${n % 50}`, publishedOn: null }],
      }),
    });
    const id = json(created)?.id;
    if (!id) return;
    const patched = await send('PATCH development', `/v1/developments/${id}`, {
      method: 'PATCH',
      headers: jsonAuth(adminKey, { 'if-match': String(created.headers.etag) }),
      body: JSON.stringify({ title: `Soak development ${n}, corrected` }),
    });
    if (Math.random() < 0.8)
      await send('DELETE development', `/v1/developments/${id}`, { method: 'DELETE', headers: auth(adminKey, { 'if-match': String(patched.headers.etag ?? '*') }) });
  } else if (r < 0.8) {
    const id = encodeURIComponent(pick(ids));
    const theme = pick(themeIds);
    await send('PUT theme', `/v1/recommendations/${id}/themes/${theme}`, { method: 'PUT', headers: auth(adminKey) });
    if (Math.random() < 0.5) await send('DELETE theme', `/v1/recommendations/${id}/themes/${theme}`, { method: 'DELETE', headers: auth(adminKey) });
  } else {
    const a = await send('POST assessment', '/v1/assessments', {
      method: 'POST',
      headers: jsonAuth(adminKey),
      body: JSON.stringify({
        recommendationId: pick(ids),
        status: pick(['implemented', 'partially_implemented', 'not_implemented']),
        assessedOn: '2024-05-01',
        rationale: `Soak assessment ${n}.`,
        sources: [{ title: 'Soak', publisher: 'upr-tracker', url: `https://example.org/soak/${n % 50}`, publishedOn: null }],
      }),
    });
    const id = json(a)?.id;
    if (id && Math.random() < 0.7) await send('DELETE assessment', `/v1/assessments/${encodeURIComponent(id)}`, { method: 'DELETE', headers: auth(adminKey, { 'if-match': '*' }) });
  }
}
const MIX: [number, () => unknown][] = [
  [22, browse],
  [10, fulltext],
  [18, single],
  [8, stats],
  [6, related],
  [10, other],
  [2, exportRead],
  [8, write],
];
const totalWeight = MIX.reduce((s, [w]) => s + w, 0);
function next() {
  let r = Math.random() * totalWeight;
  for (const [w, f] of MIX) if ((r -= w) < 0) return f;
  return MIX[0]![1];
}

// The mirror: polls the change feed every 5 s from its stored cursor, following hasMore at once.
let mirrorCursor = new Date(started).toISOString();
let mirrored = 0;
async function mirror() {
  for (let i = 0; i < 20; i++) {
    const a = json(await send('changes', `/v1/changes?since=${encodeURIComponent(mirrorCursor)}&limit=100`));
    if (!a) return;
    mirrored += a.data.length;
    mirrorCursor = a.meta.nextCursor;
    if (!a.meta.hasMore) return;
  }
}
const imports = ['2008data.csv', '2012data.csv', '2010data.csv', '2009data.csv'];
let imported = 0;
async function importFile() {
  const file = imports[imported++ % imports.length]!;
  const dryRun = imported % 3 === 0 ? '?dryRun=true' : '';
  const a = await send('POST import', `/v1/imports${dryRun}`, { method: 'POST', headers: auth(adminKey, { 'content-type': 'text/csv' }), body: readFileSync(join(DATA, file)) });
  console.log(`${new Date().toISOString()} import ${file}${dryRun}: ${a.status} ${a.status >= 300 ? a.body.slice(0, 300) : ''}`);
}
let keysMade = 0;
async function keyLife() {
  const printed = keys('create', '--name', `soak-key-${++keysMade}`, '--scope', 'write');
  const key = keyOf(printed);
  await send('POST assessment', '/v1/assessments', {
    method: 'POST',
    headers: jsonAuth(key),
    body: JSON.stringify({ recommendationId: pick(ids), status: 'implemented', assessedOn: '2024-05-02', rationale: 'By a short-lived key.', sources: [] }),
  });
  keys('revoke', key.split('_')[1]!);
  const after = await send('revoked key', '/v1/recommendations?limit=1', { headers: auth(key) });
  if (after.status !== 401) console.error(`a revoked key answered ${after.status}`);
}

// Sampling.
const pool = pgUrl ? new pg.Pool({ connectionString: pgUrl, max: 1 }) : undefined;
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0);
const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
let lastServerLine = 0;
function schedstat() {
  let [runNs, waitNs] = [0, 0];
  for (const task of readdirSync(`/proc/${server.pid}/task`)) {
    const [run, wait] = readFileSync(`/proc/${server.pid}/task/${task}/schedstat`, 'utf8').split(' ').map(Number);
    runNs += run!;
    waitNs += wait!;
  }
  return { runNs, waitNs };
}
async function sample() {
  const serverSamples = join(dir, 'server-samples.jsonl');
  const serverLines = (existsSync(serverSamples) ? readFileSync(serverSamples, 'utf8') : '').trim().split('\n').filter(Boolean);
  const own = serverLines
    .slice(lastServerLine)
    .map((l) => JSON.parse(l) as { thread: string })
    .filter((l) => l.thread === 'main')
    .at(-1);
  lastServerLine = serverLines.length;
  const cpu = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const line: Record<string, unknown> = {
    t: Date.now(),
    s: Math.round((Date.now() - started) / 1000),
    rssKb: kb('VmRSS'),
    fds: readdirSync(`/proc/${server.pid}/fd`).length,
    threads: kb('Threads'),
    cpuTicks: Number(cpu[11]) + Number(cpu[12]),
    // Whether a slow answer is the host's: ns run, ns runnable but waiting for a CPU (all threads), and ticks
    // waited on block I/O (an fsync).
    ...schedstat(),
    blkioTicks: Number(cpu[39]),
    logBytes: size(logPath),
    sent,
    skipped,
    inFlight,
    mirrored,
    server: own,
  };
  if (pool) {
    const q = async (sql: string) => (await pool.query(sql)).rows;
    line.pg = {
      connections: (await q(`select state, count(*)::int n from pg_stat_activity where datname = current_database() group by state`)).reduce(
        (o: Record<string, number>, r: { state: string; n: number }) => ({ ...o, [r.state ?? 'null']: r.n }),
        {},
      ),
      databaseBytes: Number((await q('select pg_database_size(current_database()) b'))[0].b),
      tables: await q(
        `select relname, n_live_tup::int live, n_dead_tup::int dead, pg_total_relation_size(relid)::bigint::text bytes, pg_indexes_size(relid)::bigint::text index_bytes,
                autovacuum_count::int autovacuums from pg_stat_user_tables order by pg_total_relation_size(relid) desc limit 12`,
      ),
      preparedPerBackend: (await q(`select count(*)::int n from pg_prepared_statements`))[0].n,
    };
  } else {
    line.walBytes = size(`${dbPath}-wal`);
    // The wal-index header in -shm (native byte order): mxFrame, the frames in the log now, at 16; nBackfill, those
    // copied into the database, at 96. The file's size is its high-water mark, these what it holds.
    const shm = existsSync(`${dbPath}-shm`) ? readFileSync(`${dbPath}-shm`).subarray(0, 104) : undefined;
    if (shm?.length === 104) Object.assign(line, { walFrames: shm.readUInt32LE(16), walBackfilled: shm.readUInt32LE(96) });
    line.dbBytes = size(dbPath);
  }
  appendFileSync(out, `${JSON.stringify(line)}\n`);
}

// The run: an open loop of `rate` requests a second, in 100 ms ticks.
const end = started + minutes * 60_000;
let nextImport = started + 60_000;
let nextKey = started + 90_000;
let nextMirror = started;
let nextSample = started;
const snapshotsAt = heapSnapshots ? [started + 3 * 60_000, end - 30_000] : [];
const background: Promise<unknown>[] = [];
let carry = 0;
while (Date.now() < end && !serverExit) {
  const now = Date.now();
  carry += rate / 10;
  for (; carry >= 1; carry--) {
    if (inFlight >= maxInFlight) skipped++;
    else {
      sent++;
      void next()();
    }
  }
  if (now >= nextMirror) {
    nextMirror = now + 5000;
    void mirror();
  }
  if (now >= nextImport) {
    nextImport = now + importEveryS * 1000;
    background.push(importFile());
  }
  if (now >= nextKey) {
    nextKey = now + keyEveryS * 1000;
    background.push(keyLife());
  }
  if (snapshotsAt.length && now >= snapshotsAt[0]!) {
    snapshotsAt.shift();
    server.kill('SIGUSR2');
  }
  if (now >= nextSample) {
    nextSample = now + 10_000;
    await sample();
  }
  await sleep(100);
}
await Promise.allSettled(background);
while (inFlight > 0) await sleep(100);
await sample();
server.kill('SIGTERM');
await new Promise((resolve) => (serverExit ? resolve(undefined) : server.on('exit', resolve)));
await pool?.end();
agent.destroy();

// The report: per window, the figures at its end and each route's latency.
const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10 : null;
};
const samples = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const report: Record<string, unknown>[] = [];
for (let w = 0; w < windows.length; w++) {
  const inWindow = samples.filter((s) => Math.floor(s.s / windowS) === w);
  const last = inWindow.at(-1);
  const gcd = inWindow.filter((s) => s.server?.afterGc).at(-1)?.server;
  const routes = Object.fromEntries([...(windows[w] ?? new Map())].map(([route, ms]) => [route, { n: ms.length, p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99) }]));
  report.push({
    window: `${(w * windowS) / 60}-${((w + 1) * windowS) / 60} min`,
    rssMb: last && Math.round(last.rssKb / 102.4) / 10,
    heapAfterGcMb: gcd && Math.round(gcd.heapUsed / 104857.6) / 10,
    fds: last?.fds,
    walMb: last?.walBytes !== undefined ? Math.round(last.walBytes / 104857.6) / 10 : undefined,
    pgMb: last?.pg ? Math.round(last.pg.databaseBytes / 104857.6) / 10 : undefined,
    eldP99Max: Math.max(...inWindow.map((s) => s.server?.eld?.p99 ?? 0)),
    routes,
  });
}
const statusTable = Object.fromEntries([...statuses].map(([route, m]) => [route, Object.fromEntries(m)]));
writeFileSync(join(dir, 'report.json'), JSON.stringify({ minutes, rate, sent, skipped, mirrored, imported, keysMade, serverExit, statuses: statusTable, windows: report }, null, 1));
console.log(JSON.stringify({ sent, skipped, mirrored, imported, keysMade, serverExit }, null, 1));
console.log(JSON.stringify(statusTable));
for (const w of report) console.log(JSON.stringify(w));
