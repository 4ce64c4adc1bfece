import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import type { AppConfig } from '../src/config.js';
import { sqlToQuery } from '../src/db/batch.js';
import { toFtsQuery } from '../src/db/fulltext.js';
import { filterConditions as developmentConditions } from '../src/developments/queries.js';
import { whereClause } from '../src/db/keyset.js';
import type { Db } from '../src/db/open.js';
import { countMatching, countRecommendations, documentChunks, filterConditions, fromClause, resolveSort } from '../src/recommendations/queries.js';
import type { RecommendationFilter, RecommendationSort } from '../src/recommendations/schemas.js';
import { type ReviewRow, reviewSourcesQuery } from '../src/reviews/queries.js';
import { buildTestApp, getJson, sqliteOnly, tempDir } from './helpers.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// Full-text queries (q) cost a bounded amount of work: repeated terms are dropped, too many words and too short
// prefixes are a 400 naming the limit, a list's count stops at FULL_TEXT_MAX_COUNT, and a control character is
// a 400 on every route that takes q. Run on a generated database of a few thousand recommendations, where the
// prefix storm of issue 14 (`a* a* a* …`) kept the old code busy.

sqliteOnly(t, 'every app here serves a generated SQLite file (FTS5) whatever the backend: the PostgreSQL pass would repeat it');

const path = join(tempDir(t), 'hostile.sqlite');
copyGeneratedDatabase(path, 3_000);

const app = (t: Test, overrides: Partial<AppConfig> = {}) => buildTestApp(t, { databasePath: path, ...overrides });

/** Runs `work` and gives the longest event-loop delay seen meanwhile, in ms. */
async function longestStall(work: () => Promise<void>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await work();
  histogram.disable();
  return histogram.max / 1e6;
}

t.test('terms kept: repeats count once, and the limits are checked on what is left', async (t) => {
  t.equal(toFtsQuery('abc* '.repeat(100)), '"abc"*', 'a repeated prefix is one term');
  t.equal(toFtsQuery('Torture torture, "torture" TORTURE'), '"Torture"', 'terms that tokenize alike are one');
  t.equal(toFtsQuery('torture tort* "torture detention"'), '"torture" "tort"* "torture detention"');
  t.equal(toFtsQuery('one two three four five six seven eight'), '"one" "two" "three" "four" "five" "six" "seven" "eight"');
  t.throws(() => toFtsQuery('a* '.repeat(166)), /at least 3 letters or digits before the \* \(FULL_TEXT_MIN_PREFIX\)/);
  t.throws(() => toFtsQuery('human-ri*'), /FULL_TEXT_MIN_PREFIX/, 'the last word of a punctuated prefix counts');
  t.throws(() => toFtsQuery('one two three four five six seven eight nine'), /9 words; at most 8 .*FULL_TEXT_MAX_TERMS/);
  t.throws(() => toFtsQuery('"one two three four five six seven eight nine"'), /9 words/, "a phrase's words count");
  t.throws(() => toFtsQuery('a.b.c.d.e.f.g.h.i'), /9 words/, 'so do the words a punctuated word is made of');
  t.throws(() => toFtsQuery('"" * !!'), /at least one word/);
});

const HOSTILE: [q: string, status: number, limit?: string][] = [
  ['a* '.repeat(166).trim(), 400, 'FULL_TEXT_MIN_PREFIX'],
  ['ab*', 400, 'FULL_TEXT_MIN_PREFIX'],
  ['rig* '.repeat(99).trim(), 200],
  ['rights '.repeat(71).trim(), 200],
  ['a b c d e f g h i j k l m n o p', 400, 'FULL_TEXT_MAX_TERMS'],
  ['a.'.repeat(250), 400, 'FULL_TEXT_MAX_TERMS'],
  [`"${'the '.repeat(100).trim()}"`, 400, 'FULL_TEXT_MAX_TERMS'],
  ['the of to and in a for on', 200],
  ['AND OR NOT NEAR( " text: ^rights *', 200],
];

