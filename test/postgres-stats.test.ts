import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import pg from 'pg';
import t, { type Test } from 'tap';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { pgSnapshot } from '../src/db/pg/query.js';
import { pgWriteTransaction } from '../src/db/pg/write-transaction.js';
import { pgFlushStats } from '../src/stats/pg-aggregates.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, tempDir } from './helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { type AllRows, checkEveryGrouping } from './support/stats-recount.js';
import { copyTemplateDatabase } from './support/template-db.js';

// Stats on PostgreSQL (issue #12): the recommendation counts kept on write (migrations/postgres/0005, read by
// src/stats/pg-aggregates.ts) equal a recount from the base tables after random writes — through the API
// where PostgreSQL serves the write, straight in a pgWriteTransaction for the tables whose writes are not
// ported yet (assessments, a state's regional group) — and a copy carries them exactly.
// A multi-query answer reads one snapshot (pgSnapshot).

t.setTimeout(900_000);
const cluster = await startCluster(t);

const STATES = ['FIN', 'ESP', 'USA', 'GBR', 'KGZ', 'RUS', 'CHN', 'BRA'];
const THEMES = ['human-rights-defenders', 'arbitrary-arrest-and-detention', 'advancement-of-women', 'business-and-human-rights'];
const POSITIONS = [null, 'supported', 'partially_supported', 'noted', 'pending'] as const;
const REGIONAL_GROUPS = [null, 'WEOG', 'GRULAC', 'African'] as const;
const STATUSES = ['not_implemented', 'partially_implemented', 'implemented'] as const;
const REVIEWS = ['KGZ-3', 'FIN-2', 'BRA-3'];

type Op =
  | { kind: 'create'; review: number; states: string[]; themes: string[]; sdgs: string[]; position: number }
  | { kind: 'patch'; pick: number; states?: string[]; themes?: string[]; sdgs?: string[]; position?: number; review?: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'theme'; pick: number; theme: number; keep: boolean }
  | { kind: 'assess'; pick: number; status: number; day: number }
  | { kind: 'unassess'; pick: number }
  | { kind: 'regroup'; state: number; group: number };

const subset = <T>(values: readonly T[], min = 0) => fc.uniqueArray(fc.constantFrom(...values), { minLength: min, maxLength: 3 });
const index = (n: number) => fc.integer({ min: 0, max: n - 1 });
const sdgs = fc.uniqueArray(fc.integer({ min: 1, max: 17 }).map(String), { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), review: index(REVIEWS.length), states: subset(STATES, 1), themes: subset(THEMES), sdgs, position: index(POSITIONS.length) }),
  fc.record(
    {
      kind: fc.constant('patch' as const),
      pick: fc.nat(),
      states: subset(STATES, 1),
      themes: subset(THEMES),
      sdgs,
      position: index(POSITIONS.length),
      review: index(REVIEWS.length),
    },
    { requiredKeys: ['kind', 'pick'] },
  ),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('theme' as const), pick: fc.nat(), theme: index(THEMES.length), keep: fc.boolean() }),
  fc.record({ kind: fc.constant('assess' as const), pick: fc.nat(), status: index(STATUSES.length), day: index(28) }),
  fc.record({ kind: fc.constant('unassess' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('regroup' as const), state: index(STATES.length), group: index(REGIONAL_GROUPS.length) }),
);

let written = 0;

