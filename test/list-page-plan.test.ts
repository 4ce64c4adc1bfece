import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import t, { type Test } from 'tap';
import type { Db } from '../src/db/open.js';
import { choosePagePlan } from '../src/recommendations/page-plan.js';
import { documentChunks, pageBody, pagePlan, resolveSort } from '../src/recommendations/queries.js';
import type { RecommendationFilter, RecommendationSort } from '../src/recommendations/schemas.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// How SQLite reads a page of the list, chosen by the list's count (src/recommendations/page-plan.ts): the sort's
// order when many records match, each filter's own index when few do, nothing when none does. Proved by the plan
// SQLite reports for the page's statement on a generated database of 3,008 records, where a page of 50 (51 rows
// read) takes the sort's order from 392 matches on: 771 are noted, 85 pending.

sqliteOnly(t, "SQLite's query plans of a generated SQLite file");

const path = join(tempDir(t), 'plans.sqlite');
copyGeneratedDatabase(path, 3_000);

/** A read-only connection that keeps each statement it runs, with its values written in. */
function connection(t: Test, file = path) {
  const texts: string[] = [];
  const client = new Database(file, { readonly: true, verbose: (text) => void texts.push(String(text)) });
  t.teardown(() => client.close());
  const plan = (text: string) => (client.prepare(`explain query plan ${text}`).all() as { detail: string }[]).map((row) => row.detail);
  return { client, db: drizzle(client) as unknown as Db, texts, plan };
}

/** A page of 50 as pageBody reads it: its ids, and the plan of the statement that found them. */
function page(t: Test, filter: RecommendationFilter, sortName: RecommendationSort, file = path) {
  const { db, texts, plan } = connection(t, file);
  const body = pageBody(db, filter, resolveSort(sortName, filter), 50, undefined, () => ['[', ']']);
  const keys = texts.find((text) => text.startsWith('select r.id as k'))!;
  return { ids: (JSON.parse(body.toString()) as { id: string }[]).map((record) => record.id), plan: plan(keys), keys, db };
}

const ORDERS: Partial<Record<RecommendationSort, string>> = {
  '-updatedAt': 'updated_at desc, id desc',
  id: 'id',
  paragraph: 'review_id, paragraph_sort_key, id',
};

/** The first 50 ids of the records `where` selects, in a sort's order. */
function expected(t: Test, where: string, sortName: RecommendationSort, ...values: unknown[]): string[] {
  const { client } = connection(t);
  return client.prepare(`select id from recommendations r where ${where} order by ${ORDERS[sortName]} limit 50`).pluck().all(...values) as string[];
}

t.test('the plan: none for no match, the sort order when rows × table ≤ matches², else the matches', async (t) => {
  t.equal(choosePagePlan(0, 1_000_000, 51), 'none');
  t.equal(choosePagePlan(7_141, 1_000_000, 51), 'matches');
  t.equal(choosePagePlan(7_142, 1_000_000, 51), 'sort-order');
  t.equal(choosePagePlan(250_000, 1_000_000, 501), 'sort-order');
  t.equal(choosePagePlan(10, 100_000, 51), 'matches');
});

t.test('a position many records hold is read in the sort order, one few hold by its index', async (t) => {
  for (const sortName of ['-updatedAt', 'id'] as const) {
    const many = page(t, { position: ['noted'] }, sortName);
    t.equal(pagePlan(many.db, { position: ['noted'] }, 51), 'sort-order');
    // Before: SEARCH r USING INDEX recommendations_position_idx (position=?); USE TEMP B-TREE FOR ORDER BY,
    // every noted record sorted for each page (250,000 at 1M: 1.1–2.5 s a page).
    t.notOk(many.plan.some((detail) => /TEMP B-TREE|recommendations_position_idx/.test(detail)), `noted by ${sortName}: ${many.plan.join('; ')}`);
    t.same(many.ids, expected(t, "position = 'noted'", sortName), `noted by ${sortName}: the page`);
    const few = page(t, { position: ['pending'] }, sortName);
    t.equal(pagePlan(few.db, { position: ['pending'] }, 51), 'matches');
    // A scan in the sort's order would meet the few records late (session 37's review, 10 pending records of
    // 100,000: 0.8 → 967 ms a page).
    t.ok(few.plan.some((detail) => /^SEARCH r USING INDEX recommendations_position_idx/.test(detail)), `pending by ${sortName}: ${few.plan.join('; ')}`);
    t.same(few.ids, expected(t, "position = 'pending'", sortName), `pending by ${sortName}: the page`);
  }
});

