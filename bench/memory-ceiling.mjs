// Memory under concurrency (session 36): runs the built server (dist/src/server.js, `npm run build` first) with a
// small V8 heap on a database holding the real record, drives one path at a time and then a mix, and samples the
// server's resident memory from /proc (VmRSS every 20 ms; VmHWM, the peak, reset before each path by writing 5 to
// /proc/<pid>/clear_refs). Not part of npm test: run by hand, Linux only, a few minutes.
//   DATABASE_PATH=/tmp/x/real.sqlite KEY=<admin key> node bench/memory-ceiling.mjs [--heap 128] [--only a,b] [--json]
//   DATABASE_URL=postgres://… KEY=… node bench/memory-ceiling.mjs …
// The server gets the environment given (MAX_CONCURRENT_EXPORTS and the like may be set to probe them), with the
// rate limits raised and load shedding off so that every request reaches its route. Prints one line per path:
// the peak RSS (MB) above the RSS before it, the statuses answered, and whether the server survived.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { opt, spawnServer } from './probe-server.mjs';

const heap = Number(opt('heap', '128'));
const only = opt('only', '')?.split(',').filter(Boolean) ?? [];
const port = Number(opt('port', String(3900 + (process.pid % 90))));
const KEY = process.env.KEY;

const server = spawnServer(port, { nodeArgs: [`--max-old-space-size=${heap}`], stdio: ['ignore', 'inherit', 'pipe'] });
let serverExit;
let stderrTail = '';
server.stderr.on('data', (d) => {
  stderrTail = (stderrTail + d).slice(-2000);
});
server.on('exit', (code, signal) => {
  serverExit = { code, signal };
});

const status = () => readFileSync(`/proc/${server.pid}/status`, 'utf8');
const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1] ?? 0);
const mb = (k) => Math.round(k / 102.4) / 10;

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** A GET read to its end (fast reader), or paused after its first chunk for `pauseMs` (a reader that stops). */
function request(path, { method = 'GET', headers = {}, body, pauseMs = 0, accept = 'application/json' } = {}) {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, agent, headers: { accept, 'cache-control': 'no-cache', ...headers } },
      (res) => {
        let bytes = 0;
        if (pauseMs > 0) {
          res.once('data', (d) => {
            bytes += d.length;
            res.pause();
            setTimeout(() => {
              res.destroy();
              resolve({ status: res.statusCode, bytes });
            }, pauseMs);
          });
          res.on('error', () => {});
          return;
        }
        res.on('data', (d) => (bytes += d.length));
        res.on('end', () => resolve({ status: res.statusCode, bytes }));
        res.on('error', () => resolve({ status: res.statusCode, bytes, cut: true }));
      },
    );
    req.on('error', (error) => resolve({ status: `error ${error.code}`, bytes: 0 }));
    if (body) req.end(body);
    else req.end();
  });
}

const results = [];
async function probe(name, run) {
  if (only.length && !only.some((o) => name.startsWith(o))) return;
  if (serverExit) return;
  await sleep(300);
  const before = kb('VmRSS');
  writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  let peak = 0;
  const sampler = setInterval(() => {
    if (!serverExit) peak = Math.max(peak, kb('VmRSS'));
  }, 20);
  const started = Date.now();
  const answers = await run();
  clearInterval(sampler);
  const hwm = serverExit ? peak : Math.max(peak, kb('VmHWM'));
  const statuses = {};
  for (const a of answers.flat()) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const bytes = answers.flat().reduce((s, a) => s + a.bytes, 0);
  const row = { name, beforeMB: mb(before), peakMB: mb(hwm), growthMB: mb(hwm - before), statuses, outMB: mb(bytes / 1024), s: (Date.now() - started) / 1000, alive: !serverExit };
  results.push(row);
  console.log(`${name.padEnd(48)} before ${String(row.beforeMB).padStart(6)} peak ${String(row.peakMB).padStart(6)} (+${row.growthMB}) MB  ${JSON.stringify(statuses)} out ${row.outMB} MB ${row.s}s${serverExit ? ' SERVER DIED ' + JSON.stringify(serverExit) + ' ' + stderrTail.slice(-600) : ''}`);
}
const times = (n, f) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

