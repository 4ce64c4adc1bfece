import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { COUNT_CACHE_ENTRIES, cachedCount } from '../src/db/count-cache.js';
import { csvRows } from '../src/http/formats.js';
import { recommendationCsvColumns } from '../src/recommendations/csv.js';
import {
  documentOf,
  freshenDocuments,
  materialize,
  materializeStale,
  STORED_DOCUMENTS,
  urlCellAround,
} from '../src/recommendations/documents.js';
import { recommendationSchema } from '../src/recommendations/schemas.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, sqliteOnly, testBackend } from './helpers.js';
import { freshRecords, pgRematerialize } from './support/pgconv-e-documents.js';
import { testSql } from './support/test-sql.js';

// The read model (src/recommendations/documents.ts) is a copy of what the base tables say; this file proves
// the copy is exact after any sequence of writes: every stored document and CSV row (recommendation_documents,
// recommendation_csv_lines) equals, byte for byte, a fresh build from the base tables, and nothing is left stale.

interface StoredRow {
  recommendation_id: string;
  json: string;
  csv_head: string;
  csv_path: string;
  csv_tail: string;
}

/** Each stored document with its stored CSV row (from recommendation_csv_lines; null parts when it has none). */
function storedDocuments(app: FastifyInstance): Promise<StoredRow[]> {
  return testSql(app).all<StoredRow>(`select d.recommendation_id, d.json, c.csv_head, c.csv_path, c.csv_tail
      from recommendation_documents d left join recommendation_csv_lines c using (recommendation_id)
      order by d.recommendation_id`);
}

async function ids(app: FastifyInstance, query: string): Promise<string[]> {
  return (await testSql(app).all(query)).map((row) => Object.values(row)[0] as string);
}

/** Every stored document against a fresh build: same ids, same bytes; no stale id left. */
async function checkReadModel(t: Test, app: FastifyInstance, label: string): Promise<void> {
  const stored = await storedDocuments(app);
  const all = await ids(app, 'select id from recommendations order by id');
  const fresh = new Map((await freshRecords(app, all)).map((r) => [r.id, documentOf(r)]));
  t.same(
    stored.map((d) => d.recommendation_id),
    all,
    `${label}: one document per recommendation`,
  );
  t.same(await ids(app, 'select recommendation_id from recommendation_csv_lines order by 1'), all, `${label}: one CSV row per recommendation`);
  const wrong = stored.filter((d) => {
    const f = fresh.get(d.recommendation_id)!;
    return d.json !== f.json || d.csv_head !== f.csvHead || d.csv_path !== f.csvPath || d.csv_tail !== f.csvTail;
  });
  t.same(
    wrong.map((d) => d.recommendation_id),
    [],
    `${label}: every document equals a fresh build`,
  );
  t.equal((await ids(app, 'select recommendation_id from recommendation_documents_stale')).length, 0, `${label}: nothing stale`);
}

const THEMES = ['human-rights-defenders', 'arbitrary-arrest-and-detention', 'women', 'children', 'torture-and-other-cid'];
const STATES = ['FIN', 'ESP', 'FRA', 'DEU', 'KGZ', 'BRA'];
const SOURCES = [
  { title: 'Report A', publisher: 'NGO A', url: 'https://example.org/a', publishedOn: '2020-01-02' },
  { title: 'Report A, revised', publisher: 'NGO A', url: 'https://example.org/a', publishedOn: null },
  { title: 'Report B "quoted", with comma', publisher: '=NGO B', url: 'https://example.org/b', publishedOn: null },
];

const pickFrom = <T>(items: readonly T[]) => fc.integer({ min: 0, max: 999 }).map((i) => items[i % items.length]!);
const subset = <T>(items: readonly T[], min = 0) =>
  fc.uniqueArray(fc.constantFrom(...items), { minLength: min, maxLength: 3 });
const someText = fc.constantFrom('Ensure fair trials.', '=cmd|calc', 'Line one\r\nline "two", three', 'Égalité — ½ ✓ 𝄞');

