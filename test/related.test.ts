import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import t, { type Test } from 'tap';
import { documentOf } from '../src/recommendations/documents.js';
import { pgBuildRecommendationRecords } from '../src/recommendations/pg-documents.js';
import { buildRecommendationRecords } from '../src/recommendations/queries.js';
import { RECURRING } from '../src/related/recurrence.js';
import { relateAll } from '../src/related/refresh.js';
import { RECURRENCE_THRESHOLD, RELATED_FLOOR } from '../src/related/settings.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, postgresSide, sqliteOnly } from './helpers.js';
import { createRecommendation, recomputedRelations, type RelationRow, storedRelations } from './support/relations.js';
import { testSql } from './support/test-sql.js';

// Related recommendations and recurrence on a real database: kept current by every write (create, text
// change, delete, import), served by GET /v1/recommendations/{id}/related, shown in every record, filtered
// and counted.

const create = createRecommendation;

async function setup(t: Test) {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin', 'admin');
  const key = mintKey(app);
  for (const [state, cycle] of [['KGZ', 1], ['KGZ', 2], ['FIN', 1]] as const) {
    const { response } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: state, cycle } });
    t.equal(response.statusCode, 201);
  }
  const ids = {
    a1: await create(app, key, 'KGZ-1', 'Ratify the Optional Protocol to the Convention against Torture', 'FIN'),
    b1: await create(app, key, 'KGZ-1', 'Combat domestic violence against women and girls', 'ESP'),
    a2: await create(app, key, 'KGZ-2', 'Accede to OP-CAT', 'DEU'),
    c2: await create(app, key, 'KGZ-2', 'Guarantee the freedom of the media and protect journalists', 'USA'),
    d2: await create(app, key, 'KGZ-2', 'Criminalise domestic violence', 'SWE'),
    other: await create(app, admin, 'FIN-1', 'Ratify OP-CAT', 'DEU'),
  };
  return { app, admin, key, ids };
}

const related = (app: FastifyInstance, id: string, query = '') => getJson(app, `/v1/recommendations/${id}/related${query}`);
const record = async (app: FastifyInstance, id: string) => (await getJson(app, `/v1/recommendations/${id}`)).body;

/** Every stored document equals a fresh build from the backend's base tables (the read model is current), nothing stale. */
async function checkDocuments(t: Test, app: FastifyInstance): Promise<void> {
  const sql = testSql(app);
  const stored = await sql.all<{ recommendation_id: string; json: string }>('select recommendation_id, json from recommendation_documents');
  const ids = stored.map((d) => d.recommendation_id);
  const side = postgresSide(app);
  const records = side === undefined ? buildRecommendationRecords(app.db, ids) : await pgBuildRecommendationRecords(side.pool, ids);
  const fresh = new Map(records.map((r) => [r.id, documentOf(r).json]));
  t.same(
    stored.filter((d) => fresh.get(d.recommendation_id) !== d.json).map((d) => d.recommendation_id),
    [],
    'every stored document is current',
  );
  t.equal(await sql.count('recommendation_relations_stale'), 0, 'no relation left stale');
}