const ROUTES = [
  '/v1/recommendations',
  '/v1/recommendations?format=csv',
  '/v1/recommendations?sort=paragraph&cycle=3',
  '/v1/stats/recommendations?groupBy=position',
  '/v1/developments',
  '/v1/developments?format=ndjson',
  '/v1/stats/developments?groupBy=direction',
  '/v1/statements',
  '/v1/statements?format=csv',
];

const withQ = (route: string, q: string) => `${route}${route.includes('?') ? '&' : '?'}q=${encodeURIComponent(q)}`;

t.test('hostile queries answer 200 or a 400 naming the limit', async (t) => {
  const server = await app(t);
  const stall = await longestStall(async () => {
    for (const [q, status, limit] of HOSTILE) {
      for (const route of ROUTES) {
        const response = await server.inject({ method: 'GET', url: withQ(route, q) });
        t.equal(response.statusCode, status, `${route} q=${q.slice(0, 30)}`);
        if (limit === undefined) continue;
        t.match(response.headers['content-type'], 'application/problem+json');
        t.match(response.json(), { status: 400, detail: new RegExp(limit), errors: [{ in: 'query', name: 'q' }] });
      }
    }
  });
  // Reported, not asserted: a wall-clock bound fails on a loaded machine (6.6 s seen at load 19). What kept the old
  // prefix storm from taking seconds is asserted without a clock in 'terms kept' above (repeats are one term).
  t.comment(`longest event-loop stall ${Math.round(stall)} ms`);
});

t.test('the limits are configuration', async (t) => {
  const server = await app(t, { fullTextMaxTerms: 2, fullTextMinPrefix: 1 });
  t.equal((await server.inject(withQ('/v1/recommendations', 'r*'))).statusCode, 200);
  const three = await server.inject(withQ('/v1/recommendations', 'human rights torture'));
  t.equal(three.statusCode, 400);
  t.match(three.json().detail, /at most 2/);
});

t.test('a control character in q is a 400 on every route that takes q', async (t) => {
  const server = await app(t);
  for (const route of ROUTES) {
    for (const q of ['rights\u0000', '\u0000', 'a\u0001b', 'x\u007f', 'y\u009b']) {
      const response = await server.inject(withQ(route, q));
      t.equal(response.statusCode, 400, `${route} ${JSON.stringify(q)}`);
      // (A NUL is refused before q's own check, as in every parameter: src/http/nul-guard.ts.)
      t.match(response.json(), { errors: [{ name: 'q', message: q.includes('\u0000') ? /NUL character/ : /control characters/ }] });
    }
    t.equal((await server.inject(withQ(route, 'human\trights\r\n'))).statusCode, 200, 'tabs and line breaks are spaces');
  }
  // A NUL in any other parameter is refused too, before the route reads it (test/nul-characters.test.ts).
  for (const url of ['/v1/recommendations?reviewId=a%00b', '/v1/statements?speaker=a%00b']) {
    const { response, body } = await getJson(server, url);
    t.equal(response.statusCode, 400, url);
    t.match(body, { errors: [{ in: 'query', message: /NUL character/ }] }, url);
  }
});

async function walk(server: FastifyInstance, url: string): Promise<string[]> {
  const ids: string[] = [];
  let next: string | null = url;
  while (next !== null) {
    const { body }: { body: any } = await getJson(server, next);
    ids.push(...body.data.map((r: { id: string }) => r.id));
    next = body.meta.nextCursor === null ? null : `${url}&cursor=${body.meta.nextCursor}`;
  }
  return ids;
}

