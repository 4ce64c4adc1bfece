// What readers and writers see while a command holds the database (session 39: `npm run tag -- --all`,
// `npm run relate`, `npm run import` on a 300,000-recommendation file). Starts the built server on DATABASE_PATH
// (or DATABASE_URL) like bench/scale-probe.mjs, then every 100 ms asks /readyz and a list page, and with --key
// (an API key of the curator scope) PATCHes one recommendation's themes (off, back) every 200 ms, until SIGINT or SIGTERM;
// then prints per kind the requests, the statuses counted, and the latencies' median and worst (ms), as JSON.
// Not part of npm test: run by hand beside the command measured.
// --trace FILE: every request as a line (kind, sent at in Unix seconds, ms, status), to line up with a command's commit.
//   DATABASE_PATH=/tmp/x.db node bench/lock-probe.mjs [--key KEY] [--id RECORD] [--port 3999] [--out file.json] [--trace file]
import { appendFileSync, writeFileSync } from 'node:fs';
import { opt, spawnServer } from './probe-server.mjs';

const port = Number(opt('port', String(3900 + (process.pid % 90))));
const key = opt('key', undefined);
const id = opt('id', undefined);
const out = opt('out', undefined);
const trace = opt('trace', undefined);
const base = `http://127.0.0.1:${port}`;
const server = spawnServer(port, { stdio: ['ignore', 'inherit', 'inherit'] });

const kinds = {};
let origin = 0;
const note = (kind, status, ms, started) => {
  const k = (kinds[kind] ??= { statuses: {}, ms: [], problems: {}, worst: [] });
  k.statuses[status] = (k.statuses[status] ?? 0) + 1;
  k.ms.push(ms);
  // The slowest five, with when they were sent (Unix seconds: line them up with the command's progress).
  k.worst.push({ ms: Math.round(ms), sentAt: Number(((origin + started) / 1000).toFixed(1)), status });
  k.worst = k.worst.sort((a, b) => b.ms - a.ms).slice(0, 5);
  if (trace !== undefined) appendFileSync(trace, `${kind} ${((origin + started) / 1000).toFixed(2)} ${Math.round(ms)} ${status}\n`);
};

async function timed(kind, path, init) {
  const started = performance.now();
  try {
    const response = await fetch(`${base}${path}`, init);
    const body = await response.text();
    note(kind, response.status, performance.now() - started, started);
    if (response.status >= 400) {
      const problems = kinds[kind].problems;
      const title = `${response.status} ${response.headers.get('content-type')?.split(';')[0]} ${body.slice(0, 160)}`;
      problems[title] = (problems[title] ?? 0) + 1;
    }
    return response;
  } catch (error) {
    note(kind, `error ${error.cause?.code ?? error.message}`, performance.now() - started, started);
    return undefined;
  }
}

for (;;) {
  const ready = await fetch(`${base}/healthz`).catch(() => undefined);
  if (ready?.ok) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
// Not counted: the first list page after a start counts the table (seconds at 300,000 records).
await fetch(`${base}/v1/recommendations?limit=20&sort=-updatedAt`).then((r) => r.text());
console.error(`lock-probe: serving on ${base}`);
origin = Date.now() - performance.now();

let etag;
let themes;
const timers = [
  setInterval(() => void timed('readyz', '/readyz'), 100),
  setInterval(() => void timed('list', '/v1/recommendations?limit=20&sort=-updatedAt'), 100),
];
if (key !== undefined && id !== undefined) {
  let n = 0;
  let inFlight = false;
  const patch = async () => {
      if (etag === undefined) {
        const got = await timed('get', `/v1/recommendations/${id}`);
        etag = got?.headers.get('etag') ?? undefined;
        themes ??= got?.ok ? (await fetch(`${base}/v1/recommendations/${id}`).then((r) => r.json())).themes.map((t) => t.id) : undefined;
        if (etag === undefined || themes === undefined) return;
      }
      const patched = await timed('patch', `/v1/recommendations/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/merge-patch+json', 'if-match': etag },
        // The record's themes removed, then given back: a write that changes no text (no relations to refresh).
        body: JSON.stringify({ themes: ++n % 2 === 1 ? [] : themes }),
      });
      etag = patched?.ok ? (patched.headers.get('etag') ?? undefined) : undefined;
  };
  // One PATCH at a time (each with the ETag the last one gave): a PATCH still waiting lets the next tick pass.
  timers.push(
    setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      void patch().finally(() => (inFlight = false));
    }, 200),
  );
}

const stop = () => {
  for (const timer of timers) clearInterval(timer);
  setTimeout(() => {
    const summary = {};
    for (const [kind, { statuses, ms, problems, worst }] of Object.entries(kinds)) {
      ms.sort((a, b) => a - b);
      summary[kind] = { requests: ms.length, statuses, medianMs: Math.round(ms[ms.length >> 1]), worstMs: Math.round(ms.at(-1)), worst, problems };
    }
    const text = JSON.stringify(summary, null, 1);
    if (out !== undefined) writeFileSync(out, text);
    console.log(text);
    server.kill('SIGTERM');
  }, 2000);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