t.test('a reworded request of an earlier cycle is found, scored, and counted as recurrence', async (t) => {
  const { app, ids } = await setup(t);
  const { response, body } = await related(app, ids.a2);
  t.equal(response.statusCode, 200);
  t.equal(body.data[0].id, ids.a1, 'OP-CAT in other words, found first');
  t.match(body.data[0], { reviewId: 'KGZ-1', cycle: 1, relation: 'earlier', position: null, recommendingStates: [{ id: 'FIN' }] });
  t.ok(body.data[0].score >= RECURRENCE_THRESHOLD && body.data[0].score <= 1, `score ${body.data[0].score}`);
  t.notOk(body.data.some((r: { id: string }) => r.id === ids.other), 'never another state under review');
  t.ok(body.data.every((r: { score: number }, i: number) => i === 0 || body.data[i - 1].score >= r.score), 'most similar first');
  t.same(body.meta, { limit: 10, floor: RELATED_FLOOR, recurrenceThreshold: RECURRENCE_THRESHOLD });
  t.equal((await related(app, ids.a1)).body.data[0].relation, 'later');
  t.equal((await related(app, ids.d2, '?relation=earlier')).body.data[0].id, ids.b1, 'domestic violence, asked before');
  const notEarlier = (await related(app, ids.a2, '?relation=later,same')).body.data as { id: string; relation: string }[];
  t.ok(notEarlier.every((r) => r.relation !== 'earlier' && r.id !== ids.a1), 'the relation filter: OP-CAT of cycle 1 left out');
  // (Accede to OP-CAT met the seed's "Ratify the 2014 Protocol to the ILO Forced Labour Convention" on "ratify" alone
  // until session 40 made a treaty to ratify weigh more than the verb.)
  const later = (await related(app, ids.c2, '?relation=later')).body.data as { id: string; relation: string }[];
  t.ok(later.length > 0 && later.every((r) => r.relation === 'later'), 'the third cycle (the seed) is later: its request on the media');
  t.equal((await related(app, ids.a2, '?limit=1')).body.data.length, 1);

  t.same((await record(app, ids.a2)).recurrence, { count: 1, earliestCycle: 1 });
  t.same((await record(app, ids.a1)).recurrence, { count: 0, earliestCycle: null }, 'nothing earlier than cycle 1');
  t.same((await record(app, ids.c2)).recurrence, { count: 0, earliestCycle: null });
  const recurring = await getJson(app, '/v1/recommendations?reviewId=KGZ-1,KGZ-2&recurring=true');
  t.same(recurring.body.data.map((r: { id: string }) => r.id).sort(), [ids.a2, ids.d2].sort(), 'recurring=true');
  t.same(recurring.body.data[0].recurrence.earliestCycle, 1, 'lists carry recurrence too');
  const once = await getJson(app, '/v1/recommendations?reviewId=KGZ-1,KGZ-2&recurring=false');
  t.same(once.body.data.map((r: { id: string }) => r.id).sort(), [ids.a1, ids.b1, ids.c2].sort(), 'recurring=false');
  const stats = await getJson(app, '/v1/stats/recommendations?groupBy=recurring,cycle&stateUnderReview=KGZ&cycle=1,2');
  t.same(stats.body.data, [
    { recurring: 'false', cycle: 1, count: 2 },
    { recurring: 'true', cycle: 2, count: 2 },
    { recurring: 'false', cycle: 2, count: 1 },
  ]);
  const csv = await app.inject({ url: '/v1/stats/recommendations?groupBy=recurring&format=csv' });
  t.match(csv.body, /^recurring,count\r\nfalse,\d+\r\ntrue,2\r\n$/);
  const exported = parse((await app.inject({ url: '/v1/recommendations?reviewId=KGZ-2&format=csv' })).body, { columns: true }) as Record<string, string>[];
  const cells = (id: string) => {
    const row = exported.find((r) => r.id === id)!;
    return [row.recurrenceCount, row.recurrenceEarliestCycle];
  };
  t.same(cells(ids.a2), ['1', '1'], 'the CSV export carries recurrence');
  t.same(cells(ids.c2), ['0', ''], 'none: count 0, no cycle');
  const ndjson = (await app.inject({ url: '/v1/recommendations?reviewId=KGZ-2&format=ndjson' })).body.trim().split('\n').map((l) => JSON.parse(l));
  t.same(ndjson.find((r) => r.id === ids.a2).recurrence, { count: 1, earliestCycle: 1 }, 'and the NDJSON export');
  await checkDocuments(t, app);

  const side = postgresSide(app);
  if (side !== undefined) {
    // The recurring filter and grouping read PostgreSQL's partial index of the relations that count (not every
    // relation): its predicate stated as literals, no parameter. (Seq scans off: these tables are tiny.)
    const query = new PgDialect().sqlToQuery(sql`select r.id from recommendations r where ${RECURRING}`);
    t.same(query.params, [], 'the threshold is a literal');
    const client = await side.pool.connect();
    try {
      await client.query('begin');
      await client.query('set local enable_seqscan = off');
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`explain ${query.sql}`)).rows.map((row) => row['QUERY PLAN']);
      t.ok(plan.some((line) => line.includes('recommendation_relations_recurring_idx')), plan.join('\n'));
    } finally {
      await client.query('rollback');
      client.release();
    }
  }
});

