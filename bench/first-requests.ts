import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { type ServerProcess, startServer, stopServer } from '../test/support/server-process.js';
import type { BenchRow } from './row.js';

// The first minute after a start (a deploy, a restart): what the first request of each kind costs a freshly
// started server, against the same kind's warm cost. Each kind gets servers of its own (`restarts` of them,
// started and waited for until /readyz, as after a deploy), so that no kind's one-off costs are paid by
// another's: on each, the first call, the second and the median of five more (the warm cost). Every call of a
// kind asks another URL (another filter, limit or record), so that none is served from the response cache; the
// writes are dry-run imports, creates and PATCHes of synthetic records (the creates deleted after the measures),
// in states whose relations are computed first, as after every import (relateWritten).

/** What the calls need from the database: ids, reviews, states and a key that may write. */
export interface Sample {
  ids: string[];
  reviews: string[];
  states: string[];
  /** The states the creates and PATCHes write in (the reviews' and the records'): related before the measures. */
  written: string[];
  key: string;
  smallImport: Buffer;
  largeImport: Buffer;
  /** The records the creates made: deleted after the measures (an export's count, a --db kept for the next run). */
  created: string[];
}

type Call = (base: string, i: number, sample: Sample) => Promise<void>;

async function get(url: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${body.toString('utf8', 0, 300)}`);
}

async function send(url: string, method: string, key: string, body: string | Uint8Array<ArrayBuffer>, type: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${key}`, 'content-type': type, ...headers }, body });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return response.headers.get('location');
}

const at = <T>(list: T[], i: number) => list[i % list.length]!;
const WORDS = ['torture detention', 'women', 'children education', 'freedom expression', 'death penalty', 'journalists', 'disabilities'];

/** The kinds of request measured, each as a call whose URL (or body) depends on its number. */
export const KINDS: [string, Call][] = [
  ['list, unfiltered', (base, i) => get(`${base}/v1/recommendations?limit=${50 - i}`)],
  ['list, filtered', (base, i, s) => get(`${base}/v1/recommendations?stateUnderReview=${at(s.states, i)}&position=supported&limit=50`)],
  ['list, full text (q=)', (base, i) => get(`${base}/v1/recommendations?q=${encodeURIComponent(at(WORDS, i))}&limit=50`)],
  ['one record', (base, i, s) => get(`${base}/v1/recommendations/${at(s.ids, i)}`)],
  ['related', (base, i, s) => get(`${base}/v1/recommendations/${at(s.ids, i)}/related`)],
  ['stats position,regionalGroup', (base, i) => get(`${base}/v1/stats/recommendations?groupBy=position,regionalGroup&cycle=${1 + (i % 4)}`)],
  ['stats theme', (base, i, s) => get(`${base}/v1/stats/recommendations?groupBy=theme&stateUnderReview=${at(s.states, i)}`)],
  ['stats cycle,position', (base, i, s) => get(`${base}/v1/stats/recommendations?groupBy=cycle,position&recommendingState=${at(s.states, i)}`)],
  ['CSV export, filtered', (base, i, s) => get(`${base}/v1/recommendations?format=csv&stateUnderReview=${at(s.states, i)}`)],
  ['NDJSON export, filtered', (base, i, s) => get(`${base}/v1/recommendations?format=ndjson&stateUnderReview=${at(s.states, i)}`)],
  ['/openapi.json', (base) => get(`${base}/openapi.json`)],
  ['/docs', (base) => get(`${base}/docs`)],
  [
    "dashboard's first page",
    async (base, i, s) => {
      // The page, its script and style, then what it asks of the API for a review (dashboard/main.ts).
      const page = await (await fetch(`${base}/dashboard/`)).text();
      const assets = [...page.matchAll(/(?:src|href)="(?:\.\/)?(app-[^"]+)"/g)].map((m) => `${base}/dashboard/${m[1]}`);
      const review = at(s.reviews, i);
      const scope = `reviewId=${review}`;
      await Promise.all([
        ...assets.map((url) => get(url)),
        get(`${base}/v1/reviews?limit=500`),
        get(`${base}/v1/themes`),
        get(`${base}/v1/reviews/${review}/summary`),
        get(`${base}/v1/recommendations?${scope}&limit=50`),
        get(`${base}/v1/stats/recommendations?${scope}&groupBy=recommendingState`),
        get(`${base}/v1/stats/recommendations?${scope}&groupBy=theme,labelSource`),
      ]);
    },
  ],
  [
    'POST create (tags)',
    async (base, i, s) =>
      void s.created.push((await send(`${base}/v1/recommendations`, 'POST', s.key, JSON.stringify({
        reviewId: at(s.reviews, i),
        text: `Ratify the Optional Protocol to the Convention against Torture and protect journalists (${Date.now()}-${i}).`,
        verbatim: false,
        recommendingStates: ['GBR'],
      }), 'application/json'))!),
  ],
  [
    'PATCH',
    async (base, i, s) =>
      void await send(`${base}/v1/recommendations/${at(s.ids, i + 7)}`, 'PATCH', s.key, JSON.stringify({ text: `Guarantee the independence of the judiciary (${Date.now()}-${i}).` }),
        'application/merge-patch+json', { 'if-match': '*' }),
  ],
  ['import, small (dry run)', async (base, _i, s) => void await send(`${base}/v1/imports?dryRun=true`, 'POST', s.key, new Uint8Array(s.smallImport), 'text/csv')],
  ['import, import thread (dry run)', async (base, _i, s) => void await send(`${base}/v1/imports?dryRun=true`, 'POST', s.key, new Uint8Array(s.largeImport), 'text/csv')],
];