const recommendationBody = fc.record({
  reviewId: fc.constantFrom('KGZ-3', 'KGZ-2'),
  text: someText,
  verbatim: fc.boolean(),
  recommendingStates: subset(STATES, 1),
  position: fc.constantFrom(null, 'supported', 'noted'),
  themes: subset(THEMES),
  sdgs: fc.uniqueArray(fc.integer({ min: 1, max: 17 }).map(String), { maxLength: 3 }),
  affectedPersons: fc.constantFrom([], ['women'], ['children', 'women']),
  sources: fc.oneof(fc.constant([]), pickFrom(SOURCES).map((s) => [s])),
});

/** One write, as the API receives it; `n` picks an existing record. */
type Command = { kind: string; n: number; body?: unknown };
const routeWrites = [
  fc.record({ kind: fc.constant('create recommendation'), n: fc.nat(), body: recommendationBody }),
  fc.record({
    kind: fc.constant('patch recommendation'),
    n: fc.nat(),
    body: recommendationBody.chain((b) => fc.subarray(Object.entries(b), { minLength: 1 }).map(Object.fromEntries)),
  }),
  fc.record({ kind: fc.constant('delete recommendation'), n: fc.nat() }),
  fc.record({
    kind: fc.constant('create assessment'),
    n: fc.nat(),
    body: fc.record({
      status: fc.constantFrom('not_implemented', 'partially_implemented', 'implemented'),
      assessedOn: fc.constantFrom('2020-01-01', '2021-06-30', '2022-02-02'),
      sources: pickFrom(SOURCES).map((s) => [s]),
    }),
  }),
  fc.record({ kind: fc.constant('patch assessment'), n: fc.nat(), body: fc.constantFrom({ status: 'implemented' }, { assessedOn: '2019-01-01' }) }),
  fc.record({ kind: fc.constant('delete assessment'), n: fc.nat() }),
  fc.record({ kind: fc.constant('create development'), n: fc.nat(), body: fc.nat() }),
  fc.record({ kind: fc.constant('link development'), n: fc.nat(), body: fc.boolean() }),
  fc.record({ kind: fc.constant('delete development'), n: fc.nat() }),
  fc.record({ kind: fc.constant('rename state'), n: fc.nat(), body: fc.constantFrom('Renamed, "state"', '+Plus land', 'Ünïcode') }),
  fc.record({ kind: fc.constant('patch review'), n: fc.nat(), body: fc.integer({ min: 1, max: 50 }) }),
];
// Writes no route makes, to SQLite's base tables, which its triggers mark stale: on PostgreSQL only the write
// transactions and the import change base tables, each rebuilding the documents it changes, and no trigger
// catches another program's write (src/db/pg/backend.ts checkDocuments), so these run on SQLite only.
const otherProgramWrites = [
  fc.record({ kind: fc.constant('relabel theme'), n: fc.nat(), body: fc.constantFrom('Relabelled; with "quotes"', '-minus') }),
  fc.record({ kind: fc.constant('cite source'), n: fc.nat(), body: fc.nat() }),
  fc.record({ kind: fc.constant('reread source'), n: fc.nat(), body: fc.constantFrom('consider', 'Accepted; "noted"', null) }),
  fc.record({ kind: fc.constant('retitle sdg'), n: fc.nat(), body: fc.constantFrom('Retitled, "goal"', '=formula') }),
];
const command: fc.Arbitrary<Command> = fc.oneof(...routeWrites, ...(testBackend() === 'sqlite' ? otherProgramWrites : []));