t.test('a group asked before in other words is recurrence: mandate holders, gender violence (session 43)', async (t) => {
  const { app, key } = await setup(t);
  const earlier = {
    invitation: await create(app, key, 'KGZ-1', 'Consider issuing a standing invitation to all special procedures of the Human Rights Council', 'LVA'),
    violence: await create(app, key, 'KGZ-1', 'Continue to address gender-based violence', 'SVN'),
  };
  const later = {
    invitation: await create(app, key, 'KGZ-2', 'Extend a standing invitation to all mandate holders of the Council', 'HUN'),
    violence: await create(app, key, 'KGZ-2', 'Continue to combat gender violence', 'ESP'),
  };
  for (const kind of ['invitation', 'violence'] as const) {
    const [first] = (await related(app, later[kind], '?relation=earlier')).body.data;
    t.equal(first.id, earlier[kind], `${kind}: the earlier request found first`);
    t.ok(first.score >= RECURRENCE_THRESHOLD, `${kind}: scored ${first.score}, at least the threshold (below it before)`);
    t.same((await record(app, later[kind])).recurrence, { count: 1, earliestCycle: 1 }, `${kind}: asked before`);
  }
  await checkDocuments(t, app);
});

t.test('writes keep relations and recurrence current', async (t) => {
  const { app, key, ids } = await setup(t);
  const patch = (id: string, text: string) =>
    send(app, 'PATCH', `/v1/recommendations/${id}`, { key, body: { text }, headers: { 'if-match': '*' } });

  t.equal((await patch(ids.a1, 'Abolish the death penalty')).response.statusCode, 200);
  t.same((await record(app, ids.a2)).recurrence, { count: 0, earliestCycle: null }, 'no longer asked before');
  t.notOk((await related(app, ids.a2)).body.data.some((r: { id: string }) => r.id === ids.a1), 'the old match is gone');
  await checkDocuments(t, app);

  t.equal((await patch(ids.a1, 'Ratify OP-CAT without delay')).response.statusCode, 200);
  t.same((await record(app, ids.a2)).recurrence, { count: 1, earliestCycle: 1 }, 'asked before again');
  const recomputed = (await recomputedRelations(t, app, ['KGZ'])).relations.filter(([id]) => id === ids.a1);
  t.same(await storedRelations(app, ids.a1), recomputed, "the changed record's own list equals a full recomputation");

  const { response } = await send(app, 'DELETE', `/v1/recommendations/${ids.a1}`, { key, headers: { 'if-match': '*' } });
  t.equal(response.statusCode, 204);
  t.same((await record(app, ids.a2)).recurrence, { count: 0, earliestCycle: null }, 'the deleted one counts no more');
  t.equal(await testSql(app).count('recommendation_relations', '? in (recommendation_id, related_id)', [ids.a1]), 0);
  await checkDocuments(t, app);
  await t.test("SQLite's triggers keep relations, documents and full text current whoever writes", async (t) => {
    if (sqliteOnly(t, "SQLite's triggers (on PostgreSQL only the service writes them, in its write transaction)")) return;
    await writesBehindTheService(t, app, ids, patch);
  });
  const skip = testSql(app).backend === 'sqlite' && 'on SQLite: written behind the service, above';
  await t.test("a record moved to another state leaves the old state's lists", { skip }, async (t) => {
    const moved = await send(app, 'PATCH', `/v1/recommendations/${ids.a2}`, { key, body: { reviewId: 'FIN-1' }, headers: { 'if-match': '*' } });
    t.equal(moved.response.statusCode, 200);
    const lists = await testSql(app).all<{ id: string }>('select recommendation_id as id from recommendation_relations where related_id = ?', [
      ids.a2,
    ]);
    t.same(lists.map((row) => row.id), [ids.other], 'only in the lists of its new state');
    await checkDocuments(t, app);
  });
});