/** One write: through the API where PostgreSQL serves it, else its SQL in a pgWriteTransaction. */
async function apply(app: FastifyInstance, pool: pg.Pool, key: string, o: Op): Promise<number> {
  const ids = (await pool.query<{ id: string }>('select id from recommendations order by id')).rows.map((row) => row.id);
  const pick = (n: number) => ids[n % ids.length]!;
  const position = (p: number) => ({ position: POSITIONS[p], positionSource: POSITIONS[p] === null ? null : 'A/HRC/44/9/Add.1' });
  const match = { 'if-match': '*' };
  const direct = async (text: string, values: unknown[]) => {
    await pgWriteTransaction(pool, 'test', async ({ tx, audit }) => {
      await tx.query(text, values);
      audit({ entity: 'test', entityId: String(written++), action: 'create', before: null, after: { text } });
    });
    return 200;
  };
  switch (o.kind) {
    case 'create': {
      const body = { reviewId: REVIEWS[o.review], text: 'Do something.', verbatim: false, recommendingStates: o.states, themes: o.themes, sdgs: o.sdgs, ...position(o.position) };
      return (await send(app, 'POST', '/v1/recommendations', { key, body })).response.statusCode;
    }
    case 'patch': {
      written += 1; // a new text each time: a patch that changes nothing writes nothing
      const body: Record<string, unknown> = { text: `Changed, write ${written}.` };
      if (o.states) body.recommendingStates = o.states;
      if (o.themes) body.themes = o.themes;
      if (o.sdgs) body.sdgs = o.sdgs;
      if (o.position !== undefined) Object.assign(body, position(o.position));
      if (o.review !== undefined) body.reviewId = REVIEWS[o.review];
      return (await send(app, 'PATCH', `/v1/recommendations/${pick(o.pick)}`, { key, body, headers: match })).response.statusCode;
    }
    case 'delete':
      return (await send(app, 'DELETE', `/v1/recommendations/${pick(o.pick)}`, { key, headers: match })).response.statusCode;
    case 'theme': {
      const url = `/v1/recommendations/${pick(o.pick)}/themes/${THEMES[o.theme]}`;
      return (await send(app, o.keep ? 'PUT' : 'DELETE', url, { key })).response.statusCode;
    }
    case 'assess':
      return direct(
        `insert into assessments (id, recommendation_id, status, assessed_on, rationale, source_id, created_at, updated_at)
          select 'test-' || gen_random_uuid(), $1, $2, $3, 'Seen.', (select id from sources order by id limit 1), $4, $4`,
        [pick(o.pick), STATUSES[o.status], `2021-02-${String(o.day + 1).padStart(2, '0')}`, new Date().toISOString()],
      );
    case 'unassess':
      return direct('delete from assessments where recommendation_id = $1', [pick(o.pick)]);
    case 'regroup':
      return direct('update states set regional_group = $2 where code = $1', [STATES[o.state], REGIONAL_GROUPS[o.group]]);
  }
}

