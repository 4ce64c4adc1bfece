import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { INCLUDE_PER_RECORD } from '../src/recommendations/include.js';
import { buildTestApp, tempDir } from './helpers.js';
import { compareBackends, sameDocuments } from './support/both-backends.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { copyGeneratedDatabase, copyTemplateDatabase } from './support/template-db.js';

// Assessments on PostgreSQL (issue #12): their list (every filter, sort, cursor, export), each record, and their
// writes answer as on SQLite, byte for byte, refusals included; a write rebuilds its recommendation's stored
// document in the same transaction; `include=assessments,developments` on the recommendations' list is the same.

t.setTimeout(900_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const SOURCE = { title: 'A fictional monitoring report', publisher: 'Example NGO', url: 'https://example.org/reports/pg-assessments', publishedOn: '2021-05-01' };
  const assessment = {
    id: 'pg-a-1',
    recommendationId: 'KGZ-3-FIN-1',
    status: 'partially_implemented',
    assessedOn: '2021-06-01',
    rationale: 'A law was passed; it is not yet applied.',
    sources: [SOURCE],
  };

  t.test('the seed: reads, writes, refusals, documents, histories and include on both backends', async (t) => {
    const sqlitePath = join(tempDir(t), 'seeded.sqlite');
    copyTemplateDatabase(sqlitePath);
    const url = await copiedDatabase(cluster.url, sqlitePath);
    const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
    const onPostgres = await buildTestApp(t, { databaseUrl: url });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(() => pool.end());
    const both = compareBackends({
      sqlite: { app: onSqlite, key: createApiKey(onSqlite.db, 'curator', 'write').key },
      postgres: { app: onPostgres, key: (await pgCreateApiKey(pool, 'curator', 'write')).key },
    });

    const reads = [
      '/v1/assessments',
      '/v1/assessments?sort=-assessedOn',
      '/v1/assessments?sort=id&limit=1',
      '/v1/assessments?sort=-id&format=csv',
      '/v1/assessments?format=ndjson&status=not_implemented',
      '/v1/assessments?format=csv&bom=true&limit=1',
      '/v1/assessments?reviewId=KGZ-3&stateUnderReview=KGZ&from=2020-01-01&to=2021-12-31',
      '/v1/assessments?recommendationId=KGZ-3-FIN-1',
      '/v1/assessments?from=2021-01-01&to=2020-01-01',
      '/v1/assessments?sort=nope',
      '/v1/assessments?cursor=nonsense',
      '/v1/assessments/KGZ-3-FIN-1-2020-09-28',
      '/v1/assessments/nope',
    ];
    for (const path of reads) await both(t, { url: path });
    const first = await both(t, { url: '/v1/assessments?sort=id&limit=1' });
    await both(t, { url: `/v1/assessments?sort=id&limit=1&cursor=${first.a.json().meta.nextCursor}` });

    // Creates: refused without a key, replayed, reused, taken, inconsistent; then changes and deletes.
    await both(t, { method: 'POST', url: '/v1/assessments', body: assessment, headers: { authorization: 'Bearer nope' } });
    const create = { method: 'POST', url: '/v1/assessments', body: assessment, headers: { 'idempotency-key': 'a-1' } };
    t.equal((await both(t, create)).b.statusCode, 201);
    t.equal((await both(t, create)).b.headers['idempotency-replayed'], 'true');
    await both(t, { ...create, body: { ...assessment, rationale: 'Another.' } });
    await both(t, { method: 'POST', url: '/v1/assessments', body: assessment });
    await both(t, { method: 'POST', url: '/v1/assessments', body: { ...assessment, id: 'pg-a-2', recommendationId: 'nope', assessedOn: '2999-01-01' } });
    await both(t, { method: 'POST', url: '/v1/assessments', body: { ...assessment, id: 'pg-a-2', status: 'nope' } });
    const doc = await both(t, { url: '/v1/recommendations/KGZ-3-FIN-1' });
    t.equal(doc.b.json().implementation, 'partially_implemented', "the recommendation's status follows its newest assessment");

    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: { status: 'implemented' } });
    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: { status: 'implemented' }, headers: { 'if-match': '"v9-r1"' } });
    await both(t, { url: '/v1/assessments/pg-a-1' });
    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: { status: 'implemented' }, ifMatch: true });
    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: { status: 'implemented' }, ifMatch: true });
    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: { sources: [{ ...SOURCE, title: 'Renamed' }] }, ifMatch: true });
    // Moved to another recommendation: both documents are rebuilt.
    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: { recommendationId: 'KGZ-3-ESP-1', assessedOn: '2022-01-10' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: { recommendationId: 'nope' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/assessments/nope', body: { status: 'implemented' }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/assessments/pg-a-1', body: {}, headers: { 'if-match': '*' } });
    for (const id of ['KGZ-3-FIN-1', 'KGZ-3-ESP-1']) await both(t, { url: `/v1/recommendations/${id}` });

    // More than INCLUDE_PER_RECORD on one recommendation: include keeps the newest, counts them all.
    for (let i = 0; i < INCLUDE_PER_RECORD + 2; i++) {
      const day = String(i + 1).padStart(2, '0');
      await both(t, { method: 'POST', url: '/v1/assessments', body: { ...assessment, id: `pg-many-${day}`, recommendationId: 'KGZ-3-GBR-1', assessedOn: `2021-03-${day}` } });
    }
    const included = await both(t, { url: '/v1/recommendations?include=assessments,developments&sort=id' });
    const many = included.b.json().data.find((r: { id: string }) => r.id === 'KGZ-3-GBR-1');
    t.equal(many.assessments.length, INCLUDE_PER_RECORD);
    t.equal(many.assessmentCount, INCLUDE_PER_RECORD + 2);
    t.equal(many.assessments[0].id, `pg-many-${INCLUDE_PER_RECORD + 2}`, 'newest first');
    t.ok(included.b.json().data.some((r: { developments: unknown[] }) => r.developments.length > 0), 'developments included');
    for (const path of [
      '/v1/recommendations?include=assessments',
      '/v1/recommendations?include=developments&limit=2',
      '/v1/recommendations?include=assessments&reviewId=KGZ-3&sort=-updatedAt&limit=3',
      '/v1/recommendations?include=assessments&format=csv',
      '/v1/recommendations?include=nope',
    ]) {
      const answer = await both(t, { url: path });
      const cursor = answer.a.statusCode === 200 ? answer.a.json().meta?.nextCursor : null;
      if (cursor) await both(t, { url: `${path}&cursor=${cursor}` });
    }

    // Deletes.
    await both(t, { method: 'DELETE', url: '/v1/assessments/pg-a-1' });
    await both(t, { method: 'DELETE', url: '/v1/assessments/pg-a-1', headers: { 'if-match': '"v1-r1"' } });
    await both(t, { method: 'DELETE', url: '/v1/assessments/pg-a-1', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/assessments/pg-a-1', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/assessments/pg-many-12', headers: { 'if-match': '*' } });
    await both(t, { ...create });

    // Every stored document, the assessments, histories and the change feed: the same on both.
    for (const path of [
      ...reads,
      '/v1/recommendations?limit=200&sort=id',
      '/v1/recommendations?format=csv&sort=id',
      '/v1/recommendations?include=assessments,developments&sort=id',
      '/v1/assessments/pg-a-1/history',
      '/v1/assessments/pg-many-12/history',
      '/v1/assessments/nope/history',
      '/v1/recommendations/KGZ-3-GBR-1',
      '/v1/changes?limit=500',
      '/v1/changes?entity=assessments&limit=3',
      '/v1/changes?entity=sources',
    ]) {
      await both(t, { url: path });
    }
    await sameDocuments(t, onSqlite, pool);

    // Last (its ids differ): a create without an id gets a new one on each (random), of the same shape.
    const made = await Promise.all(
      [onSqlite, onPostgres].map(async (app, i) => {
        const key = i === 0 ? createApiKey(onSqlite.db, 'other', 'write').key : (await pgCreateApiKey(pool, 'other', 'write')).key;
        const body = { ...assessment, id: undefined, assessedOn: '2021-07-01' };
        const response = await app.inject({ method: 'POST', url: '/v1/assessments', headers: { authorization: `Bearer ${key}` }, payload: body });
        const removed = await app.inject({ method: 'DELETE', url: `/v1/assessments/${response.json().id}`, headers: { authorization: `Bearer ${key}`, 'if-match': '*' } });
        return { status: response.statusCode, id: response.json().id as string, removed: removed.statusCode };
      }),
    );
    for (const m of made) {
      t.match(m, { status: 201, removed: 204 });
      t.match(m.id, /^KGZ-3-FIN-1-2021-07-01-[0-9a-f]{8}$/);
    }
  });

  t.test('a generated database: every page of the assessments and of include, and the exports, the same', async (t) => {
    const sqlitePath = join(tempDir(t), 'generated.sqlite');
    copyGeneratedDatabase(sqlitePath, 1500);
    const url = await copiedDatabase(cluster.url, sqlitePath);
    const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
    const onPostgres = await buildTestApp(t, { databaseUrl: url });
    const both = compareBackends({ sqlite: { app: onSqlite }, postgres: { app: onPostgres } });
    let pages = 0;
    const walk = async (path: string) => {
      let cursor: string | null = null;
      do {
        const { a } = await both(t, { url: cursor === null ? path : `${path}&cursor=${encodeURIComponent(cursor)}` });
        cursor = a.json().meta.nextCursor;
        pages++;
      } while (cursor !== null);
    };
    for (const sort of ['assessedOn', '-assessedOn', 'id', '-id']) {
      await walk(`/v1/assessments?sort=${sort}&limit=40`);
      await both(t, { url: `/v1/assessments?sort=${sort}&format=csv` });
      await both(t, { url: `/v1/assessments?sort=${sort}&format=ndjson&status=implemented` });
    }
    await walk('/v1/assessments?status=not_implemented,implemented&from=2019-01-01&limit=25');
    await walk('/v1/recommendations?include=assessments,developments&sort=id&limit=100');
    await walk('/v1/recommendations?include=developments&sort=-updatedAt&limit=200');
    t.ok(pages > 40, `${pages} pages compared`);

    // Bounded: include adds one query per kind to a page, whatever its size (counted at node-postgres's client;
    // not the begin and commit of the snapshot that reads a page with what it includes).
    let queries = 0;
    const query = pg.Client.prototype.query;
    const transactionControl = /^\s*(begin|commit|rollback)\b/i;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      if (!transactionControl.test(text ?? '')) queries++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    t.teardown(() => {
      pg.Client.prototype.query = query;
    });
    const counted = async (path: string) => {
      queries = 0;
      const response = await onPostgres.inject({ url: path, headers: { 'cache-control': 'no-cache' } });
      t.equal(response.statusCode, 200);
      return queries;
    };
    const plain = await counted('/v1/recommendations?sort=id&limit=100');
    for (const limit of [10, 100, 500]) {
      t.equal(await counted(`/v1/recommendations?include=assessments,developments&sort=id&limit=${limit}`), plain + 2, `limit=${limit}: two queries more`);
    }
    t.equal(await counted('/v1/recommendations?include=assessments&sort=id&limit=500'), plain + 1);
  });
}