/** SQLite's triggers at work: writes made straight into the database, as a program that is not this service makes them. */
async function writesBehindTheService(
  t: Test,
  app: FastifyInstance,
  ids: Awaited<ReturnType<typeof setup>>['ids'],
  patch: (id: string, text: string) => ReturnType<typeof send>,
): Promise<void> {
  // An update that keeps the text and review (a new position, as an import merging a record gives) lists
  // nothing stale and leaves the full-text entry as it was (migrations/0016_text_change_triggers.sql).
  const promptly = () => app.db.$client.prepare(`select count(*) from recommendations_fts where recommendations_fts match 'promptly'`).pluck().get();
  const stale = () => app.db.$client.prepare('select count(*) from recommendation_relations_stale').pluck().get();
  const text = app.db.$client.prepare('select text from recommendations where id = ?').pluck().get(ids.a2);
  app.db.$client.prepare(`update recommendations set text = text, review_id = review_id, verbatim = 1 - verbatim where id = ?`).run(ids.a2);
  t.equal(stale(), 0, 'not listed stale');
  app.db.$client.prepare(`update recommendations set text = ? where id = ?`).run(`${text} promptly`, ids.a2);
  t.same([promptly(), stale()], [1, 1], 'a changed text is indexed again and listed stale');
  app.db.$client.prepare(`update recommendations set text = ? where id = ?`).run(text, ids.a2);
  t.equal(promptly(), 0, 'and its old entry is gone');
  app.db.$client.exec('delete from recommendation_relations_stale');

  // Only a pair that counts in a recurrence (earlier, scoring at least the threshold) makes a document stale.
  const docsStale = () => app.db.$client.prepare('select recommendation_id from recommendation_documents_stale').pluck().all();
  app.db.$client.exec('delete from recommendation_documents_stale');
  const pair = app.db.$client.prepare(`insert into recommendation_relations values (?, ?, ?, ?, 1)`);
  pair.run(ids.a2, ids.c2, 0.9, 'later');
  pair.run(ids.c2, ids.a2, RECURRENCE_THRESHOLD - 0.01, 'earlier');
  t.same(docsStale(), [], 'a later pair, or one scoring under the threshold: no document stale');
  app.db.$client.prepare(`update recommendation_relations set score = ? where recommendation_id = ? and related_id = ?`).run(RECURRENCE_THRESHOLD, ids.c2, ids.a2);
  t.same(docsStale(), [ids.c2], 'a pair reaching it: its document is stale');
  app.db.$client.exec('delete from recommendation_documents_stale');
  app.db.$client.prepare(`delete from recommendation_relations where recommendation_id = ? and related_id = ?`).run(ids.c2, ids.a2);
  t.same(docsStale(), [ids.c2], 'and so when it goes');
  app.db.$client.prepare(`delete from recommendation_relations where recommendation_id = ? and related_id = ?`).run(ids.a2, ids.c2);
  t.match(
    app.db.$client.prepare(`select sql from sqlite_master where name = 'recommendation_relations_stale_insert'`).pluck().get(),
    `>= ${RECURRENCE_THRESHOLD}`,
    'the triggers use RECURRENCE_THRESHOLD',
  );

  // A record moved to another state leaves the old state's lists.
  app.db.$client.prepare('update recommendations set review_id = ? where id = ?').run('FIN-1', ids.a2);
  t.same(
    app.db.$client.prepare('select recommendation_id from recommendation_relations_stale').pluck().all(),
    [ids.a2],
    'listed stale by the trigger (a program that is not this service wrote)',
  );
  const { response: touched } = await patch(ids.c2, 'Guarantee the freedom of the media');
  t.equal(touched.statusCode, 200, 'the next write refreshes it');
  const lists = app.db.$client
    .prepare(`select l.recommendation_id from recommendation_relations l where l.related_id = ?`)
    .pluck()
    .all(ids.a2);
  t.same(lists, [ids.other], 'only in the lists of its new state');
  await checkDocuments(t, app);
}