t.test('a full-text count stops at FULL_TEXT_MAX_COUNT; the pages still reach every match', async (t) => {
  const server = await app(t, { fullTextMaxCount: 50 });
  const exact = server.db.$client
    .prepare(`select count(*) from recommendations_fts where recommendations_fts match 'rights'`)
    .pluck()
    .get() as number;
  t.ok(exact > 50, `${exact} matches`);
  const { body } = await getJson(server, '/v1/recommendations?q=rights&limit=1');
  t.same(body.meta, { total: 50, totalCapped: true, limit: 1, nextCursor: body.meta.nextCursor });
  const filtered = await getJson(server, '/v1/recommendations?q=rights&cycle=1,2,3,4&limit=1');
  t.equal(filtered.body.meta.totalCapped, true, 'with other filters too');
  const few = await getJson(server, '/v1/recommendations?q=Askarov');
  t.same([few.body.meta.total, few.body.meta.totalCapped], [1, undefined], 'below the cap, the exact count');
  const all = (await getJson(server, '/v1/recommendations?limit=1')).body.meta;
  t.same([all.total > 50, all.totalCapped], [true, undefined], 'no q, no cap');

  const ids = await walk(server, '/v1/recommendations?q=rights&limit=500');
  t.equal(new Set(ids).size, exact, 'every match, once');
  const stats = await getJson(server, '/v1/stats/recommendations?groupBy=position&q=rights');
  t.equal(stats.body.meta.total, exact, 'stats count every match (they group them all anyway)');

  const developments = await getJson(server, '/v1/developments?q=the&limit=1');
  const devExact = server.db.$client
    .prepare(`select count(*) from developments_fts where developments_fts match 'the'`)
    .pluck()
    .get() as number;
  t.ok(devExact > 50);
  t.match(developments.body.meta, { total: 50, totalCapped: true });
});

t.test("a filter's longest value lists read each recommendation's links once, not once per value", async (t) => {
  const server = await app(t);
  const client = server.db.$client;
  const values = (query: string) => (client.prepare(`${query} limit 100`).pluck().all() as (string | number)[]).map(String);
  const lists = {
    recommendingState: values('select code from states order by code'),
    theme: values('select id from themes order by id'),
    sdg: values('select goal from sdg_goals order by goal'),
    affectedPersons: values('select id from affected_persons_groups order by id'),
    source: values('select id from sources order by id'),
  };
  const columns = /\b(state_code|theme_id|goal|group_id|source_id)=\?/;
  for (const [name, list] of Object.entries(lists)) {
    t.ok(list.length > 10, `${name}: ${list.length} values`);
    const filter = { [name]: name === 'sdg' ? list.map(Number) : list };
    const { sql: text, params } = sqlToQuery(sql`select count(*) from ${fromClause(filter)} ${whereClause(filterConditions(filter))}`);
    const plan = (client.prepare(`explain query plan ${text}`).all(...params) as { detail: string }[]).map((row) => row.detail);
    // Before: SEARCH l USING COVERING INDEX recommendation_states_state_idx (state_code=? AND recommendation_id=?),
    // one probe per listed value for every recommendation (100 states: 2.3 s to count 100,000).
    t.notOk(plan.some((detail) => columns.test(detail)), `${name}: no probe per listed value: ${plan.join('; ')}`);
    t.ok(plan.some((detail) => /^SEARCH l .*\(recommendation_id=\?\)/.test(detail)), `${name}: the links read by recommendation`);
    const { body } = await getJson(server, `/v1/recommendations?${name}=${list.map(encodeURIComponent).join(',')}&limit=1`);
    t.equal(body.meta.total, client.prepare(text).pluck().get(...params), `${name}: the same count`);
  }
});

t.test("a development filter's longest value lists read each development's links once, not once per value", async (t) => {
  const server = await app(t);
  const client = server.db.$client;
  const values = (query: string) => client.prepare(`${query} limit 100`).pluck().all() as string[];
  const lists: Record<string, string[]> = {
    recommendationId: values('select distinct recommendation_id from development_recommendations order by 1'),
    theme: values('select id from themes order by id'),
    source: values('select id from sources order by id'),
  };
  for (const [name, list] of Object.entries(lists)) {
    const filter = { [name]: list };
    const { sql: text, params } = sqlToQuery(sql`select count(*) from developments d ${whereClause(developmentConditions(filter))}`);
    const plan = (client.prepare(`explain query plan ${text}`).all(...params) as { detail: string }[]).map((row) => row.detail);
    t.notOk(plan.some((detail) => /\b(recommendation_id|theme_id|source_id)=\?/.test(detail)), `${name} (${list.length}): no probe per listed value: ${plan.join('; ')}`);
    const { body } = await getJson(server, `/v1/developments?${name}=${list.map(encodeURIComponent).join(',')}&limit=1`);
    t.equal(body.meta.total, client.prepare(text).pluck().get(...params), `${name}: the same count`);
  }
});

