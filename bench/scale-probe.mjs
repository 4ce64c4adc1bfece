// The read paths on a large database (session 37: one million recommendations, bench/gen-time.ts with the real
// texts): runs the built server (dist/src/server.js, `npm run build` first) on DATABASE_PATH (or DATABASE_URL),
// times its start, then sends each path once at a time (the first request, which counts meta.total, and the
// median of two more) and with 8 clients at once, and reads every export to its end (rows/s, the server's peak
// RSS). Figures: wall ms and the server's CPU ms (utime + stime from /proc/<pid>/stat), so a busy machine shows
// in the first and less in the second. Not part of npm test: run by hand, Linux only, a few minutes.
//   DATABASE_PATH=/tmp/scale37-1m.db node bench/scale-probe.mjs [--only prefix,prefix] [--json out.json]
// On PostgreSQL (session 38), --pg-data <the cluster's data directory> adds the cluster's CPU (its postmaster's own
// and reaped children's, and each live backend's: parallel workers come and go) to each figure, as pg …:
//   DATABASE_URL=postgres://… node bench/scale-probe.mjs --pg-data /tmp/pg/data --deep 150000
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { opt, spawnServer } from './probe-server.mjs';

const DEEP = Number(opt('deep', '500000'));
const only = opt('only', '')?.split(',').filter(Boolean) ?? [];
const port = Number(opt('port', String(3900 + (process.pid % 90))));

const startedAt = performance.now();
const server = spawnServer(port, { stdio: ['ignore', 'inherit', 'inherit'] });
let serverExit;
server.on('exit', (code, signal) => (serverExit = { code, signal }));

const TICK_MS = 1000 / 100;
const cpuMs = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
};
const pgData = opt('pg-data', undefined);
/** The PostgreSQL cluster's CPU ms so far: the postmaster's (with its reaped children's) and its live children's. */
const pgCpuMs = () => {
  if (!pgData) return 0;
  const postmaster = Number(readFileSync(`${pgData}/postmaster.pid`, 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let fields;
    try {
      fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    } catch {
      continue; // gone meanwhile
    }
    if (Number(pid) === postmaster) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    else if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
};
const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** One request read to its end: status, bytes, lines (newlines) and wall ms. */
function request(path, { method = 'GET', headers = {} } = {}) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers: { 'cache-control': 'no-cache', ...headers } }, (res) => {
      let bytes = 0;
      let lines = 0;
      const chunks = [];
      res.on('data', (d) => {
        bytes += d.length;
        for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
        if (bytes < 4_000_000) chunks.push(d);
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes, lines, ms: performance.now() - t0, body: Buffer.concat(chunks) }));
      res.on('error', () => resolve({ status: res.statusCode, bytes, lines, ms: performance.now() - t0, cut: true }));
    });
    req.on('error', (error) => resolve({ status: `error ${error.code}`, bytes: 0, lines: 0, ms: performance.now() - t0 }));
    req.end();
  });
}
const json = async (path) => JSON.parse((await request(path)).body.toString());

const results = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
const wanted = (name) => only.length === 0 || only.some((o) => name.startsWith(o));

/** A path once at a time (first, then the median of two more), then 8 at once. */
async function probe(name, path, options) {
  if (!wanted(name) || serverExit) return;
  const one = [];
  for (let i = 0; i < 3; i++) {
    const c0 = cpuMs();
    const p0 = pgCpuMs();
    const r = await request(path, options);
    one.push({ ...r, cpu: cpuMs() - c0, pg: pgCpuMs() - p0 });
  }
  const c0 = cpuMs();
  const p0 = pgCpuMs();
  const t0 = performance.now();
  const eight = await Promise.all(Array.from({ length: 8 }, () => request(path, options)));
  const row = {
    name,
    status: one[0].status,
    bytes: one[0].bytes,
    firstMs: round(one[0].ms),
    firstCpu: round(one[0].cpu),
    ms: round(median(one.slice(1).map((r) => r.ms))),
    cpu: round(median(one.slice(1).map((r) => r.cpu))),
    x8Ms: round(performance.now() - t0),
    x8Cpu: round(cpuMs() - c0),
    ...(pgData && { firstPg: round(one[0].pg), pg: round(median(one.slice(1).map((r) => r.pg))), x8Pg: round(pgCpuMs() - p0) }),
    x8Statuses: [...new Set(eight.map((r) => r.status))].join(','),
  };
  results.push(row);
  const pgText = (key) => (pgData ? `, pg ${row[key]}` : '');
  console.log(`${name.padEnd(44)} ${row.status} ${String(row.bytes).padStart(8)} B  first ${row.firstMs} ms (cpu ${row.firstCpu}${pgText('firstPg')})  then ${row.ms} ms (cpu ${row.cpu}${pgText('pg')})  x8 ${row.x8Ms} ms (cpu ${row.x8Cpu}${pgText('x8Pg')}) ${row.x8Statuses}`);
  return one[0];
}