t.test('an import recomputes the states it touches', async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin');
  const rows = [
    'To,Text,From,Response,Action,Issue,Session',
    ...[
      'Ratify the Optional Protocol to the Convention against Torture',
      'Abolish the death penalty',
      'Ensure the independence of the judiciary',
      'Combat trafficking in persons',
      'Guarantee freedom of expression',
      'Protect human rights defenders',
    ].flatMap((text, i) => [
      `Argentina,${text},Spain,Accepted,5,General,1`,
      `Argentina,${i === 0 ? 'Ratify OP-CAT' : `${text} fully`},Chile,Accepted,5,General,14`,
    ]),
  ];
  const response = await app.inject({
    method: 'POST',
    url: '/v1/imports',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}` },
    payload: `${rows.join('\r')}\r`,
  });
  t.equal(response.statusCode, 200, response.body);
  const ids = (await testSql(app).all<{ id: string }>("select id from recommendations where review_id = 'ARG-2'")).map((row) => row.id);
  t.equal(ids.length, 6);
  for (const id of ids) {
    const { body } = await related(app, id, '?relation=earlier&limit=1');
    t.equal(body.data.length, 1, `${id} found its first-cycle request`);
    t.same((await record(app, id)).recurrence, { count: 1, earliestCycle: 1 });
  }
  const before = await storedRelations(app);
  const { counts, relations } = await recomputedRelations(t, app);
  t.match(counts, { inserted: 0, updated: 0, deleted: 0 }, 'the import left what a full recomputation gives');
  t.same(relations, before);
  await checkDocuments(t, app);
  await t.test('the relate command puts right what differs from its computation', async (t) => {
    if (sqliteOnly(t, 'the relate command runs on SQLite (on a copy of a PostgreSQL database, as above)')) return;
    await relateRepairs(t, app, before);
  });
});

async function relateRepairs(t: Test, app: FastifyInstance, before: RelationRow[]): Promise<void> {
  // A state recomputed puts right what differs from its computation: a pair not wanted (here one to another
  // state's recommendation) is removed, a changed score restored.
  const c = app.db.$client;
  const [from, to] = c.prepare(`select r.id, o.id from recommendations r join reviews v on v.id = r.review_id, recommendations o
    join reviews w on w.id = o.review_id where w.state_code <> v.state_code order by 1, 2 limit 1`).raw().get() as [string, string];
  c.prepare(`insert into recommendation_relations values (?, ?, 0.9, 'same', 1)`).run(from, to);
  c.prepare('update recommendation_relations set score = 0.01 where rowid = (select min(rowid) from recommendation_relations)').run();
  const repaired = app.db.transaction(() => relateAll(app.db, undefined, () => {}));
  t.match(repaired, { inserted: 0, updated: 1, deleted: 1 }, 'one pair removed, one restored');
  t.same(await storedRelations(app), before);
}

/** Imports a UPR Info CSV (To, Text, From, …, Session) of `rows` into the app. */
async function importRows(t: Test, app: FastifyInstance, key: string, rows: string[]): Promise<void> {
  const payload = `${['To,Text,From,Response,Action,Issue,Session', ...rows].join('\r')}\r`;
  const response = await app.inject({
    method: 'POST',
    url: '/v1/imports',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` },
    payload,
  });
  t.equal(response.statusCode, 200, response.body);
}

/** Argentina's first cycle: many requests (a state recomputed whole by any refresh). */
const FIRST_CYCLE = [
  'Ratify the Optional Protocol to the Convention against Torture',
  'Abolish the death penalty',
  'Ensure the independence of the judiciary',
  'Combat trafficking in persons and protect its victims',
  'Guarantee freedom of expression and protect journalists',
  'Protect human rights defenders',
  'Combat domestic violence against women',
  'Ratify the Convention on the Rights of Persons with Disabilities',
  'Improve conditions of detention and reduce prison overcrowding',
  'Establish a national human rights institution in line with the Paris Principles',
  'End child labour',
  'Combat discrimination against indigenous peoples',
].map((text, i) => `Argentina,${text},${['Spain', 'Chile', 'France'][i % 3]},Accepted,5,General,1`);
/** Its second cycle: a few requests, some made again in other words (few enough to be related one by one once). */
const SECOND_CYCLE = [
  'Ratify OP-CAT',
  'Adopt measures to combat domestic violence and violence against women',
  'Protect journalists and human rights defenders from attacks',
  'Reduce overcrowding in prisons',
].map((text) => `Argentina,${text},Norway,Accepted,5,General,14`);