t.test("a count reads the links of a filter's value by its index, not every recommendation", async (t) => {
  const server = await app(t);
  const texts: string[] = [];
  const client = new Database(path, { readonly: true, verbose: (text) => void texts.push(String(text)) });
  t.teardown(() => client.close());
  const db = drizzle(client) as unknown as Db;
  const one = (query: string) => client.prepare(`${query} limit 1`).pluck().get() as string;
  const filters: RecommendationFilter[] = [
    { recommendingState: ['FIN'] },
    { theme: [one('select theme_id from recommendation_themes')] },
    { theme: [one('select theme_id from recommendation_themes')], labelSource: ['curated'] },
    { sdg: [Number(one('select goal from recommendation_sdgs'))] },
    { affectedPersons: [one('select group_id from recommendation_affected_persons')] },
    { source: [one('select id from sources order by id')] },
  ];
  for (const filter of filters) {
    const label = JSON.stringify(filter);
    texts.length = 0;
    const total = countMatching(db, filter);
    t.equal(texts.length, 1, `${label}: one statement`);
    // (verbose gives the statement with its values written in.)
    const plan = (client.prepare(`explain query plan ${texts[0]}`).all() as { detail: string }[]).map((row) => row.detail);
    // Before: SCAN r …; SEARCH l … (recommendation_id=? AND state_code=?): every recommendation read to count a few.
    t.notOk(plan.some((detail) => /^SCAN r\b/.test(detail)), `${label}: no scan of the recommendations: ${plan.join('; ')}`);
    const { body } = await getJson(server, `/v1/stats/recommendations?groupBy=position&${new URLSearchParams(filter as Record<string, string>)}`);
    t.equal(body.meta.total, total, `${label}: ${total}, as stats count them`);
    t.equal(countRecommendations(db, filter).total, total, `${label}: as a state's or review's counts do`);
  }
});

t.test("a page of reviews reads its reviews' sources, not every source under every review", async (t) => {
  const server = await app(t);
  const client = server.db.$client;
  const rows = client.prepare('select id from reviews order by id limit 500').all() as ReviewRow[];
  t.ok(rows.length >= 500 && (client.prepare('select count(*) from sources').pluck().get() as number) > 500, 'many reviews and sources');
  const { sql: text, params } = sqlToQuery(reviewSourcesQuery(rows));
  const plan = (client.prepare(`explain query plan ${text}`).all(...params) as { detail: string }[]).map((row) => row.detail);
  // Before: SCAN s USING COVERING INDEX sqlite_autoindex_sources_1; SEARCH rs … (review_id=? AND source_id=?).
  t.notOk(plan.some((detail) => /^SCAN s\b/.test(detail)), `no scan of the sources: ${plan.join('; ')}`);
  const { body } = await getJson(server, '/v1/reviews?limit=500');
  const sourceIds = (review: { sources: { id: string }[] }) => review.sources.map((source) => source.id);
  t.ok(body.data.every((review: { sources: { id: string }[] }) => sourceIds(review).join() === [...sourceIds(review)].sort().join()), "each review's sources by id");
  t.equal(body.data.flatMap(sourceIds).length, client.prepare(`select count(*) from review_sources where review_id <= ?`).pluck().get(rows.at(-1)!.id));
});