async function apply(app: FastifyInstance, keys: { write: string; admin: string }, c: Command): Promise<number> {
  const nth = async (query: string) => {
    const all = await ids(app, query);
    return all.length === 0 ? undefined : all[c.n % all.length];
  };
  const ifMatch = { 'if-match': '*' };
  const write = (method: string, url: string, body?: unknown, key = keys.write) =>
    send(app, method, url, { key, body, headers: method === 'POST' || method === 'PUT' ? {} : ifMatch });
  const recommendation = await nth('select id from recommendations order by id');
  switch (c.kind) {
    case 'create recommendation':
      return (await write('POST', '/v1/recommendations', c.body)).response.statusCode;
    case 'patch recommendation':
      return (await write('PATCH', `/v1/recommendations/${recommendation}`, c.body)).response.statusCode;
    case 'delete recommendation':
      return (await write('DELETE', `/v1/recommendations/${recommendation}`)).response.statusCode;
    case 'create assessment':
      return (
        await write('POST', '/v1/assessments', {
          recommendationId: recommendation,
          rationale: 'As reported.',
          ...(c.body as object),
        })
      ).response.statusCode;
    case 'patch assessment':
      return (await write('PATCH', `/v1/assessments/${(await nth('select id from assessments order by id'))}`, c.body)).response
        .statusCode;
    case 'delete assessment':
      return (await write('DELETE', `/v1/assessments/${(await nth('select id from assessments order by id'))}`)).response
        .statusCode;
    case 'create development':
      return (
        await write('POST', '/v1/developments', {
          stateUnderReview: 'KGZ',
          title: 'A development',
          summary: 'What happened.',
          date: '2021-03',
          datePrecision: 'month',
          direction: 'progress',
          recommendationIds: [recommendation, await nth(`select id from recommendations order by id desc`)].filter(
            (id, i, all) => id !== undefined && all.indexOf(id) === i,
          ),
          sources: [SOURCES[(c.body as number) % SOURCES.length]],
        })
      ).response.statusCode;
    case 'link development': {
      const development = (await nth('select id from developments order by id'));
      return (await write(c.body ? 'PUT' : 'DELETE', `/v1/developments/${development}/recommendations/${recommendation}`))
        .response.statusCode;
    }
    case 'delete development':
      return (await write('DELETE', `/v1/developments/${(await nth('select id from developments order by id'))}`)).response
        .statusCode;
    case 'rename state':
      return (await write('PATCH', `/v1/states/${STATES[c.n % STATES.length]}`, { name: c.body }, keys.admin)).response
        .statusCode;
    case 'patch review':
      return (await write('PATCH', `/v1/reviews/KGZ-${2 + (c.n % 2)}`, { session: c.body }, keys.admin)).response
        .statusCode;
    default: {
      // No route changes a theme's label or an SDG's title, or cites another source for a recommendation or
      // changes what it printed (an import does): another program's write, which the next read makes good.
      const client = app.db.$client;
      if (c.kind === 'relabel theme') {
        client.prepare('update themes set label = ? where id = ?').run(`${c.body as string} ${c.n}`, THEMES[c.n % THEMES.length]);
      } else if (c.kind === 'retitle sdg') {
        client.prepare('update sdg_goals set name = ? where goal = ?').run(`${c.body as string} ${c.n}`, 1 + (c.n % 17));
      } else if (c.kind === 'reread source') {
        // What a source printed, as a re-import of its file changes it (shown in the document's sources[].reading).
        client
          .prepare(`update recommendation_sources set position_label = ? where rowid = (select rowid from recommendation_sources
            order by rowid limit 1 offset ? % max(1, (select count(*) from recommendation_sources)))`)
          .run(c.body as string | null, c.n);
      } else if (recommendation !== undefined) {
        const sources = await ids(app, 'select id from sources order by id');
        client
          .prepare(`insert or ignore into recommendation_sources (recommendation_id, source_id, match_key) values (?, ?, 'x')`)
          .run(recommendation, sources[(c.body as number) % sources.length]);
      }
      freshenDocuments(app.db);
      return 200;
    }
  }
}

t.test('after random writes through the API, every stored document equals a fresh build', async (t) => {
  const app = await buildTestApp(t);
  const keys = { write: mintKey(app, 'write'), admin: mintKey(app, 'admin', 'admin') };
  await checkReadModel(t, app, 'seeded');
  let run = 0;
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
      for (const c of commands) statuses.add(await apply(app, keys, c));
      const problems = t.counts.fail;
      await checkReadModel(t, app, `run ${++run}`);
      return t.counts.fail === problems;
    }),
    { numRuns: 12, seed: 9 },
  );
  t.notOk([...statuses].some((s) => s >= 500), `no 5xx (${[...statuses].sort().join(', ')})`);
  t.ok(statuses.has(201) && statuses.has(204), 'creates and deletes happened');
});

// One app for the tests that leave its stored documents as they found them (the last adds a record): each app is
// a database more to make, twice over in `npm test`.
let sharedApp: Promise<FastifyInstance> | undefined;
const shared = () => (sharedApp ??= buildTestApp(t));

