import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { openDatabase } from '../src/db/open.js';
import { generateDatabase } from './generate.js';
import { pgCpuMicros } from './postgres.js';

// `node --import tsx bench/stats.ts --db /tmp/stats-100k.sqlite`: milliseconds per uncached stats request
// (Cache-Control: no-cache, through inject: the whole route, no network) for a spread of groupings and
// filters, on a synthetic database generated first when the file does not exist. `--url postgres://…`: on
// that PostgreSQL database instead (a db:copy of one), with `--pg-cluster DIR` (a scripts/pg-cluster.sh
// cluster) also the database server's CPU per request.

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: '/tmp/stats-100k.sqlite' },
    recommendations: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '30' },
    url: { type: 'string' },
    'pg-cluster': { type: 'string' },
  },
});
const postmaster = args['pg-cluster'] && Number(readFileSync(join(args['pg-cluster'], 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

if (args.url === undefined && !existsSync(args.db)) {
  const db = openDatabase(args.db);
  const report = generateDatabase(db, { recommendations: Number(args.recommendations) });
  db.$client.close();
  console.log(`generated ${report.recommendations} recommendations in ${report.seconds.toFixed(1)} s`);
}

// /healthz first: the reference measured in the same rounds (every global hook, no database work).
const URLS = [
  'healthz',
  'groupBy=position,regionalGroup&cycle=3',
  'groupBy=position',
  'groupBy=implementation,cycle',
  'groupBy=recommendingState',
  'groupBy=regionalGroup&position=noted',
  'groupBy=theme&cycle=2',
  'groupBy=sdg,position',
  'groupBy=stateUnderReview',
  'groupBy=recommendingState&stateUnderReview=KGZ',
  'groupBy=theme,cycle&reviewId=FIN-3',
  'groupBy=stateUnderReview,theme',
  'groupBy=theme,sdg',
  'groupBy=position&theme=human-rights-defenders',
];

const app = await buildApp({
  databasePath: args.db,
  ...(args.url === undefined ? {} : { databaseUrl: args.url }),
  logLevel: 'silent',
  rateLimitMax: 1_000_000,
  rateLimitKeyMax: 1_000_000,
  rateLimitExportMax: 1_000_000,
  maxEventLoopDelayMs: 0,
});
const rounds = Number(args.rounds);
const times = new Map<string, number[]>(URLS.map((u) => [u, []]));
const cpu = new Map<string, number[]>(URLS.map((u) => [u, []]));
const dbCpu = new Map<string, number[]>(URLS.map((u) => [u, []]));
// Interleaved rounds, so that a busy machine slows every figure alike. Wall time and this process's CPU time
// per request (the latter is what a busy machine distorts least).
for (let round = 0; round < rounds; round++) {
  for (const url of URLS) {
    const started = performance.now();
    const usage = process.cpuUsage();
    const db = postmaster ? pgCpuMicros(postmaster) : 0;
    const path = url === 'healthz' ? '/healthz' : `/v1/stats/recommendations?${url}`;
    const response = await app.inject({ url: path, headers: { 'cache-control': 'no-cache' } });
    const used = process.cpuUsage(usage);
    if (postmaster) dbCpu.get(url)!.push((pgCpuMicros(postmaster) - db) / 1000);
    times.get(url)!.push(performance.now() - started);
    cpu.get(url)!.push((used.user + used.system) / 1000);
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  }
}
await app.close();
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const reference = median(cpu.get('healthz')!);
for (const url of URLS) {
  const used = median(cpu.get(url)!);
  const server = postmaster ? `, PostgreSQL CPU ${median(dbCpu.get(url)!).toFixed(2)} ms (mean ${(dbCpu.get(url)!.reduce((a, b) => a + b, 0) / rounds).toFixed(2)})` : '';
  console.log(`${url.padEnd(50)} median wall ${median(times.get(url)!).toFixed(2)} ms, median CPU ${used.toFixed(2)} ms (${(used / reference).toFixed(1)}× /healthz)${server}`);
}
