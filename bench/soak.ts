import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApiKey } from '../src/auth/index.js';
import { openDatabase } from '../src/db/open.js';
import { type CommandOptions, exitOnHelpOrUsageError } from '../scripts/command-args.js';
import { startServer, stopServer } from '../test/support/server-process.js';
import { generateDatabase } from './generate.js';

// `npm run soak [-- --seconds 60 --connections 8 --recommendations 20000]`: the real server on loopback
// under a realistic mix of reads, exports, stats and authenticated writes for a fixed time. Reports errors,
// responses by status, latency percentiles and the server's RSS at start and end; fails when a response is
// a 5xx, a request errors, or RSS grows beyond the stated bound. Stops by itself.

const OPTIONS = {
  seconds: { type: 'string', default: '30' },
  connections: { type: 'string', default: '8' },
  recommendations: { type: 'string', default: '20000' },
  'max-rss-growth-mb': { type: 'string', default: '64' },
} satisfies CommandOptions;
exitOnHelpOrUsageError(
  OPTIONS,
  'Usage: npm run soak [-- --seconds 30] [--connections 8] [--recommendations 20000] [--max-rss-growth-mb 64]\n  The real server under a mix of reads and writes for a fixed time; fails on a 5xx, an error or RSS growth.',
);
const { values: args } = parseArgs({ options: OPTIONS });
const SECONDS = Number(args.seconds);
const MAX_RSS_GROWTH_MB = Number(args['max-rss-growth-mb']);

const dir = mkdtempSync(join(tmpdir(), 'upr-tracker-soak-'));
const path = join(dir, 'soak.sqlite');
const db = openDatabase(path);
generateDatabase(db, { recommendations: Number(args.recommendations) });
const { key } = createApiKey(db, 'soak', 'write');
const ids = db.$client.prepare('select id from recommendations order by random() limit 200').pluck().all() as string[];
db.$client.close();

const server = await startServer(path, {
  LOG_LEVEL: 'warn',
  // One client address would otherwise only measure 429s.
  RATE_LIMIT_MAX: '1000000000',
  RATE_LIMIT_KEY_MAX: '1000000000',
  RATE_LIMIT_EXPORT_MAX: '1000000000',
});
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]);

let written = 0;
const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
const reads = [
  () => `/v1/recommendations?limit=50&position=${pick(['supported', 'noted', 'unknown'])}`,
  () => `/v1/recommendations/${encodeURIComponent(pick(ids))}`,
  () => `/v1/recommendations?q=${pick(['torture', 'women', 'education', 'detention*'])}&limit=20`,
  () => '/v1/stats/recommendations?groupBy=position,regionalGroup',
  () => '/v1/developments?limit=50',
  () => '/v1/states/KGZ',
  () => '/v1/reviews?limit=100',
  () => '/v1/recommendations?format=csv&sdg=5',
  () => '/v1/recommendations?format=ndjson&position=noted&limit=500',
];

const load = (duration: number) =>
  autocannon({
    url: server.baseUrl,
    connections: Number(args.connections),
    duration,
    requests: [
    {
      setupRequest: (request) => {
        // About one request in ten is a write, the rest a mix of the reads dashboards and analysts make.
        if (Math.random() < 0.1) {
          written++;
          return {
            ...request,
            method: 'POST',
            path: '/v1/developments',
            headers: { ...request.headers, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              state: 'KGZ',
              reviewId: 'KGZ-3',
              title: `Soak development ${written}`,
              summary: 'Written by the soak test.',
              date: '2021-03',
              datePrecision: 'month',
              direction: 'neutral',
              recommendationIds: ['KGZ-3-FIN-1'],
              sources: [{ title: 'Soak', publisher: 'upr-tracker', url: `https://example.org/soak/${written}`, publishedOn: null }],
            }),
          };
        }
        return { ...request, method: 'GET', path: pick(reads)(), body: undefined };
      },
    },
  ],
  });

// A warm-up with the same mix first: caches, SQLite's page cache and the JIT settle before RSS is measured.
await load(Math.max(5, Math.round(SECONDS / 3)));
const rssStart = rssKb();
const result = await load(SECONDS);
const rssEnd = rssKb();

const byStatus: Record<string, number> = {};
for (const [status, count] of Object.entries(result.statusCodeStats ?? {})) byStatus[status] = count?.count ?? 0;
const growthMb = (rssEnd - rssStart) / 1024;
const serverErrors = Object.entries(byStatus)
  .filter(([status]) => Number(status) >= 500)
  .reduce((n, [, count]) => n + count, 0);

console.table({
  duration: `${SECONDS} s`,
  requests: result.requests.total,
  'req/s (mean)': Math.round(result.requests.average),
  'latency p50': `${result.latency.p50} ms`,
  'latency p99': `${result.latency.p99} ms`,
  errors: result.errors,
  timeouts: result.timeouts,
  'by status': JSON.stringify(byStatus),
  'RSS start': `${(rssStart / 1024).toFixed(1)} MB`,
  'RSS end': `${(rssEnd / 1024).toFixed(1)} MB`,
  'RSS growth': `${growthMb.toFixed(1)} MB (bound ${MAX_RSS_GROWTH_MB} MB)`,
});

const exit = await stopServer(server);
rmSync(dir, { recursive: true, force: true });

const failures = [
  ...(result.errors > 0 ? [`${result.errors} request errors`] : []),
  ...(serverErrors > 0 ? [`${serverErrors} 5xx responses`] : []),
  ...(growthMb > MAX_RSS_GROWTH_MB ? [`RSS grew ${growthMb.toFixed(1)} MB`] : []),
  ...(exit.code !== 0 ? [`the server exited with ${exit.code ?? exit.signal} on SIGTERM`] : []),
];
if (failures.length > 0) {
  console.error(`soak failed: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('soak passed');