const pgRowsOf = (pool: pg.Pool): AllRows => async (query) => (await pool.query(query)).rows;
const dirty = async (pool: pg.Pool) => (await pool.query<{ n: number }>('select count(*)::int as n from stats_dirty')).rows[0]!.n;

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;
  // The seeded database with two more reviews, one in another cycle, so that review, state, cycle and session
  // filters divide (written through the SQLite app: PostgreSQL does not serve review writes yet).
  const template = join(tempDir(t), 'template.sqlite');
  copyTemplateDatabase(template);
  const sqlite = await buildTestApp(t, { databasePath: template });
  const admin = mintKey(sqlite, 'admin', 'admin');
  for (const [state, cycle, session] of [['FIN', 2, 27], ['BRA', 3, 41]] as const) {
    const review = await send(sqlite, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: state, cycle, session } });
    t.equal(review.response.statusCode, 201);
  }
  await send(sqlite, 'POST', '/v1/assessments', {
    key: admin,
    body: { recommendationId: 'KGZ-3-FIN-1', status: 'implemented', assessedOn: '2020-01-01', rationale: 'Done.', sources: [{ title: 'A report', publisher: 'Example', url: 'https://example.org/r', publishedOn: '2020-01-01' }] },
  });
  await sqlite.close();

  /** A fresh PostgreSQL copy of the template, the app on it, a pool and a write key. */
  async function fresh(t: Test) {
    const url = await copiedDatabase(clusterUrl, template);
    const app = await buildTestApp(t, { databaseUrl: url });
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    t.teardown(() => pool.end());
    return { app, pool, key: (await pgCreateApiKey(pool, 'curator', 'write')).key };
  }

  t.test('a copy carries the kept counts exactly: nothing left to count, every grouping equals the recount', async (t) => {
    const { app, pool } = await fresh(t);
    t.equal(await dirty(pool), 0, 'the copy replaced what its triggers marked');
    t.ok((await pool.query('select 1 from stats_members')).rowCount! > 0, 'the members are copied');
    await checkEveryGrouping(t, app, pgRowsOf(pool), 'copied');
  });

  t.test('kept counts equal a recount from the base tables after random writes', async (t) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 15 }), async (ops) => {
        run += 1;
        const { app, pool, key } = await fresh(t);
        for (const o of ops) {
          const status = await apply(app, pool, key, o);
          t.ok(status < 500, `${o.kind}: ${status}`);
          // Every write transaction counts what it marked before it commits: the kept counts answer.
          t.equal(await dirty(pool), 0, `${o.kind}: counted`);
        }
        await checkEveryGrouping(t, app, pgRowsOf(pool), `run ${run}, ${ops.length} writes`);
        await app.close();
      }),
      // Each check asks 660 stats: a failure is reported as found, not shrunk.
      { numRuns: 3, seed: 20261202, endOnFailure: true },
    );
  });

  t.test('a write outside a write transaction: the base tables answer until pgFlushStats counts it', async (t) => {
    const { app, pool } = await fresh(t);
    const before = (await getJson(app, '/v1/stats/recommendations?groupBy=position&cycle=3,4')).body;
    await pool.query("update recommendations set position = 'noted', position_source = 'A/HRC/44/9/Add.1' where id = 'KGZ-3-FIN-1'");
    await pool.query("update meta set value = (cast(value as bigint) + 1)::text where key = 'revision'"); // a new answer, not the cached one
    t.equal(await dirty(pool), 1, 'marked, not yet counted');
    const after = (await getJson(app, '/v1/stats/recommendations?groupBy=position&cycle=3,4')).body;
    t.not(JSON.stringify(after.data), JSON.stringify(before.data), 'the change shows');
    await checkEveryGrouping(t, app, pgRowsOf(pool), 'uncounted write');
    const client = await pool.connect();
    await client.query('begin');
    await pgFlushStats(client);
    await client.query('commit');
    client.release();
    t.equal(await dirty(pool), 0, 'counted');
    await checkEveryGrouping(t, app, pgRowsOf(pool), 'counted write');
  });

  t.test('a flush finds the dirty members by their index, stats_dirty never analysed (migrations/postgres/0006)', async (t) => {
    const { pool } = await fresh(t);
    // Enough members that a scan of them is not the cheap way to find one record's: each record copied 400 times
    // (fts_rowid, unique, left null as the copy of a database between backends leaves it).
    const columns = (
      await pool.query<{ name: string }>(
        `select column_name as name from information_schema.columns
          where table_name = 'recommendations' and is_generated = 'NEVER' and column_name <> 'fts_rowid'
          order by ordinal_position`,
      )
    ).rows.map((row) => `"${row.name}"`);
    const values = columns.map((column) => (column === '"id"' ? `${column} || '-copy-' || g` : column));
    await pgWriteTransaction(pool, 'test', async ({ tx }) => {
      await tx.query(`insert into recommendations (${columns.join(', ')})
        select ${values.join(', ')} from recommendations cross join generate_series(1, 400) g`);
    });
    t.equal(await dirty(pool), 0, 'the copies are counted');
    await pool.query('analyze');
    const members = (await pool.query<{ n: number }>('select count(*)::int as n from stats_members')).rows[0]!.n;
    t.ok(members > 10_000, `${members} members`);
    const client = await pool.connect();
    try {
      await client.query('begin');
      // As in a new database before autovacuum's first pass: the planner takes stats_dirty for ten pages of rows.
      await client.query("update pg_class set reltuples = -1, relpages = 0 where relname = 'stats_dirty'");
      await client.query("update recommendations set position = 'noted', position_source = 'A/HRC/44/9/Add.1' where id = 'KGZ-3-FIN-1'");
      const scans = async () =>
        (await client.query<{ seq: number; idx: number }>(
          "select seq_scan::int as seq, idx_scan::int as idx from pg_stat_xact_user_tables where relname = 'stats_members'",
        )).rows[0]!;
      const before = await scans();
      await pgFlushStats(client);
      const after = await scans();
      t.equal(after.seq - before.seq, 0, 'no scan of every member');
      t.ok(after.idx > before.idx, 'the members are read by their index');
      t.equal((await client.query('select 1 from stats_dirty')).rowCount, 0, 'counted');
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  t.test('pgSnapshot: every query of an answer sees one revision; a failed read rolls back', async (t) => {
    const { pool } = await fresh(t);
    const total = async (client: pg.PoolClient | pg.Pool) => (await client.query<{ n: number }>('select count(*)::int as n from recommendations')).rows[0]!.n;
    const seen = await pgSnapshot(pool, async (client) => {
      const first = await total(client);
      // Another connection commits a delete between the answer's two queries.
      await pool.query("delete from recommendations where id = 'KGZ-3-FIN-1'");
      return [first, await total(client)];
    });
    t.equal(seen[0], seen[1], 'the second query does not see the write');
    t.equal(await total(pool), seen[0]! - 1, 'which committed');
    const refused = await pgSnapshot(pool, async (client) => client.query('delete from recommendations')).catch((error: Error) => error);
    t.match(String(refused), /read-only transaction/, 'read only');
    await t.rejects(pgSnapshot(pool, async (client) => client.query('select * from no_such_table')), /no_such_table/);
    t.equal(await total(pool), seen[0]! - 1, 'nothing written; the pool still answers');
  });
}