t.test('updatedSince: many records read in the sort order, few by the index of the last change', async (t) => {
  const { client } = connection(t);
  const instant = (offset: number) => client.prepare('select updated_at from recommendations order by updated_at desc limit 1 offset ?').pluck().get(offset) as string;
  for (const sortName of ['paragraph', 'id'] as const) {
    // Before, by id: SEARCH r USING COVERING INDEX recommendations_updated_idx (updated_at>?); USE TEMP B-TREE FOR
    // ORDER BY, SQLite's own choice for this instant (at 300,000 records, 22,226 of them sorted for each page by
    // paragraph: 354 ms).
    const many = page(t, { updatedSince: instant(499) }, sortName);
    t.notOk(many.plan.some((detail) => /TEMP B-TREE|recommendations_updated_idx/.test(detail)), `500 by ${sortName}: ${many.plan.join('; ')}`);
    t.same(many.ids, expected(t, 'updated_at >= ?', sortName, instant(499)), `500 by ${sortName}: the page`);
    const few = page(t, { updatedSince: instant(9) }, sortName);
    t.ok(few.plan.some((detail) => /^SEARCH r USING (COVERING )?INDEX recommendations_updated_idx/.test(detail)), `10 by ${sortName}: ${few.plan.join('; ')}`);
    t.same(few.ids, expected(t, 'updated_at >= ?', sortName, instant(9)), `10 by ${sortName}: the page`);
  }
  // Its own sort reads the index of the last change from the instant on, whatever the count.
  const own = page(t, { updatedSince: instant(499) }, '-updatedAt');
  t.ok(own.plan.some((detail) => /^SEARCH r USING (COVERING )?INDEX recommendations_updated_idx \(updated_at>\?\)/.test(detail)), own.plan.join('; '));
});

t.test("a cycle many records are of is read by the last change, each record's review after it; by paragraph or id, reviews first", async (t) => {
  const filter: RecommendationFilter = { cycle: [3] };
  const where = 'review_id in (select id from reviews where cycle = 3)';
  const byUpdate = page(t, filter, '-updatedAt');
  t.equal(pagePlan(byUpdate.db, filter, 51), 'sort-order');
  // Before: SCAN v; SEARCH r USING INDEX recommendations_review_order_idx (review_id=?); USE TEMP B-TREE FOR ORDER BY,
  // every record of the cycle sorted for each page (74,719 at 300,000: 176 ms).
  t.match(byUpdate.plan[0], /^SCAN r USING (COVERING )?INDEX recommendations_updated_idx/, byUpdate.plan.join('; '));
  t.notOk(byUpdate.plan.some((detail) => /TEMP B-TREE/.test(detail)), byUpdate.plan.join('; '));
  t.same(byUpdate.ids, expected(t, where, '-updatedAt'));
  // The paragraph's and the id's keys are in the index of a review's records: read review by review, unsorted or
  // their keys sorted without a record read (ids begin with the state under review: its order meets a state late).
  for (const sortName of ['paragraph', 'id'] as const) {
    const reviewsFirst = page(t, filter, sortName);
    t.match(reviewsFirst.plan[0], /^SCAN v\b/, `${sortName}: ${reviewsFirst.plan.join('; ')}`);
    t.same(reviewsFirst.ids, expected(t, where, sortName));
  }
});