/** A process's CPU time so far (user + system), in milliseconds (10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface KindTimes {
  first: number[];
  firstCpu: number[];
  second: number[];
  warm: number[];
  ready: number[];
  rssReady: number[];
  rssAfter: number[];
}

async function timed(call: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

/** Ids, reviews and states from the SQLite file (PostgreSQL's copy holds the same), and the import files. */
export function readSample(databasePath: string, key: string): Sample {
  const db = new Database(databasePath, { readonly: true });
  try {
    const ids = db.prepare("select id from recommendations where id like '%-%-%-%' order by id limit 40 offset 5000").pluck().all() as string[];
    const reviews = db.prepare("select id from reviews where id like '%-3' order by id limit 20 offset 30").pluck().all() as string[];
    const states = db.prepare('select code from states where code in (select state_code from reviews) order by code limit 20 offset 40').pluck().all() as string[];
    const written = db.prepare(`select distinct v.state_code from reviews v where v.id in (select value from json_each(?))
      or v.id in (select review_id from recommendations where id in (select value from json_each(?))) order by 1`)
      .pluck().all(JSON.stringify(reviews), JSON.stringify(ids)) as string[];
    return { ids, reviews, states, written, key, smallImport: Buffer.alloc(0), largeImport: Buffer.alloc(0), created: [] };
  } finally {
    db.close();
  }
}

/**
 * Our own CSV export of one review (a few KB: imported in the request's thread) and of a state's four reviews
 * (over IMPORT_THREAD_MIN_BYTES: imported in the import thread), fetched from a server before the measures.
 */
export async function importFiles(server: ServerProcess, sample: Sample): Promise<void> {
  const csv = async (filter: string) => Buffer.from(await (await fetch(`${server.baseUrl}/v1/recommendations?format=csv&${filter}`)).arrayBuffer());
  sample.smallImport = await csv(`reviewId=${sample.reviews[0]}&limit=20`);
  sample.largeImport = await csv(`stateUnderReview=${sample.states[0]}`);
}

