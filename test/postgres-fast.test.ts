import { join } from 'node:path';
import type { Response } from 'light-my-request';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import t, { type Test } from 'tap';
import { buildApp } from '../src/app.js';
import { COUNT_CACHE_ENTRIES } from '../src/db/count-cache.js';
import { KnownTotals } from '../src/db/pg/known-totals.js';
import { BUMP_REVISION } from '../src/db/pg/revision.js';
import { MAX_NAMED_STATEMENTS, statementName } from '../src/db/pg/rows.js';
import { PG_RECOMMENDATIONS_FROM, pgDocumentChunks, pgFilterConditions, pgJsonPage, pgPageDocuments } from '../src/recommendations/pg-queries.js';
import { buildTestApp, tempDir } from './helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// PostgreSQL's read path made cheaper (issue #12's benchmark): a JSON page of recommendations and its total in
// one named statement (one round trip, planned once per connection), the same bytes as SQLite; the start's
// stored-document check by counts (a missing one rebuilt); the named statements bounded.

t.setTimeout(600_000);

interface PlanNode {
  'Node Type': string;
  'Actual Loops': number;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;
  const sqlitePath = join(tempDir(t), 'generated.sqlite');
  copyGeneratedDatabase(sqlitePath, 300);
  const url = await copiedDatabase(clusterUrl, sqlitePath);
  const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
  const onPostgres = await buildTestApp(t, { databaseUrl: url });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  t.teardown(() => pool.end());

  /** Every page of a walk on both backends: the same bodies, Link headers and ETags. */
  async function sameWalk(t: Test, query: string): Promise<number> {
    let path: string | null = `/v1/recommendations?${query}`;
    let pages = 0;
    while (path !== null) {
      const headers = { 'cache-control': 'no-cache' };
      const [a, b]: [Response, Response] = await Promise.all([onSqlite.inject({ url: path, headers }), onPostgres.inject({ url: path, headers })]);
      t.equal(b.statusCode, 200, `${path}: 200`);
      t.equal(b.body, a.body, `${path}: the same body`);
      t.equal(b.headers.etag, a.headers.etag, `${path}: the same ETag`);
      t.equal(b.headers.link, a.headers.link, `${path}: the same Link`);
      pages++;
      const next = a.json().meta.nextCursor as string | null;
      path = next === null ? null : `/v1/recommendations?${query}&cursor=${next}`;
    }
    return pages;
  }

  t.test('JSON pages: the same bytes as SQLite, page after page, empty ones too', async (t) => {
    t.ok((await sameWalk(t, 'limit=40')) > 5, 'several pages');
    await sameWalk(t, 'limit=7&sort=-updatedAt&position=supported,unknown');
    await sameWalk(t, 'limit=25&sort=-id&cycle=2');
    await sameWalk(t, 'limit=3&stateUnderReview=KGZ');
    await sameWalk(t, 'limit=4&q=rights&sort=id');
    await sameWalk(t, 'limit=4&implementation=partially_implemented,unknown&sort=-updatedAt');
    const none = await sameWalk(t, 'reviewId=KGZ-4');
    t.equal(none, 1, 'a filter matching nothing: one empty page');
    const empty = await onPostgres.inject('/v1/recommendations?reviewId=KGZ-4');
    t.same(empty.json(), { data: [], meta: { total: 0, limit: 50, nextCursor: null } });
  });

  t.test("implementation= and a count's source=: no subquery run per record", async (t) => {
    const { sources } = (await onSqlite.inject('/v1/recommendations?limit=1')).json().data[0] as { sources: { id: string }[] };
    const source = sources[0]!.id;
    const cases: [query: string, f: Parameters<typeof pgFilterConditions>[0], use: Parameters<typeof pgFilterConditions>[1]][] = [
      ['implementation=implemented', { implementation: ['implemented'] }, 'postgres'],
      ['implementation=not_implemented,unknown', { implementation: ['not_implemented', 'unknown'] }, 'postgres'],
      [`source=${source}`, { source: [source] }, 'postgres-count'],
    ];
    for (const [query, f, use] of cases) {
      const { sql: text, params } = new PgDialect().sqlToQuery(
        sql`select count(*) from ${PG_RECOMMENDATIONS_FROM} where ${sql.join(pgFilterConditions(f, use), sql` and `)}`,
      );
      const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ text: `explain (analyze, format json) ${text}`, values: params });
      const subPlanLoops = (node: PlanNode): number[] => [
        ...(node['Parent Relationship'] === 'SubPlan' ? [node['Actual Loops']] : []),
        ...(node.Plans ?? []).flatMap(subPlanLoops),
      ];
      const loops = subPlanLoops(rows[0]!['QUERY PLAN'][0].Plan);
      t.ok(loops.every((n) => n <= 1), `${query} (${use}): every subquery run at most once (${loops.join(', ')})`);
      t.ok((await onSqlite.inject(`/v1/recommendations?${query}`)).json().meta.total > 0, `${query}: some match`);
      await sameWalk(t, `limit=4&${query}`);
      const stats = `/v1/stats/recommendations?groupBy=position,cycle&${query}`;
      t.equal((await onPostgres.inject(stats)).body, (await onSqlite.inject(stats)).body, `${stats}: the same stats`);
    }
  });

  t.test("a page of source=: counted first, then the IN of the source's matches when it cites few, the EXISTS in the sort's order when many", async (t) => {
    // A source citing 100 records (the generator's cite at most a few), stored in a transaction rolled back after.
    const client = await pool.connect();
    t.teardown(async () => {
      await client.query('rollback');
      client.release();
    });
    await client.query('begin');
    await client.query(`insert into sources (id, title, publisher, url) values ('fast-test-report', 'A report', 'Tests', 'https://example.org/fast-test-report')`);
    await client.query(`insert into recommendation_sources (recommendation_id, source_id, match_key)
      select id, 'fast-test-report', id from recommendations order by id limit 100`);
    const sent: pg.QueryConfig[] = [];
    const recording = { query: ((config: pg.QueryConfig) => (sent.push(config), client.query(config))) as pg.Pool['query'] };
    const plan = async (config: pg.QueryConfig) => {
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ text: `explain (analyze, format json) ${config.text}`, values: config.values });
      return rows[0]!['QUERY PLAN'][0].Plan;
    };
    const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
    const table = (await client.query<{ n: number }>('select count(*)::int as n from recommendations')).rows[0]!.n;
    t.ok(101 * table > 100 * 100 && 2 * table <= 100 * 100, `100 of ${table}: few for a page of 100, many for a page of 1 (page-plan.ts)`);
    const totals = new KnownTotals();
    const sort = { name: '-updatedAt', descending: true };
    const f = { source: ['fast-test-report'] };
    const few = await pgJsonPage(recording, f, sort, 100, undefined, totals);
    t.same([few.total, few.docs.length], [{ total: 100 }, 100]);
    t.equal(sent.length, 2, 'the count, then the page');
    const page = nodes(await plan(sent[1]!));
    t.equal(page.filter((node) => node['Node Type'] === 'Aggregate' && node['Actual Loops'] > 0).length, 0, 'the page does not count again');
    t.ok(page.every((node) => node['Parent Relationship'] !== 'SubPlan' || node['Actual Loops'] <= 1), 'no subquery run per record');
    t.notMatch(sent[1]!.text, /exists \(select 1 from "recommendation_sources"/);
    const many = await pgJsonPage(recording, f, sort, 1, undefined, totals);
    t.same([many.total, many.docs.length], [{ total: 100 }, 1]);
    t.match(sent[3]!.text, /exists \(select 1 from "recommendation_sources"/, "a page of one: read in the sort's order");
    t.equal(sent.length, 4);
  });

  t.test("an export and a CSV or NDJSON page of source=: counted first too, the IN when the source cites few", async (t) => {
    // A database of its own where the source is committed: an export reads on a connection of its own, in its snapshot.
    const own = new pg.Pool({ connectionString: await copiedDatabase(clusterUrl, sqlitePath), max: 1 });
    t.teardown(() => own.end());
    await own.query(`insert into sources (id, title, publisher, url) values ('fast-test-report', 'A report', 'Tests', 'https://example.org/fast-test-report')`);
    await own.query(`insert into recommendation_sources (recommendation_id, source_id, match_key)
      select id, 'fast-test-report', id from recommendations order by id limit 100`);
    await own.query('analyze recommendations');
    const sent: pg.QueryConfig[] = [];
    // Each query the export's connection sends (its callback form too: the pool's own query on that client).
    const wrapped = new WeakSet<object>(); // the pool of one hands the same client out again
    const recorded = <T extends Pick<pg.PoolClient, 'query'>>(client: T): T => {
      if (wrapped.has(client)) return client;
      wrapped.add(client);
      const query = client.query.bind(client) as (config: string | pg.QueryConfig, ...rest: unknown[]) => unknown;
      return Object.assign(client, {
        query: (config: string | pg.QueryConfig, ...rest: unknown[]) => (sent.push(typeof config === 'string' ? { text: config } : config), query(config, ...rest)),
      });
    };
    const recording = { connect: async () => recorded(await own.connect()), query: own.query.bind(own) } as unknown as pg.Pool;
    const f = { source: ['fast-test-report'] };
    const sort = { name: '-updatedAt', descending: true };
    const exported = async (rows: number) => {
      sent.length = 0;
      let lines = '';
      for await (const chunk of pgDocumentChunks(recording, f, sort, 'ndjson', undefined, rows, new KnownTotals())) lines += chunk.bytes.toString();
      const declared = sent.find(({ text }) => text.startsWith('declare upr_export'))!;
      return {
        lines: lines.trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id),
        declared: declared.text,
        values: declared.values,
        counted: sent.some(({ text }) => /count\(\*\)/.test(text) && !text.startsWith('declare')),
      };
    };
    // 100 of about 300: few for an export's chunk of 100 (100 × 300 > 100²), many for a chunk of 1 (page-plan.ts).
    const few = await exported(100);
    t.ok(few.counted, 'counted first');
    t.notMatch(few.declared, /exists \(select 1 from "recommendation_sources"/, 'the IN of the matches, not the table read in order');
    const { rows } = await own.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({
      text: `explain (analyze, format json) ${few.declared.replace('declare upr_export no scroll cursor for ', '')}`,
      values: few.values,
    });
    const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
    t.ok(nodes(rows[0]!['QUERY PLAN'][0].Plan).every((node) => node['Parent Relationship'] !== 'SubPlan' || node['Actual Loops'] <= 1), 'no subquery run per record');
    const many = await exported(1);
    t.match(many.declared, /exists \(select 1 from "recommendation_sources"/, "a chunk of one: read in the sort's order");
    t.equal(few.lines.length, 100);
    t.same(few.lines, many.lines, 'the same records in the same order either way');

    sent.length = 0;
    const client = recorded(await own.connect());
    try {
      const page = await pgPageDocuments(client, f, sort, 'ndjson', 50, undefined, new KnownTotals());
      t.same(page.docs.map((line) => (JSON.parse(line) as { id: string }).id), few.lines.slice(0, 50), 'a page of 50 (CSV and NDJSON pages read alike)');
      t.equal(sent.length, 2, 'the count, then the page');
      t.notMatch(sent[1]!.text, /exists \(select 1 from "recommendation_sources"/);
    } finally {
      client.release();
    }
  });

  t.test('actionCategory= is read by its index (migration 0022)', async (t) => {
    const { sql: text, params } = new PgDialect().sqlToQuery(
      sql`select count(*) from ${PG_RECOMMENDATIONS_FROM} where ${sql.join(pgFilterConditions({ actionCategory: ['5', '4'] }, 'postgres'), sql` and `)}`,
    );
    const client = await pool.connect();
    try {
      // At 300 records a scan is cheaper whatever the indexes; the planner's choice once it is not (300,000: a
      // parallel scan of the table, 847 ms for a category nothing has; 0.25 ms by the index).
      await client.query('begin');
      await client.query('set local enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode & { 'Index Name'?: string } }] }>({
        text: `explain (format json) ${text}`,
        values: params,
      });
      const indexes = (node: PlanNode & { 'Index Name'?: string }): string[] => [
        ...(node['Index Name'] === undefined ? [] : [node['Index Name']]),
        ...(node.Plans ?? []).flatMap(indexes),
      ];
      t.ok(indexes(rows[0]!['QUERY PLAN'][0].Plan).includes('recommendations_action_category_idx'), JSON.stringify(rows[0]!['QUERY PLAN'][0].Plan));
    } finally {
      await client.query('rollback');
      client.release();
    }
    await sameWalk(t, 'limit=60&actionCategory=unknown&sort=-updatedAt');
  });

  t.test('a JSON page, its total and the revision it was read at are one round trip', async (t) => {
    let queries = 0;
    const counting = { query: ((config: pg.QueryConfig) => (queries++, pool.query(config))) as pg.Pool['query'] };
    const sort = { name: 'paragraph', descending: false };
    const all = (await onSqlite.inject('/v1/recommendations?limit=1')).json().meta.total as number;
    const first = await pgJsonPage(counting, {}, sort, 10, undefined);
    t.equal(queries, 1, 'one query');
    t.equal(first.total.total, all, "the total, SQLite's");
    t.equal(first.docs.length, 10, 'ten documents');
    t.ok(first.nextKeys, 'more follow');
    const last = await pgJsonPage(counting, {}, { name: 'id', descending: true }, 1000, undefined);
    t.equal(last.docs.length, all);
    t.equal(last.nextKeys, null, 'nothing follows the last page');
    const none = await pgJsonPage(counting, { q: 'zzqqxxnothing' }, { name: 'relevance', descending: false }, 5, undefined);
    t.same(none, { docs: [], nextKeys: null, total: { total: 0 }, stamp: first.stamp });
    t.match(first.stamp, /^\d+\.[0-9a-f]*$/, "the data revision's stamp, read in the page's statement");
    t.equal(queries, 3);
    // Named: the connection keeps the statement prepared, planned once; a full-text page is planned each time.
    const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from pg_prepared_statements where name like 'upr-%'`);
    t.ok(rows[0]!.n >= 2, 'the pages are prepared statements of the connection');
    const { rows: fullText } = await pool.query<{ n: number }>(
      `select count(*)::int as n from pg_prepared_statements where name like 'upr-%' and statement like '%@@%'`,
    );
    t.equal(fullText[0]!.n, 0, 'not the full-text page');
  });

  t.test('meta.total: counted once per data revision and filter, not again for the next pages', async (t) => {
    const sent: pg.QueryConfig[] = [];
    const recording = { query: ((config: pg.QueryConfig) => (sent.push(config), pool.query(config))) as pg.Pool['query'] };
    /** How many times the statement's count ran: the loops of its aggregates (the page itself has none). */
    const countsRun = async (config: pg.QueryConfig) => {
      const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ text: `explain (analyze, format json) ${config.text}`, values: config.values });
      const loops = (node: PlanNode): number =>
        (node['Node Type'] === 'Aggregate' ? node['Actual Loops'] : 0) + (node.Plans ?? []).reduce((sum, child) => sum + loops(child), 0);
      return loops(rows[0]!['QUERY PLAN'][0].Plan);
    };
    const totals = new KnownTotals();
    const sort = { name: 'paragraph', descending: false };
    const walk = async (f: Parameters<typeof pgJsonPage>[1], after?: Parameters<typeof pgJsonPage>[4]) => pgJsonPage(recording, f, sort, 5, after, totals);
    const first = await walk({ cycle: [2] });
    const second = await walk({ cycle: [2] }, first.nextKeys!);
    const sqliteTotal = (await onSqlite.inject('/v1/recommendations?cycle=2')).json().meta.total as number;
    t.same([first.total, second.total], [{ total: sqliteTotal }, { total: sqliteTotal }], "SQLite's total on both pages");
    t.ok((await countsRun(sent[0]!)) > 0, 'the first page counts');
    t.equal(await countsRun(sent[1]!), 0, 'the next page of the same revision counts nothing');
    await walk({ cycle: [2], position: ['noted'] });
    t.ok((await countsRun(sent[2]!)) > 0, 'another filter counts');
    const capped = await walk({ q: 'rights' });
    await walk({ q: 'rights' }, capped.nextKeys!);
    t.equal(await countsRun(sent[4]!), 0, "a full-text list's capped total is kept too");
    await pool.query(BUMP_REVISION);
    const afterWrite = await walk({ cycle: [2] }, first.nextKeys!);
    t.ok((await countsRun(sent[5]!)) > 0, 'a new revision counts again');
    t.equal(sent[5]!.text, sent[1]!.text, 'one statement text, its total known or not (named once)');
    t.same(afterWrite.total, first.total);
    t.not(afterWrite.stamp, first.stamp);
  });

  t.test('KnownTotals: at most COUNT_CACHE_ENTRIES, the least recently used dropped', async (t) => {
    const totals = new KnownTotals();
    const known = (total: number) => ({ revision: '1', token: 'a', total });
    for (let i = 0; i < COUNT_CACHE_ENTRIES; i++) totals.set(`filter ${i}`, known(i));
    totals.get('filter 0'); // used: kept over filter 1
    totals.set(`filter ${COUNT_CACHE_ENTRIES}`, known(COUNT_CACHE_ENTRIES));
    t.same(totals.get('filter 0'), known(0), 'the first, used since, kept');
    t.equal(totals.get('filter 1'), undefined, 'the least recently used, dropped');
    t.same(totals.get(`filter ${COUNT_CACHE_ENTRIES}`), known(COUNT_CACHE_ENTRIES));
    totals.set('filter 0', known(7));
    t.same(totals.get('filter 0'), known(7), 'set again: the new total');
  });

  t.test('a missing stored CSV row is found by the counts and rebuilt at start', async (t) => {
    const url2 = await copiedDatabase(clusterUrl, sqlitePath);
    const other = new pg.Pool({ connectionString: url2, max: 1 });
    t.teardown(() => other.end());
    const line = 'select recommendation_id, csv_head, csv_path, csv_tail from recommendation_csv_lines where recommendation_id = (select min(id) from recommendations)';
    const before = (await other.query(line)).rows;
    t.equal(before.length, 1);
    await other.query(`delete from recommendation_csv_lines where recommendation_id = (select min(id) from recommendations)`);
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: url2, logLevel: 'silent' });
    t.teardown(() => app.close());
    t.same((await other.query(line)).rows, before, 'the same CSV line again');
  });

  // Last: it uses up this process's names.
  t.test('statement names: the same text the same name, and no more than MAX_NAMED_STATEMENTS', async (t) => {
    const name = statementName('select 1 as upr_fast_test');
    t.type(name, 'string');
    t.equal(statementName('select 1 as upr_fast_test'), name, 'a text keeps its name');
    const given = new Set<string>();
    for (let i = 0; i < MAX_NAMED_STATEMENTS + 10; i++) {
      const next = statementName(`select ${i} as upr_fast_fill`);
      if (next !== undefined) given.add(next);
    }
    t.ok(given.size < MAX_NAMED_STATEMENTS, 'names stop at the bound');
    t.equal(statementName('select 2 as upr_fast_other'), undefined, 'a new text past the bound runs unnamed');
    // A page past the bound still answers, unnamed.
    const page = await onPostgres.inject({ url: '/v1/recommendations?limit=3&sort=-paragraph&cycle=1', headers: { 'cache-control': 'no-cache' } });
    t.equal(page.statusCode, 200);
    t.equal(page.body, (await onSqlite.inject('/v1/recommendations?limit=3&sort=-paragraph&cycle=1')).body);
  });
}