/** An export read to its end, alone: rows/s and the server's peak RSS growth. */
async function exportProbe(name, path) {
  if (!wanted(name) || serverExit) return;
  await sleep(200);
  writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  const before = kb('VmRSS');
  const c0 = cpuMs();
  const p0 = pgCpuMs();
  const r = await request(path);
  const rows = r.lines - (path.includes('csv') ? 1 : 0);
  const row = { name, status: r.status, rows, mb: round(r.bytes / 1048576), s: round(r.ms / 1000), rowsPerS: Math.round(rows / (r.ms / 1000)),
    cpuS: round((cpuMs() - c0) / 1000), ...(pgData && { pgS: round((pgCpuMs() - p0) / 1000) }), rssBeforeMB: round(before / 1024), rssGrowthMB: round((kb('VmHWM') - before) / 1024) };
  results.push(row);
  console.log(`${name.padEnd(44)} ${row.status} ${row.rows} rows ${row.mb} MB in ${row.s} s: ${row.rowsPerS} rows/s, cpu ${row.cpuS} s${pgData ? `, pg ${row.pgS} s` : ''}, RSS ${row.rssBeforeMB} +${row.rssGrowthMB} MB`);
}

for (;;) {
  if (serverExit) throw new Error(`server exited: ${JSON.stringify(serverExit)}`);
  const r = await request('/healthz').catch(() => ({ status: 0 }));
  if (r.status === 200) break;
  await sleep(50);
}
const healthy = performance.now() - startedAt;
const ready = await request('/readyz');
console.log(`start to /healthz ${Math.round(healthy)} ms (server CPU ${cpuMs()} ms), /readyz ${ready.status}, RSS ${round(kb('VmRSS') / 1024)} MB`);
results.push({ name: 'start', ms: Math.round(healthy), cpu: cpuMs() });

const R = '/v1/recommendations';
const sample = (await json(`${R}?limit=1&stateUnderReview=KGZ&cycle=2`)).data[0];
const theme = sample.themes[0].id;
const source = sample.sources[0]?.id;

await probe('healthz', '/healthz');
await probe('readyz', '/readyz');
await probe('list', `${R}`);
await probe('list limit=500', `${R}?limit=500`);
const filters = {
  stateUnderReview: 'stateUnderReview=KGZ', recommendingState: 'recommendingState=FRA', regionalGroup: 'regionalGroup=WEOG',
  cycle: 'cycle=2', session: 'session=5', reviewId: `reviewId=${sample.reviewId}`, year: 'year=2013', position: 'position=noted',
  'position unknown': 'position=unknown', theme: `theme=${theme}`, 'theme+labelSource': `theme=${theme}&labelSource=curated`,
  sdg: 'sdg=5', affectedPersons: 'affectedPersons=children', source: source ? `source=${source}` : undefined,
  'implementation implemented': 'implementation=implemented', 'implementation unknown': 'implementation=unknown',
  'recurring true': 'recurring=true', 'recurring false': 'recurring=false', 'hasDevelopments true': 'hasDevelopments=true',
  'hasDevelopments false': 'hasDevelopments=false', updatedSince: 'updatedSince=2026-05-01', actionCategory: 'actionCategory=5',
  positionLabel: 'positionLabel=consider',
};
for (const [name, query] of Object.entries(filters)) if (query) await probe(`filter ${name}`, `${R}?${query}`);
const combined = [
  'stateUnderReview=KGZ&position=noted&theme=' + theme,
  'recommendingState=FRA&cycle=3&sdg=5',
  'regionalGroup=WEOG&position=supported&implementation=unknown',
  'cycle=4&position=noted&hasDevelopments=true',
  'theme=' + theme + '&sdg=5&affectedPersons=children',
  'recommendingState=FRA&recommendingState=DEU&theme=' + theme + '&sort=-updatedAt',
];
for (const query of combined) await probe(`combined ${query}`, `${R}?${query}`);
for (const sort of ['-paragraph', 'updatedAt', '-updatedAt', 'id', '-id']) {
  await probe(`sort ${sort}`, `${R}?sort=${sort}`);
  await probe(`sort ${sort} position=noted`, `${R}?sort=${sort}&position=noted`);
  await probe(`sort ${sort} theme`, `${R}?sort=${sort}&theme=${theme}`);
}
for (const q of ['rights', 'the*', 'torture', 'women', 'Kafala', 'xylophone', 'rights&position=noted', 'torture&stateUnderReview=KGZ', 'rights&sort=-updatedAt']) {
  await probe(`q=${q}`, `${R}?q=${q}`);
}