t.test('the served bytes: lists and exports are the stored documents, as the schema encodes them', async (t) => {
  const app = await shared();
  const records = await freshRecords(app, await ids(app, 'select id from recommendations'));
  t.ok(records.length > 0);
  for (const record of records) {
    const document = documentOf(record);
    t.equal(document.json, JSON.stringify(recommendationSchema.encode(record)), `${record.id}: JSON as zod encodes it`);
    for (const origin of ['http://localhost:80', 'http://a,b"c', '']) {
      const [before, after] = urlCellAround(origin);
      t.equal(
        document.csvHead + before + document.csvPath + after + document.csvTail,
        csvRows(recommendationCsvColumns, [record], { origin }),
        `${record.id}: the CSV row for origin ${JSON.stringify(origin)}`,
      );
    }
  }
  const list = await app.inject({ url: '/v1/recommendations?limit=500&sort=id' });
  const stored = await storedDocuments(app);
  t.equal(
    list.body,
    `{"data":[${stored.map((d) => d.json).join(',')}],"meta":{"total":${stored.length},"limit":500,"nextCursor":null}}`,
    'the JSON list concatenates the stored documents',
  );
});

t.test('materialize skips ids that no longer exist; materializeStale drains in batches', async (t) => {
  const app = await shared();
  const before = await storedDocuments(app);
  if (testBackend() === 'postgres') {
    // No stale table is drained there (each write rebuilds what it changed): pgMaterialize, given ids.
    await pgRematerialize(app, ['no-such-recommendation']);
    t.same(await storedDocuments(app), before, 'an id that no longer exists is skipped');
    await pgRematerialize(app, await ids(app, 'select id from recommendations'));
    t.same(await storedDocuments(app), before, 'rebuilt to the same bytes');
    return;
  }
  app.db.transaction(() => materialize(app.db, ['no-such-recommendation']));
  t.same(await storedDocuments(app), before);
  const client = app.db.$client;
  client.exec('insert into recommendation_documents_stale select id from recommendations');
  client.exec(`with recursive n(i) as (select 1 union all select i + 1 from n where i < 1200)
    insert into recommendation_documents_stale select 'gone-' || i from n`);
  const drained = app.db.transaction(() => materializeStale(app.db));
  t.equal(drained, before.length + 1200, 'every stale id, over several batches');
  t.same(await storedDocuments(app), before, 'rebuilt to the same bytes');
});

t.test('materialize writes only the documents and CSV rows that come out different from the stored ones', async (t) => {
  if (sqliteOnly(t, "SQLite's materialize compares before it writes (rowids show what was rewritten); PostgreSQL's pgMaterialize upserts what a write changed")) return;
  const app = await buildTestApp(t);
  const client = app.db.$client;
  const before = await storedDocuments(app);
  const [first, second] = before;
  // (insert or replace gives a rewritten row a new rowid: an unchanged rowid is a row not written again.)
  const rowids = (table: string) =>
    client.prepare(`select recommendation_id, rowid from ${table} order by 1`).all() as { recommendation_id: string; rowid: number }[];
  const documentRowids = rowids('recommendation_documents');
  const csvRowids = rowids('recommendation_csv_lines');
  client.prepare('update recommendation_documents set json = ? where recommendation_id = ?').run('{}', first!.recommendation_id);
  client.prepare("update recommendation_csv_lines set csv_tail = 'x' where recommendation_id = ?").run(second!.recommendation_id);
  client.exec('insert into recommendation_documents_stale select id from recommendations');
  app.db.transaction(() => materializeStale(app.db));
  t.same(await storedDocuments(app), before, 'the altered JSON and CSV row are rebuilt');
  const rewritten = (was: typeof documentRowids, now: typeof documentRowids) =>
    now.filter((row, i) => row.rowid !== was[i]!.rowid).map((row) => row.recommendation_id);
  t.same(rewritten(documentRowids, rowids('recommendation_documents')), [first!.recommendation_id], 'only the altered document is written');
  t.same(rewritten(csvRowids, rowids('recommendation_csv_lines')), [second!.recommendation_id], 'only the altered CSV row is written');
});