// Wait for the server.
for (let i = 0; ; i++) {
  if (serverExit) throw new Error(`server exited: ${JSON.stringify(serverExit)} ${stderrTail}`);
  const r = await request('/healthz').catch(() => ({ status: 0 }));
  if (r.status === 200) break;
  await sleep(200);
}
console.log(`server pid ${server.pid}, heap ${heap} MB, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite ' + process.env.DATABASE_PATH}, RSS at start ${mb(kb('VmRSS'))} MB`);

const LISTS = ['recommendations', 'developments', 'statements', 'reviews', 'states', 'assessments', 'sources'];
const ids = (await (await fetch(`http://127.0.0.1:${port}/v1/recommendations?limit=500&sort=id`)).json()).data.map((r) => r.id);
const recurring = (await (await fetch(`http://127.0.0.1:${port}/v1/recommendations?limit=200&recurring=true`)).json()).data.map((r) => r.id);

await probe('idle', async () => [await request('/healthz')]);
for (const c of [1, 8, 20, 50]) {
  await probe(`export recommendations csv x${c} fast`, () => times(c, () => request('/v1/recommendations?format=csv')));
}
await probe('export recommendations ndjson x20 fast', () => times(20, () => request('/v1/recommendations?format=ndjson')));
for (const c of [8, 20, 50]) {
  await probe(`export recommendations csv x${c} paused 5s`, () => times(c, () => request('/v1/recommendations?format=csv', { pauseMs: 5000 })));
}
await probe('export recommendations ndjson x20 paused 5s', () => times(20, () => request('/v1/recommendations?format=ndjson', { pauseMs: 5000 })));
await probe('export every list csv+ndjson x2 fast', () => times(2, () => Promise.all(LISTS.flatMap((l) => ['csv', 'ndjson'].map((f) => request(`/v1/${l}?format=${f}`))))));
await probe('export q=rights csv x8 fast', () => times(8, () => request('/v1/recommendations?format=csv&q=rights')));
for (const c of [1, 20, 100, 300]) {
  await probe(`page 500 include=both x${c} paused 5s`, () =>
    times(c, (i) => request(`/v1/recommendations?limit=500&include=assessments,developments&sort=${i % 2 ? 'id' : '-id'}`, { pauseMs: 5000 })),
  );
}
for (const c of [1, 100, 300]) {
  await probe(`export page limit=500 ndjson x${c} paused 5s`, () => times(c, (i) => request(`/v1/recommendations?format=ndjson&limit=500&sort=${i % 2 ? 'id' : '-id'}`, { pauseMs: 5000 })));
}
await probe('page 500 every list x20 fast', () => times(20, () => Promise.all(LISTS.map((l) => request(`/v1/${l}?limit=500`)))));
await probe('ids= 100 include=both x50 fast', () =>
  times(50, (i) => request(`/v1/recommendations?id=${ids.slice((i * 100) % 400, ((i * 100) % 400) + 100).join(',')}&include=assessments,developments&limit=100`)),
);
const groupings = ['position', 'recommendingState', 'regionalGroup', 'stateUnderReview', 'cycle', 'year', 'theme', 'sdg', 'implementation', 'actionCategory', 'recurring'];
const combos = [...groupings.map((g) => [g]), ...groupings.flatMap((a) => groupings.filter((b) => b !== a).map((b) => [a, b]))];
await probe(`stats every groupBy (${combos.length}) x1`, async () => {
  const out = [];
  for (const c of combos) out.push(await request(`/v1/stats/recommendations?groupBy=${c.join(',')}`));
  return out;
});
await probe('stats recommendingState,theme x50 paused 5s', () => times(50, (i) => request(`/v1/stats/recommendations?groupBy=recommendingState,theme&cycle=${1 + (i % 2)}`, { pauseMs: 5000 })));
await probe('stats theme,recommendingState csv x50 fast', () => times(50, (i) => request(`/v1/stats/recommendations?groupBy=theme,recommendingState&format=csv&year=${2008 + (i % 7)}`)));
await probe(`related limit=50 x${recurring.length}`, () => times(recurring.length, (i) => request(`/v1/recommendations/${recurring[i]}/related?limit=50`)));
await probe('q at limits (8 terms, prefixes) x50', () =>
  times(50, (i) => request(`/v1/recommendations?limit=500&q=${encodeURIComponent(['right*', 'wom*', 'chi*', 'tor*', 'edu*', 'pri*', 'nat*', 'int*'].slice(0, 1 + (i % 8)).join(' '))}`)),
);
await probe('changes limit=500 walk', async () => {
  const out = [];
  let cursor = '';
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/changes?limit=500${cursor ? `&since=${cursor}` : ''}`, { headers: { authorization: `Bearer ${KEY}` } });
    const body = await res.json();
    out.push({ status: res.status, bytes: 0 });
    if (!body.meta?.nextCursor) break;
    cursor = encodeURIComponent(body.meta.nextCursor);
  }
  return out;
});
await probe('changes limit=500 x50 paused 5s', () => times(50, () => request('/v1/changes?limit=500', { pauseMs: 5000, headers: { authorization: `Bearer ${KEY}` } })));

// Imports over HTTP: a file at the body limit (20 MiB) of Terman rows, dry runs, several at once.
const limitBytes = Number(process.env.IMPORT_BODY_LIMIT_BYTES ?? 20 * 1024 * 1024);
const row = (i) => `"${i % 900}.${i}. ${'Take further measures to protect the rights of women and children and to ensure access to education '.repeat(3)}(Norway);",kyrgyzstan,support,Norway,2010,\n`;
let csv = 'text,to,decision,From,year,notes\n';
for (let i = 0; csv.length + 400 < limitBytes - 1000; i++) csv += row(i);
const file = Buffer.from(csv);
const auth = { authorization: `Bearer ${KEY}` };
await probe(`import ${mb(file.length / 1024)} MB dry run x1`, async () => [await request('/v1/imports?dryRun=true&review=KGZ-1', { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: file })]);
await probe(`import ${mb(file.length / 1024)} MB dry run x6`, () => times(6, () => request('/v1/imports?dryRun=true&review=KGZ-1', { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: file })));
const boundary = 'mem36boundary';
const parts = Array.from({ length: 200 }, (_, i) => `--${boundary}\r\ncontent-disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join('');
const form = Buffer.concat([Buffer.from(parts + `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.csv"\r\ncontent-type: text/csv\r\n\r\n`), file.subarray(0, 1024 * 1024), Buffer.from(`\r\n--${boundary}--\r\n`)]);
await probe('import multipart 200 parts x4', () => times(4, () => request('/v1/imports?dryRun=true&review=KGZ-1', { method: 'POST', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: form })));
await probe('import 20 MB body to a JSON route x20', () => times(20, () => request('/v1/recommendations', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: file })));

await probe('mixed: 8 exports paused, 100 pages paused, stats, imports, related', () =>
  Promise.all([
    times(8, () => request('/v1/recommendations?format=ndjson', { pauseMs: 5000 })),
    times(100, (i) => request(`/v1/recommendations?limit=500&include=assessments,developments&sort=${i % 2 ? 'id' : '-id'}`, { pauseMs: 5000 })),
    times(20, (i) => request(`/v1/stats/recommendations?groupBy=${combos[i].join(',')}`)),
    times(3, () => request('/v1/imports?dryRun=true&review=KGZ-1', { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: file })),
    times(50, (i) => request(`/v1/recommendations/${recurring[i % recurring.length]}/related?limit=50`)),
  ]),
);

console.log(`RSS at end ${serverExit ? '(dead)' : mb(kb('VmRSS')) + ' MB'}`);
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
server.kill('SIGTERM');
await new Promise((r) => (serverExit ? r() : server.on('exit', r)));