t.test('a full-text export runs its match once, not once per chunk, in the order of its pages', async (t) => {
  const server = await app(t);
  let matches = 0;
  const client = new Database(path, { readonly: true, verbose: (text) => void (/recommendations_fts match/.test(String(text)) && matches++) });
  t.teardown(() => client.close());
  const db = drizzle(client) as unknown as Db;
  const cases: [RecommendationFilter, RecommendationSort | undefined][] = [
    [{ q: 'rights' }, undefined],
    [{ q: 'rights', cycle: [1, 2, 3, 4] }, 'relevance'],
    [{ q: 'rights' }, 'id'],
    [{ q: 'rights' }, '-updatedAt'],
    [{ q: 'the' }, 'paragraph'],
  ];
  for (const [filter, requested] of cases) {
    const sort = resolveSort(requested, filter);
    matches = 0;
    const lines: string[] = [];
    for (const chunk of documentChunks(db, filter, sort, undefined, 'ndjson', 50)) lines.push(...chunk.bytes.toString().trimEnd().split('\n'));
    const label = `${JSON.stringify(filter)} sort=${sort.name}`;
    // Before: 2 matches per chunk of 50 (each chunk ran the match again and sorted all its matches).
    t.equal(matches, 1, `${label}: one match for ${lines.length} rows`);
    t.ok(lines.length > 500, `${label}: ${lines.length} rows, many chunks`);
    const query = new URLSearchParams({ q: filter.q!, ...(filter.cycle ? { cycle: filter.cycle.join(',') } : {}), ...(requested ? { sort: requested } : {}) });
    const ids = await walk(server, `/v1/recommendations?${query}&limit=500`);
    t.same(lines.map((line) => JSON.parse(line).id), ids, `${label}: the pages' order`);
  }
  t.same(client.prepare("select name from temp.sqlite_master").pluck().all(), [], 'no temporary table left');
  // Resumed from a page's cursor: the rest of the walk.
  const ids = await walk(server, '/v1/recommendations?q=rights&sort=id&limit=500');
  const first = (await getJson(server, '/v1/recommendations?q=rights&sort=id&limit=100')).body;
  const rest = await server.inject(`/v1/recommendations?q=rights&sort=id&format=ndjson&cursor=${first.meta.nextCursor}`);
  t.same(rest.body.trimEnd().split('\n').map((line) => JSON.parse(line).id), ids.slice(100), 'an export from a cursor');
  const csv = await server.inject('/v1/recommendations?q=rights&sort=id&format=csv');
  t.equal(csv.body.match(/^[A-Z]{3}-\d-[A-Z]{3}-\d+,http/gm)?.length, ids.length, 'as CSV, every match');
});

t.test('relevance pages: the top matches taken inside FTS5 equal the ranked order of every match', async (t) => {
  const server = await app(t);
  const ranked = server.db.$client
    .prepare(`select r.id from recommendations_fts f join recommendations r on r.fts_rowid = f.rowid
      where recommendations_fts match 'torture' order by f.rank, f.rowid`)
    .pluck()
    .all() as string[];
  t.ok(ranked.length > 100);
  t.same(await walk(server, '/v1/recommendations?q=torture&limit=37'), ranked, 'q alone: the fast path');
  // The same matches through the general path (another filter that keeps every row).
  t.same(await walk(server, '/v1/recommendations?q=torture&cycle=1,2,3,4&limit=37'), ranked, 'with a filter');
});

t.test('the index follows inserts, updates and deletes, and survives VACUUM', async (t) => {
  const server = await app(t);
  const sqlite = server.db.$client;
  const search = (q: string) => sqlite.prepare(
    `select r.id from recommendations_fts f join recommendations r on r.fts_rowid = f.rowid where recommendations_fts match ?`,
  ).pluck().all(q);
  const check = () => sqlite.prepare("insert into recommendations_fts (recommendations_fts, rank) values ('integrity-check', 1)").run();
  const [first, second] = sqlite.prepare('select id from recommendations order by rowid limit 2').pluck().all() as string[];
  sqlite.prepare('delete from recommendations where id = ?').run(first);
  sqlite.exec('vacuum');
  sqlite.prepare("update recommendations set text = 'zanzibarian quokka' where id = ?").run(second);
  t.same(search('zanzibarian'), [second]);
  const maxBefore = sqlite.prepare('select max(fts_rowid) from recommendations').pluck().get() as number;
  sqlite
    .prepare(`insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at, version)
      select 'NEW-1', review_id, paragraph_sort_key, 'quokka sighting', 1, created_at, updated_at, 1 from recommendations where id = ?`)
    .run(second);
  t.equal(sqlite.prepare("select fts_rowid from recommendations where id = 'NEW-1'").pluck().get(), maxBefore + 1);
  t.same(search('quokka').sort(), ['NEW-1', second].sort());
  t.doesNotThrow(check, 'the index matches the table');
});