t.test('materialize reads the stored documents by id, whatever the statistics say of the tables', async (t) => {
  if (sqliteOnly(t, "SQLite's planner follows sqlite_stat1; PostgreSQL's pgMaterialize does not read stored documents")) return;
  const app = await buildTestApp(t);
  const client = app.db.$client;
  // Statistics of an empty read model (as at the start of a bulk load that fills it in one transaction): with
  // `where id in (select … json_each(?))` the planner chose to scan the whole table for every batch.
  client.exec(`delete from sqlite_stat1 where tbl in ('recommendation_documents', 'recommendation_csv_lines');
    insert into sqlite_stat1 (tbl, idx, stat) values
      ('recommendation_documents', 'sqlite_autoindex_recommendation_documents_1', '1 1'),
      ('recommendation_csv_lines', 'sqlite_autoindex_recommendation_csv_lines_1', '1 1');
    analyze sqlite_schema`);
  const plan = (client.prepare(`explain query plan ${STORED_DOCUMENTS}`).all('[]') as { detail: string }[]).map((row) => row.detail);
  t.notOk(plan.some((detail) => /^SCAN (d|c|recommendation_)/.test(detail)), `no scan of a stored table: ${plan.join('; ')}`);
  t.ok(plan.some((detail) => detail.startsWith('SEARCH d USING INDEX')), 'each document found by its id');
  const stored = await storedDocuments(app);
  const rows = client.prepare(STORED_DOCUMENTS).all(JSON.stringify(stored.map((d) => d.recommendation_id))) as StoredRow[];
  t.same(rows.sort((a, b) => (a.recommendation_id < b.recommendation_id ? -1 : 1)), stored, 'the stored rows, one per id');
});

t.test('meta.total: counted once per revision and filter, in a bounded LRU', async (t) => {
  if (sqliteOnly(t, "cachedCount is SQLite's list count cache (recommendations/queries.ts); the API's count after a write is checked on both below")) return;
  const app = await buildTestApp(t);
  let counted = 0;
  const count = () => ++counted;
  const a = cachedCount(app.db, 'recommendations', { cycle: [3, 2, 3], q: undefined, hasDevelopments: true }, count);
  t.equal(cachedCount(app.db, 'recommendations', { hasDevelopments: true, cycle: [2, 3] }, count), a, 'same filter, normalised');
  t.equal(counted, 1);
  for (let i = 0; i < COUNT_CACHE_ENTRIES; i++) cachedCount(app.db, 'recommendations', { session: [i] }, count);
  t.equal(counted, 1 + COUNT_CACHE_ENTRIES);
  cachedCount(app.db, 'recommendations', { cycle: [2, 3], hasDevelopments: true }, count);
  t.equal(counted, 2 + COUNT_CACHE_ENTRIES, 'the least recently used count was dropped');
});

t.test('meta.total: a write is counted afresh', async (t) => {
  const app = await shared();
  const key = mintKey(app);
  const first = await app.inject({ url: '/v1/recommendations?limit=2' });
  const body = { reviewId: 'KGZ-3', text: 'Ratify the Optional Protocol.', verbatim: false, recommendingStates: ['FIN'] };
  t.equal((await send(app, 'POST', '/v1/recommendations', { key, body })).response.statusCode, 201);
  const after = await app.inject({ url: '/v1/recommendations?limit=2' });
  t.equal(after.json().meta.total, first.json().meta.total + 1, 'a write: counted afresh');
});

t.test('a list of stored documents is still checked against its schema in tests: a drifted document fails', async (t) => {
  const app = await buildTestApp(t);
  const url = '/v1/recommendations?sort=id&limit=3';
  t.equal((await app.inject({ url })).statusCode, 200);
  // (the JSON's closing brace replaced by a field more: text both SQLite and PostgreSQL edit alike)
  await testSql(app).run(`update recommendation_documents set json = substr(json, 1, length(json) - 1) || ',"secret":1}'
    where recommendation_id = (select min(recommendation_id) from recommendation_documents)`);
  const drifted = await app.inject({ url, headers: { 'cache-control': 'no-cache' } });
  t.equal(drifted.statusCode, 500, 'the checking serializer refuses a field the schema lacks');
});