t.test('relations do not depend on the order of imports and writes: they are a full recomputation’s', async (t) => {
  const inOrder = async (files: string[][]) => {
    const app = await buildTestApp(t);
    const admin = mintKey(app, 'admin', 'admin');
    for (const rows of files) await importRows(t, app, admin, rows);
    return { app, admin, relations: await storedRelations(app) };
  };
  const firstThenSecond = await inOrder([FIRST_CYCLE, SECOND_CYCLE]);
  const secondThenFirst = await inOrder([SECOND_CYCLE, FIRST_CYCLE]);
  const { app, admin } = firstThenSecond;
  const argentina = firstThenSecond.relations.filter(([id]) => id.startsWith('ARG-'));
  t.ok(argentina.some(([, , , relation]) => relation === 'earlier'), `the cycles related (${argentina.length} pairs)`);
  t.same(secondThenFirst.relations, firstThenSecond.relations, 'the same pairs and scores in either order');
  const recomputed = await recomputedRelations(t, app);
  t.match(recomputed.counts, { inserted: 0, updated: 0, deleted: 0 }, 'a full recomputation changes nothing');
  t.same(recomputed.relations, firstThenSecond.relations);
  await checkDocuments(t, app);

  // Single writes: each leaves what a full recomputation gives (every pair of the state rescored).
  const key = mintKey(app);
  const ids = argentina.map(([id]) => id).filter((id, i, all) => all.indexOf(id) === i);
  const fullyRecomputed = async (what: string) => {
    const { counts, relations } = await recomputedRelations(t, app);
    t.match(counts, { inserted: 0, updated: 0, deleted: 0 }, `${what}: a full recomputation changes nothing`);
    t.same(await storedRelations(app), relations, `${what}: the relations are a full recomputation's`);
    await checkDocuments(t, app);
  };
  const patched = await send(app, 'PATCH', `/v1/recommendations/${ids[0]}`, {
    key,
    body: { text: 'Ratify the Optional Protocol to the Convention against Torture and set up its national preventive mechanism' },
    headers: { 'if-match': '*' },
  });
  t.equal(patched.response.statusCode, 200);
  await fullyRecomputed('a text changed');
  await create(app, key, 'ARG-2', 'Consider abolishing the death penalty', 'FIN');
  await fullyRecomputed('a recommendation created');
  const { response } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'FIN', cycle: 1 } });
  t.equal(response.statusCode, 201);
  const moved = await send(app, 'PATCH', `/v1/recommendations/${ids[1]}`, { key, body: { reviewId: 'FIN-1' }, headers: { 'if-match': '*' } });
  t.equal(moved.response.statusCode, 200);
  await fullyRecomputed('a recommendation moved to another state (both states)');
  const deleted = await send(app, 'DELETE', `/v1/recommendations/${ids[2]}`, { key, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204);
  await fullyRecomputed('a recommendation deleted');
});