/** Every kind on `restarts` fresh servers each: the first call, the second, the warm median. */
export async function measureFirstRequests(
  databasePath: string,
  env: Record<string, string>,
  nodeArgs: string[],
  sample: Sample,
  restarts: number,
  progress: (message: string) => void,
  kinds = KINDS,
): Promise<Map<string, KindTimes>> {
  const results = new Map<string, KindTimes>();
  for (let round = 0; round < restarts; round++) {
    for (const [name, call] of kinds) {
      progress(`first requests: ${name} (${round + 1}/${restarts}) …`);
      const times = results.get(name) ?? { first: [], firstCpu: [], second: [], warm: [], ready: [], rssReady: [], rssAfter: [] };
      results.set(name, times);
      const started = performance.now();
      const server = await startServer(databasePath, env, nodeArgs, '/readyz');
      try {
        const pid = server.child.pid!;
        times.ready.push(performance.now() - started);
        times.rssReady.push(rssMiB(pid));
        const base = server.baseUrl;
        const cpuBefore = cpuMs(pid);
        times.first.push(await timed(() => call(base, round * 10, sample)));
        times.firstCpu.push(cpuMs(pid) - cpuBefore);
        times.second.push(await timed(() => call(base, round * 10 + 1, sample)));
        const warm: number[] = [];
        for (let i = 2; i < 7; i++) warm.push(await timed(() => call(base, round * 10 + i, sample)));
        times.warm.push(median(warm));
        times.rssAfter.push(rssMiB(pid));
      } finally {
        await stopServer(server);
      }
    }
  }
  return results;
}

/**
 * Rows: each kind's first call (median over the restarts) against its warm cost. The target is what a user meets
 * once after a start, in absolute terms: at most `extraMs` more than the same request warm (a ratio says little
 * of a 5 ms request, and a warm export or import is slow for its own reasons).
 */
export function firstRequestRows(results: Map<string, KindTimes>, backend: string, extraMs: number): BenchRow[] {
  const rows: BenchRow[] = [];
  const ms = (value: number) => Math.round(value).toLocaleString('en');
  for (const [name, t] of results) {
    const first = median(t.first);
    const warm = median(t.warm);
    rows.push({
      name: `first request after a start (${backend}): ${name}`,
      value: Math.round(first),
      unit: 'ms',
      target: `≤ warm + ${extraMs} ms`,
      met: first <= warm + extraMs,
      detail:
        `median of ${t.first.length} fresh servers (${t.first.map((v) => Math.round(v)).join(', ')}), server CPU ${ms(median(t.firstCpu))} ms; ` +
        `second ${ms(median(t.second))} ms, warm ${ms(warm)} ms (${(first / warm).toFixed(1)}×); ` +
        `RSS ${ms(median(t.rssReady))} MiB at /readyz (${ms(median(t.ready))} ms after spawn), ${ms(median(t.rssAfter))} MiB after`,
    });
  }
  return rows;
}

/**
 * A filtered list after 11 s of quiet (node-postgres's pool ended idle connections after 10 s) against one
 * after 1 s, alternated on one server: `rounds` of each, their medians.
 */
export async function afterQuiet(databasePath: string, env: Record<string, string>, nodeArgs: string[], sample: Sample, rounds: number) {
  const server = await startServer(databasePath, env, nodeArgs, '/readyz');
  try {
    let i = 0;
    const list = () => timed(() => get(`${server.baseUrl}/v1/recommendations?stateUnderReview=${at(sample.states, i)}&limit=${1 + (i++ % 49)}`));
    for (let k = 0; k < 3; k++) await list();
    const short: number[] = [];
    const long: number[] = [];
    for (let k = 0; k < rounds; k++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      short.push(await list());
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      long.push(await list());
    }
    return { short: median(short), long: median(long), all: long };
  } finally {
    await stopServer(server);
  }
}

