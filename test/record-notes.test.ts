import { readFileSync } from 'node:fs';
import t from 'tap';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, sqliteOnly } from './helpers.js';

// Issue 10 §4: a state's regional group says why where it is not plain membership; a review says whether we
// hold the report's full list of recommendations; what migration 0008 changes in an existing database.

t.test("curators write a state's group note and a review's completeness", async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin');
  const created = await send(app, 'POST', '/v1/states', {
    key: admin,
    body: { id: 'XKX', name: 'Kosovo', unMember: false, regionalGroupNote: 'In no group: not a UN member.' },
  });
  t.equal(created.response.statusCode, 201);
  t.equal((await getJson(app, '/v1/states/XKX')).body.regionalGroupNote, 'In no group: not a UN member.');
  const patched = await send(app, 'PATCH', '/v1/states/XKX', {
    key: admin,
    body: { regionalGroupNote: null },
    headers: { 'if-match': '*' },
  });
  t.equal(patched.response.statusCode, 200);
  t.equal(patched.body.regionalGroupNote, null);

  const review = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'FIN', cycle: 1 } });
  t.equal(review.response.statusCode, 201);
  t.match(review.body, { recommendationsComplete: false, recommendationsNote: null }, 'partial until said otherwise');
  const complete = await send(app, 'PATCH', '/v1/reviews/FIN-1', {
    key: admin,
    body: { recommendationsComplete: true, recommendationsNote: 'All 58 recommendations of A/HRC/8/24.' },
    headers: { 'if-match': '*' },
  });
  t.equal(complete.response.statusCode, 200);
  t.match(complete.body, { recommendationsComplete: true, recommendationsNote: 'All 58 recommendations of A/HRC/8/24.' });
  const csv = (await app.inject({ method: 'GET', url: '/v1/reviews?format=csv&stateUnderReview=FIN' })).body;
  t.match(csv.split('\n')[0], /recommendationCount,recommendationsComplete,recommendationsNote,/);
  t.match(csv.split('\n')[1], /,0,true,All 58 recommendations of A\/HRC\/8\/24\.,/);
  const bad = await send(app, 'PATCH', '/v1/reviews/FIN-1', {
    key: admin,
    body: { recommendationsComplete: 'yes' },
    headers: { 'if-match': '*' },
  });
  t.equal(bad.response.statusCode, 400);
});

t.test('migration 0008 brings an existing database in line with the seed, curated changes aside', async (t) => {
  if (sqliteOnly(t, "SQLite's migration 0008 (PostgreSQL's migrations start from a schema and data that have it)")) return;
  const app = await buildTestApp(t);
  const db = app.db.$client;
  const updates = readFileSync(new URL('../migrations/0008_data10.sql', import.meta.url), 'utf8')
    .split('--> statement-breakpoint')
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter((statement) => statement.startsWith('UPDATE'));
  t.equal(updates.length, 3);
  // As a database seeded before 0008 had them.
  db.exec(`update states set regional_group = null, regional_group_note = null where code = 'USA';
    update developments set review_id = 'KGZ-3' where id = 'kgz-2016-hrc-askarov-decision';
    update reviews set recommendations_note = null where id = 'KGZ-3';
    update states set regional_group = null where code = 'FIN';`);
  for (const statement of updates) db.exec(statement);
  const usa = db.prepare("select regional_group as g, regional_group_note as note from states where code = 'USA'").get() as {
    g: string;
    note: string;
  };
  t.equal(usa.g, 'WEOG');
  t.match(usa.note, /sits with WEOG as an observer/);
  t.equal(db.prepare("select review_id from developments where id = 'kgz-2016-hrc-askarov-decision'").pluck().get(), null);
  t.match(db.prepare("select recommendations_note from reviews where id = 'KGZ-3'").pluck().get(), /not yet imported/);
  t.equal(db.prepare("select regional_group from states where code = 'FIN'").pluck().get(), null, 'other rows untouched');

  db.exec("update states set regional_group = 'GRULAC' where code = 'USA'");
  for (const statement of updates) db.exec(statement);
  t.equal(db.prepare("select regional_group from states where code = 'USA'").pluck().get(), 'GRULAC', 'a curated group stays');
});
