import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { whereClause } from '../src/db/keyset.js';
import { pgSnapshot } from '../src/db/pg/query.js';
import { pgAll, pgRows } from '../src/db/pg/rows.js';
import { PG_RECOMMENDATIONS_FROM, pgFilterConditions } from '../src/recommendations/pg-queries.js';
import { countsQuery } from '../src/recommendations/queries.js';
import { reviewSummaryQueries } from '../src/stats/queries.js';
import { pgCpuMicros } from './postgres.js';

// `node --import tsx bench/pg-snapshot.ts --url postgres://… [--pg-cluster DIR]`: what reading a multi-query
// answer in one snapshot costs (src/db/pg/query.ts pgSnapshot). A review summary's five queries, read
// (a) as before: concurrently, each on a pool connection of its own, and (b) in one REPEATABLE READ READ ONLY
// transaction on one connection, one after another. Interleaved rounds; wall time, node's CPU and (with
// --pg-cluster, a scripts/pg-cluster.sh cluster) PostgreSQL's, per answer.

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'pg-cluster': { type: 'string' },
    rounds: { type: 'string', default: '10' },
    answers: { type: 'string', default: '200' },
  },
});
if (args.url === undefined) throw new Error('--url postgres://… is required');
const postmaster = args['pg-cluster'] && Number(readFileSync(join(args['pg-cluster'], 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

const pool = new pg.Pool({ connectionString: args.url, max: 10 });
const reviews = (await pool.query<{ id: string }>('select id from reviews order by id limit 50')).rows.map((row) => row.id);

function queriesOf(reviewId: string) {
  const q = reviewSummaryQueries(reviewId);
  return [q.review, countsQuery(PG_RECOMMENDATIONS_FROM, whereClause(pgFilterConditions({ reviewId: [reviewId] }))), q.byPeriod, q.recommendationThemes, q.developmentThemes];
}

const ways = {
  'pool, concurrent': async (reviewId: string) => {
    const [review, ...rest] = queriesOf(reviewId);
    await pgAll(pool, review!);
    await Promise.all(rest.map((query) => pgRows(pool, query)));
  },
  'one snapshot, in turn': (reviewId: string) =>
    pgSnapshot(pool, async (client) => {
      for (const query of queriesOf(reviewId)) await pgRows(client, query);
    }),
};

const results = new Map(Object.keys(ways).map((name) => [name, { wall: [] as number[], cpu: [] as number[], db: [] as number[] }]));
const answers = Number(args.answers);
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, way] of Object.entries(ways)) {
    const started = performance.now();
    const usage = process.cpuUsage();
    const db = postmaster ? pgCpuMicros(postmaster) : 0;
    for (let i = 0; i < answers; i++) await way(reviews[i % reviews.length]!);
    const used = process.cpuUsage(usage);
    const result = results.get(name)!;
    result.wall.push((performance.now() - started) / answers);
    result.cpu.push((used.user + used.system) / answers);
    if (postmaster) result.db.push((pgCpuMicros(postmaster) - db) / answers);
  }
}
await pool.end();
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
for (const [name, r] of results) {
  const db = postmaster ? `, PostgreSQL CPU ${Math.round(median(r.db))} µs` : '';
  console.log(`${name.padEnd(24)} per answer (median of rounds): wall ${median(r.wall).toFixed(2)} ms, node CPU ${Math.round(median(r.cpu))} µs${db}`);
}