t.test('the recommending states printed at the end of a text relate nothing (the Terman corpus, OHCHR)', async (t) => {
  // Fictional requests to Finland, as the Terman corpus prints them ("… (State);") and as UPR Info does (no
  // state): two requests of one state meet on nothing but its name, and a request made again is found whole.
  const { app, admin, key, ids } = await setup(t);
  const { response } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'FIN', cycle: 2 } });
  t.equal(response.statusCode, 201);
  const UK = 'United Kingdom of Great Britain and Northern Ireland';
  const keepers = await create(app, key, 'FIN-1', `Protect lighthouse keepers (${UK});`, 'GBR');
  await create(app, key, 'FIN-1', 'Train lighthouse keepers in first aid (Norway).', 'NOR');
  const ferries = await create(app, key, 'FIN-2', `Publish ferry timetables (${UK});`, 'GBR');
  const again = await create(app, key, 'FIN-2', 'Protect lighthouse keepers', 'NOR');
  const content = await create(app, key, 'FIN-2', 'Ratify the Optional Protocol to the Convention against Torture (OP-CAT) (Norway);', 'NOR');

  const earlier = (await related(app, ferries, '?relation=earlier')).body.data as { id: string; score: number }[];
  t.notOk(
    earlier.some((r) => r.id === keepers),
    `a request of the same state on another matter is not related (${JSON.stringify(earlier)})`,
  );
  t.same((await record(app, ferries)).recurrence, { count: 0, earliestCycle: null }, 'nor counted as asked before');
  const found = (await related(app, again, '?relation=earlier&limit=1')).body.data;
  t.match(found, [{ id: keepers, score: 1 }], 'the same request printed with its state and without: one request (score 1)');
  t.same((await record(app, again)).recurrence, { count: 1, earliestCycle: 1 });
  const opcat = (await related(app, content, '?relation=earlier&limit=1')).body.data;
  t.match(opcat, [{ id: ids.other }], 'a parenthesis that names no state is text: OP-CAT asked before');
  t.ok(opcat[0].score >= RECURRENCE_THRESHOLD, `score ${opcat[0].score}`);

  // A name of the states table, whoever added it, is a state's name.
  const nor = (await getJson(app, '/v1/states/NOR')).body;
  const patched = await send(app, 'PATCH', '/v1/states/NOR', {
    key: admin,
    body: { aliases: [...nor.aliases, 'Kingdom of Lighthouses'] },
    headers: { 'if-match': '*' },
  });
  t.equal(patched.response.statusCode, 200);
  const ferries1 = await create(app, key, 'FIN-1', 'Count river ferries (Kingdom of Lighthouses);', 'NOR');
  const census = await create(app, key, 'FIN-2', 'Fund a bird census (Kingdom of Lighthouses);', 'NOR');
  t.notOk(
    ((await related(app, census)).body.data as { id: string }[]).some((r) => r.id === ferries1),
    'an alias added to the states table is left out too',
  );
  t.same((await record(app, census)).recurrence, { count: 0, earliestCycle: null });

  await checkDocuments(t, app);

  // A full recomputation (the relate command, an import: SQLite's, on a copy of a PostgreSQL database) reads
  // the same names: the last record written keeps its list, and the pairs above hold.
  const { relations } = await recomputedRelations(t, app, ['FIN']);
  t.same(await storedRelations(app, census), relations.filter(([id]) => id === census), "the last write's list is the full recomputation's");
  const pair = (a: string, b: string) => relations.find(([id, other]) => id === a && other === b);
  t.equal(pair(ferries, keepers), undefined);
  t.equal(pair(census, ferries1), undefined);
  t.equal(pair(again, keepers)?.[2], 1);
});

t.test('the related endpoint refuses bad input', async (t) => {
  const app = await buildTestApp(t);
  const missing = await related(app, 'no-such-id');
  t.equal(missing.response.statusCode, 404);
  t.match(missing.response.headers['content-type'], /^application\/problem\+json/);
  for (const query of ['?limit=0', '?limit=51', '?limit=x', '?relation=before', '?sort=score']) {
    const { response, body } = await related(app, 'KGZ-3-FIN-1', query);
    t.equal(response.statusCode, 400, query);
    t.ok(body.errors.length > 0, `${query}: names the parameter`);
  }
  const bad = await getJson(app, '/v1/recommendations?recurring=yes');
  t.equal(bad.response.statusCode, 400);
  const ok = await related(app, 'KGZ-3-FIN-1', '?limit=50');
  t.equal(ok.response.statusCode, 200);
  t.ok(ok.body.data.every((r: { relation: string }) => r.relation === 'same'), 'the seed has one review: all in the same cycle');
});