// A deep page: the cursor of the 500,000th recommendation in each sort, as a walk's 10,000th page of 50 would carry.
for (const sort of ['paragraph', '-updatedAt', 'id']) {
  if (!wanted(`deep ${sort}`)) continue;
  let cursor;
  let pages = 0;
  for (let offset = 0; offset < DEEP; offset += 500) {
    const page = await json(`${R}?limit=500&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
    cursor = page.meta.nextCursor;
    pages++;
    if (!cursor) break;
  }
  console.log(`walked ${pages} pages of 500 (${sort})`);
  await probe(`deep ${sort} (page 10,000 of 50)`, `${R}?sort=${sort}&cursor=${cursor}`);
}

for (const groupBy of ['position', 'recommendingState', 'regionalGroup', 'stateUnderReview', 'cycle', 'year', 'theme', 'sdg',
  'implementation', 'actionCategory', 'recurring', 'recommendingState,theme', 'position,year']) {
  await probe(`stats ${groupBy}`, `/v1/stats/recommendations?groupBy=${groupBy}`);
  await probe(`stats ${groupBy} position=noted`, `/v1/stats/recommendations?groupBy=${groupBy}&position=noted`);
  // Stats of a broad full-text query group every match (2.5-5.4 s each at 1M): two groupings only.
  if (groupBy === 'position' || groupBy === 'theme') await probe(`stats ${groupBy} q=rights`, `/v1/stats/recommendations?groupBy=${groupBy}&q=rights`);
}
await probe('related limit=50', `${R}/${encodeURIComponent(sample.id)}/related?limit=50`);
const ids = (await json(`${R}?limit=100&sort=-updatedAt`)).data.map((r) => r.id);
await probe('ids= 100', `${R}?${ids.map((id) => `id=${encodeURIComponent(id)}`).join('&')}`);
await probe('ids= 100 include=both', `${R}?${ids.map((id) => `id=${encodeURIComponent(id)}`).join('&')}&include=assessments,developments`);
await probe('changes from the start', '/v1/changes?limit=500');
await probe('changes since=2026-05-01', '/v1/changes?since=2026-05-01&limit=500');
await probe('review summary', `/v1/reviews/${sample.reviewId}/summary`);
await probe('state page', '/v1/states/FRA');
await probe('states list', '/v1/states?limit=500');
await probe('reviews list', '/v1/reviews?limit=500');
await probe('developments list', '/v1/developments');
await probe('developments q', '/v1/developments?q=torture');
await probe('source page', `/v1/sources/${source}`);
const list = await request(R, { headers: {} });
if (list.headers?.etag) {
  await probe('304 list', R, { headers: { 'if-none-match': list.headers.etag, 'cache-control': '' } });
  await probe('HEAD list', R, { method: 'HEAD' });
}

for (const format of ['csv', 'ndjson']) {
  await exportProbe(`export ${format}`, `${R}?format=${format}`);
  await exportProbe(`export ${format} position=noted`, `${R}?format=${format}&position=noted`);
  await exportProbe(`export ${format} q=rights`, `${R}?format=${format}&q=rights`);
  await exportProbe(`export ${format} sort=-updatedAt`, `${R}?format=${format}&sort=-updatedAt`);
}
await exportProbe('export csv bom', `${R}?format=csv&bom=true`);
await exportProbe('export developments csv', '/v1/developments?format=csv');
await exportProbe('export assessments ndjson', '/v1/assessments?format=ndjson');

const out = opt('json', undefined);
if (out) writeFileSync(out, JSON.stringify(results, null, 1));
server.kill('SIGTERM');