/** A key that may write, in the database the server will open (DATABASE_URL's, else the SQLite file). */
async function benchKey(databasePath: string, env: Record<string, string>): Promise<string> {
  if (env.DATABASE_URL === undefined) {
    const [{ openDatabase }, { createApiKey }] = await Promise.all([import('../src/db/open.js'), import('../src/auth/keys.js')]);
    const db = openDatabase(databasePath);
    try {
      return createApiKey(db, 'bench-first-requests', 'admin').key;
    } finally {
      db.$client.close();
    }
  }
  const [{ default: pg }, { pgCreateApiKey }] = await Promise.all([import('pg'), import('../src/auth/pg-keys.js')]);
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
  try {
    return (await pgCreateApiKey(pool, 'bench-first-requests', 'admin')).key;
  } finally {
    await pool.end();
  }
}

/** Records of these states that hold no relation at all listed stale (SQLite's and PostgreSQL's SQL alike). */
const MARK_UNRELATED = (states: string) => `insert into recommendation_relations_stale (recommendation_id)
  select r.id from recommendations r join reviews v on v.id = r.review_id
  where v.state_code in ${states} and not exists (select 1 from recommendations o join reviews w on w.id = o.review_id
    join recommendation_relations l on l.recommendation_id = o.id where w.state_code = v.state_code)
  on conflict do nothing`;

/**
 * The states the writes touch, related as after every import: the generated database stores no relations, and
 * a state's first text written would insert all its pairs (~25,000 in a synthetic state), a cost no curator
 * meets. Their records are listed stale, and the database relates them as at any start: SQLite's open here,
 * PostgreSQL's at the next server's start (before the measures). States related already (a --db kept from an
 * earlier run) are left as they are.
 */
async function relateWritten(databasePath: string, env: Record<string, string>, states: string[]): Promise<void> {
  if (env.DATABASE_URL === undefined) {
    const sqlite = new Database(databasePath);
    try {
      sqlite.prepare(MARK_UNRELATED('(select value from json_each(?))')).run(JSON.stringify(states));
    } finally {
      sqlite.close();
    }
    const { openDatabase } = await import('../src/db/open.js');
    openDatabase(databasePath).$client.close();
    return;
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
  try {
    await pool.query(MARK_UNRELATED('(select unnest($1::text[]))'), [states]);
  } finally {
    await pool.end();
  }
}

/** The benchmark's rows: the first request of each kind, at most 250 ms over its warm cost, and a list after a quiet spell (docs/benchmark.md). */
export async function firstRequestsBench(
  databasePath: string,
  env: Record<string, string>,
  nodeArgs: string[],
  backend: string,
  restarts: number,
  progress: (message: string) => void,
): Promise<BenchRow[]> {
  const sample = readSample(databasePath, await benchKey(databasePath, env));
  progress(`first requests: relating the ${sample.written.length} states the writes touch …`);
  await relateWritten(databasePath, env, sample.written);
  const server = await startServer(databasePath, env, nodeArgs);
  try {
    await importFiles(server, sample);
  } finally {
    await stopServer(server);
  }
  const results = await measureFirstRequests(databasePath, env, nodeArgs, sample, restarts, progress);
  progress('a list after 11 s of quiet …');
  const quiet = await afterQuiet(databasePath, env, nodeArgs, sample, restarts);
  const cleaner = await startServer(databasePath, env, nodeArgs);
  try {
    for (const location of sample.created) {
      const url = new URL(location, cleaner.baseUrl);
      const response = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${sample.key}`, 'if-match': '*' } });
      if (response.status !== 204) throw new Error(`DELETE ${url}: ${response.status} ${await response.text()}`);
    }
  } finally {
    await stopServer(cleaner);
  }
  return [
    ...firstRequestRows(results, backend, 250),
    {
      name: `filtered list after 11 s of quiet (${backend})`,
      value: Math.round(quiet.long),
      unit: 'ms',
      target: '≤ 2× after 1 s, or ≤ 50 ms',
      met: quiet.long <= Math.max(2 * quiet.short, 50),
      detail: `median of ${quiet.all.length} (${quiet.all.map((v) => Math.round(v)).join(', ')}); after 1 s of quiet ${Math.round(quiet.short)} ms`,
    },
  ];
}