t.test("a little-cited source and a rare combination of links are read by their links' indexes", async (t) => {
  const { client } = connection(t);
  const source = client.prepare('select source_id from recommendations group by 1 order by count(*), 1 limit 1').pluck().get() as string;
  const [theme, goal] = client
    .prepare(`select t.theme_id, s.goal from recommendation_themes t join recommendation_sdgs s using (recommendation_id)
      group by 1, 2 order by count(*), 1, 2 limit 1`)
    .raw()
    .get() as [string, number];
  const cases: [RecommendationFilter, string, unknown[]][] = [
    [{ source: [source] }, 'source_id = ?', [source]],
    [
      { theme: [theme], sdg: [goal] },
      `id in (select recommendation_id from recommendation_themes where theme_id = ?)
        and id in (select recommendation_id from recommendation_sdgs where goal = ?)`,
      [theme, goal],
    ],
  ];
  for (const [filter, where, values] of cases) {
    const label = JSON.stringify(filter);
    const { ids, plan } = page(t, filter, '-updatedAt');
    // Before: SCAN r USING INDEX recommendations_updated_idx, each record's links checked until the page is full
    // (the whole table when the matches are fewer than a page: 0.6 s at 300,000 for a source of 386 records).
    t.notOk(plan.some((detail) => /^SCAN r\b/.test(detail)), `${label}: no scan of the recommendations: ${plan.join('; ')}`);
    t.ok(ids.length > 0, `${label}: ${ids.length} records`);
    t.same(ids, expected(t, where, '-updatedAt', ...values), `${label}: the page`);
  }
});

t.test('no match: nothing is read', async (t) => {
  const filter: RecommendationFilter = { actionCategory: ['5'] };
  const { ids, keys, db } = page(t, filter, '-updatedAt');
  t.equal(pagePlan(db, filter, 51), 'none');
  t.same(ids, []);
  // A constant false, which SQLite tests before it opens a table (before: every record read in the sort's order).
  t.match(keys, /where 0 order by/);
});

t.test("actionCategory: a count by its index; all unknown read in the sort's order, before ANALYZE has seen the index too", async (t) => {
  // A database migrated since its last ANALYZE (migration 0030 adds recommendations_action_category_idx): no
  // statistics of the index, so that SQLite guesses a category matches few records.
  const unanalyzed = join(tempDir(t), 'unanalyzed.sqlite');
  copyGeneratedDatabase(unanalyzed, 3_000);
  const writer = new Database(unanalyzed);
  for (const table of ['sqlite_stat1', 'sqlite_stat4']) writer.prepare(`delete from ${table} where idx = 'recommendations_action_category_idx'`).run();
  writer.close();
  for (const file of [path, unanalyzed]) {
    const none = connection(t, file);
    t.equal(pagePlan(none.db, { actionCategory: ['5'] }, 51), 'none');
    const count = none.texts.find((text) => text.startsWith('select count('))!;
    // Before: SCAN r, every record read to count none (847 ms on PostgreSQL at 300,000; 17 ms on SQLite at 50,000).
    t.ok(none.plan(count).some((detail) => /USING COVERING INDEX recommendations_action_category_idx/.test(detail)), none.plan(count).join('; '));
    const filter: RecommendationFilter = { actionCategory: ['unknown'] };
    const all = page(t, filter, '-updatedAt', file);
    t.equal(pagePlan(all.db, filter, 51), 'sort-order');
    // Without '+': SEARCH r USING INDEX recommendations_action_category_idx (action_category=?); USE TEMP B-TREE
    // FOR ORDER BY, every record sorted for each page.
    t.notOk(all.plan.some((detail) => /TEMP B-TREE|recommendations_action_category_idx/.test(detail)), `${file}: ${all.plan.join('; ')}`);
    t.same(all.ids, expected(t, 'action_category is null', '-updatedAt'));
  }
});

t.test("an export of many matches reads each chunk in the sort's order", async (t) => {
  const { db, texts, plan } = connection(t);
  const filter: RecommendationFilter = { position: ['noted'] };
  let rows = 0;
  for (const chunk of documentChunks(db, filter, resolveSort('-updatedAt', filter), undefined, 'ndjson', 100)) rows += chunk.rows;
  t.equal(rows, 771);
  const chunkPlans = texts.filter((text) => /^select cast\(string_agg/.test(text)).map(plan);
  t.ok(chunkPlans.length >= 8, `${chunkPlans.length} chunks`);
  for (const detail of chunkPlans) t.notOk(detail.some((line) => /TEMP B-TREE|recommendations_position_idx/.test(line)), detail.join('; '));
});
