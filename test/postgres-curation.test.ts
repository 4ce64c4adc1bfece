import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { buildTestApp, tempDir } from './helpers.js';
import { compareBackends, sameDocuments } from './support/both-backends.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { copyTemplateDatabase } from './support/template-db.js';

// Reviews' and states' writes on PostgreSQL (issue #12): the same answers as on SQLite, refusals included, the
// same histories and change feed; a review's session and a state's name are in stored documents of
// recommendations, which the write rebuilds in its own transaction, as SQLite's do.

t.setTimeout(600_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const sqlitePath = join(tempDir(t), 'seeded.sqlite');
  copyTemplateDatabase(sqlitePath);
  const url = await copiedDatabase(cluster.url, sqlitePath);
  const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
  const onPostgres = await buildTestApp(t, { databaseUrl: url });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  t.teardown(() => pool.end());
  const both = compareBackends({
    sqlite: { app: onSqlite, key: createApiKey(onSqlite.db, 'editor', 'admin').key },
    postgres: { app: onPostgres, key: (await pgCreateApiKey(pool, 'editor', 'admin')).key },
  });
  const writer = compareBackends({
    sqlite: { app: onSqlite, key: createApiKey(onSqlite.db, 'curator', 'write').key },
    postgres: { app: onPostgres, key: (await pgCreateApiKey(pool, 'curator', 'write')).key },
  });
  const SOURCE = { title: 'A fictional review summary', publisher: 'Example NGO', url: 'https://example.org/reviews/pg-curation', publishedOn: '2020-02-01' };
  // A source recommendations of the seed cite: renaming it through a review changes their documents.
  const CITED = { title: 'Renamed through a review', publisher: 'UPR Info', url: 'https://upr-info.org/en/news/conclusion-35th-session-upr' };

  t.test('reviews: creates, changes and deletes answer alike; a new session rebuilds its documents', async (t) => {
    const review = { stateUnderReview: 'KGZ', cycle: 4, session: 49, dialogueDate: '2025-01-20', sources: [SOURCE] };
    const create = { method: 'POST', url: '/v1/reviews', body: review, headers: { 'idempotency-key': 'r-1' } };
    await writer(t, create);
    t.equal((await both(t, create)).b.statusCode, 201);
    t.equal((await both(t, create)).b.headers['idempotency-replayed'], 'true');
    await both(t, { ...create, body: { ...review, session: 50 } });
    await both(t, { method: 'POST', url: '/v1/reviews', body: { ...review, cycle: 3 } });
    await both(t, { method: 'POST', url: '/v1/reviews', body: { ...review, stateUnderReview: 'XXX', dialogueDate: '2999-01-01' } });
    await both(t, { method: 'POST', url: '/v1/reviews', body: { ...review, stateUnderReview: 'FIN', adoptionDate: '2020-09' } });
    await both(t, { method: 'POST', url: '/v1/reviews', body: { ...review, stateUnderReview: 'FIN', adoptionDate: '2020-13', adoptionDatePrecision: 'month' } });
    await both(t, { method: 'POST', url: '/v1/reviews', body: { ...review, cycle: 9 } });

    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { session: 36 } });
    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { session: 36 }, headers: { 'if-match': '"v99-r1"' } });
    await both(t, { url: '/v1/reviews/KGZ-3' });
    const changed = await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { session: 36, recommendationsComplete: true, recommendationsNote: 'All of them.' }, ifMatch: true });
    t.equal(changed.b.statusCode, 200);
    const listed = await both(t, { url: '/v1/recommendations?reviewId=KGZ-3&limit=100' });
    t.ok(listed.b.json().data.length > 0);
    t.ok(listed.b.json().data.every((r: { session: number | null }) => r.session === 36), "each recommendation's document shows the new session");
    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { session: 36 }, ifMatch: true });
    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { sources: [SOURCE, CITED], adoptionDate: '2020-09-25', adoptionDatePrecision: 'day' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { adoptionDate: null }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { dialogueDate: '2999-01-01' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-9', body: { session: 1 }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/reviews/KGZ-3', body: { cycle: 4 }, headers: { 'if-match': '*' } });

    await both(t, { method: 'DELETE', url: '/v1/reviews/KGZ-3', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/reviews/KGZ-4' });
    await both(t, { method: 'DELETE', url: '/v1/reviews/KGZ-4', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/reviews/KGZ-4', headers: { 'if-match': '*' } });
    await both(t, { ...create, headers: { 'idempotency-key': 'r-2' } });
    await both(t, create);

    for (const path of ['/v1/reviews', '/v1/reviews/KGZ-3', '/v1/reviews/KGZ-4', '/v1/reviews/KGZ-3/history', '/v1/reviews/KGZ-4/history', '/v1/sources?limit=100', '/v1/recommendations?sort=id&limit=100']) {
      await both(t, { url: path });
    }
    await sameDocuments(t, onSqlite, pool);
  });

  t.test('states: creates, changes and deletes answer alike; a new name rebuilds the documents that show it', async (t) => {
    const state = { id: 'XKX', name: 'Kosovo', unMember: false, aliases: ['Kosova'] };
    const create = { method: 'POST', url: '/v1/states', body: state, headers: { 'idempotency-key': 's-1' } };
    t.equal((await both(t, create)).b.statusCode, 201);
    t.equal((await both(t, create)).b.headers['idempotency-replayed'], 'true');
    await both(t, { method: 'POST', url: '/v1/states', body: state });
    await both(t, { method: 'POST', url: '/v1/states', body: { ...state, id: 'XKY', name: 'Kyrgyz Republic', aliases: ['Finland', 'New'] } });
    await both(t, { method: 'POST', url: '/v1/states', body: { ...state, id: 'xky' } });

    // The state under review, and a recommending state: their names are in documents.
    await both(t, { method: 'PATCH', url: '/v1/states/kgz', body: { name: 'Kyrgyz Republic' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/states/FIN', body: { name: 'Republic of Finland', regionalGroup: null, regionalGroupNote: 'A test.' }, headers: { 'if-match': '*' } });
    const listed = await both(t, { url: '/v1/recommendations?sort=id&limit=100' });
    const records = listed.b.json().data as { stateUnderReview: { name: string }; recommendingStates: { id: string; name: string }[] }[];
    t.ok(records.every((r) => r.stateUnderReview.name === 'Kyrgyz Republic'), 'the new name of the state under review in every document');
    t.ok(records.some((r) => r.recommendingStates.some((s) => s.id === 'FIN' && s.name === 'Republic of Finland')), "a recommending state's new name");
    await both(t, { method: 'PATCH', url: '/v1/states/KGZ', body: { aliases: ['Kirghizia', 'Kyrgyzstan'] } });
    await both(t, { url: '/v1/states/KGZ' });
    await both(t, { method: 'PATCH', url: '/v1/states/KGZ', body: { aliases: ['Kirghizia', 'Kyrgyzstan'] }, ifMatch: true });
    await both(t, { method: 'PATCH', url: '/v1/states/KGZ', body: { aliases: ['Kirghizia', 'Kyrgyzstan'] }, ifMatch: true });
    await both(t, { method: 'PATCH', url: '/v1/states/KGZ', body: { unMember: true, name: 'Finland' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/states/KGZ', body: { regionalGroup: 'nope' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/states/ZZZ', body: { unMember: true }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/states/XKX', body: { unMember: true }, headers: { 'if-match': '"v7-r1"' } });
    await writer(t, { method: 'PATCH', url: '/v1/states/XKX', body: { unMember: true }, headers: { 'if-match': '*' } });

    await both(t, { method: 'DELETE', url: '/v1/states/KGZ', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/states/FIN', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/states/XKX' });
    await both(t, { method: 'DELETE', url: '/v1/states/XKX', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/states/XKX', headers: { 'if-match': '*' } });
    await both(t, create);
    // Its spellings are free again: another state may take them.
    await both(t, { method: 'POST', url: '/v1/states', body: { ...state, id: 'XKY', aliases: ['Kosova'] } });

    for (const path of [
      '/v1/states?limit=300',
      '/v1/states/KGZ',
      '/v1/states/FIN',
      '/v1/states/XKY',
      '/v1/states/KGZ/history',
      '/v1/states/XKX/history',
      '/v1/recommendations?sort=id&limit=100',
      '/v1/recommendations?format=csv&sort=id',
      '/v1/recommendations?stateUnderReview=Kyrgyz%20Republic',
      '/v1/changes?limit=500',
      '/v1/changes?entity=states',
      '/v1/changes?entity=reviews',
    ]) {
      await both(t, { url: path });
    }
    await sameDocuments(t, onSqlite, pool);
  });
}
