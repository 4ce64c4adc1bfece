import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { send } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';
import { alignCursors } from './support/both-backends.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { copyTemplateDatabase } from './support/template-db.js';
import { WRITE_LOCK } from '../src/db/pg/write-transaction.js';

// Writes on PostgreSQL (issue #12): the same writes through the SQLite and the PostgreSQL app give the same
// answers, the same stored documents (byte for byte, but for the instants each backend stamped), the same
// histories and change feed; API keys, If-Match and Idempotency-Key hold; and two instances on one database
// see each other's writes at once, with new ETags, their caches never stale.

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
  const sqliteKey = createApiKey(onSqlite.db, 'curator', 'write').key;
  const pgKey = (await pgCreateApiKey(pool, 'curator', 'write')).key;

  const INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

  /**
   * PostgreSQL's body with each instant replaced by SQLite's at the same place (the clocks of two writes
   * differ, nothing else may): equal to SQLite's body when everything else is byte for byte the same.
   */
  function alignInstants(sqliteBody: string, pgBody: string): string {
    pgBody = alignCursors(sqliteBody, pgBody);
    const instants = [...sqliteBody.matchAll(INSTANT)].map((m) => m[0]);
    let i = 0;
    return pgBody.replace(INSTANT, (match) => (i < instants.length ? instants[i++]! : match));
  }

  interface Step {
    method: string;
    url: string;
    body?: unknown;
    headers?: Record<string, string>;
    /** Send If-Match with the ETag the last answer about this record gave on each backend. */
    ifMatch?: boolean;
  }

  const etags = { sqlite: '', postgres: '' };

  /** The same request to both; the same status, problem or body (instants aligned). */
  async function both(t: Test, step: Step) {
    const answers = [];
    for (const [app, key, which] of [
      [onSqlite, sqliteKey, 'sqlite'],
      [onPostgres, pgKey, 'postgres'],
    ] as const) {
      const headers = { ...step.headers, ...(step.ifMatch ? { 'if-match': etags[which] } : {}) };
      const response = await app.inject({
        method: step.method as 'GET',
        url: step.url,
        headers: { ...headers, authorization: `Bearer ${key}` },
        ...(step.body === undefined ? {} : { payload: step.body as object }),
      });
      if (response.headers.etag !== undefined) etags[which] = String(response.headers.etag);
      answers.push(response);
    }
    const [a, b] = answers as [(typeof answers)[0], (typeof answers)[0]];
    const what = `${step.method} ${step.url}`;
    t.equal(b.statusCode, a.statusCode, `${what}: status ${a.statusCode}`);
    t.equal(alignInstants(a.body, b.body), a.body, `${what}: the same body`);
    t.equal(b.headers.location, a.headers.location, `${what}: Location`);
    t.equal(b.headers['idempotency-replayed'], a.headers['idempotency-replayed'], `${what}: Idempotency-Replayed`);
    return { a, b };
  }


  const NEW_SOURCE = {
    title: 'A fictional report for a test',
    publisher: 'Example NGO',
    url: 'https://example.org/reports/pg-write-test',
    publishedOn: '2021-03-01',
  };
  const created = {
    reviewId: 'KGZ-3',
    paragraph: '999.1',
    text: 'Investigate every allegation of torture in places of detention and prosecute those responsible.',
    verbatim: false,
    recommendingStates: ['FIN', 'ESP'],
    sources: [NEW_SOURCE],
    sdgs: ['16'],
  };

  t.test('the same writes on both backends: the same answers, documents, histories and change feed', async (t) => {
    const revisionBefore = (await onPostgres.inject('/v1/changes?limit=1')).json().meta.revision;
    t.equal(revisionBefore, (await onSqlite.inject('/v1/changes?limit=1')).json().meta.revision, 'the copy starts at the same revision');

    // Creates: without a key, with one (machine-tagged in the same transaction), replayed, reused, refused.
    t.equal((await send(onPostgres, 'POST', '/v1/recommendations', { body: created })).response.statusCode, 401);
    const bad = await send(onPostgres, 'POST', '/v1/recommendations', { key: 'uprk_000000000000_' + 'x'.repeat(43), body: created });
    t.equal(bad.response.statusCode, 401, 'an unknown key is refused');
    const create = { method: 'POST', url: '/v1/recommendations', body: created, headers: { 'idempotency-key': 'create-1' } };
    const first = await both(t, create);
    t.equal(first.b.statusCode, 201);
    const id = first.b.json().id as string;
    t.equal(id, 'KGZ-3-999.1');
    t.ok(first.b.json().themes.some((theme: { source: string }) => theme.source === 'machine'), 'machine labels given on create');
    const replay = await both(t, create);
    t.equal(replay.b.headers['idempotency-replayed'], 'true');
    await both(t, { ...create, body: { ...created, text: 'Another text.' } });
    await both(t, { method: 'POST', url: '/v1/recommendations', body: created });
    await both(t, { method: 'POST', url: '/v1/recommendations', body: { ...created, paragraph: '999.2', themes: ['no-such-theme'], recommendingStates: ['KGZ'] } });
    await both(t, { method: 'GET', url: `/v1/recommendations/${id}` });
    await both(t, { method: 'POST', url: '/v1/recommendations', body: { ...created, id: 'own-id', paragraph: null, sources: [], sdgs: [] } });
    await both(t, { method: 'POST', url: '/v1/recommendations', body: { ...created, id: 'own-id' } });

    // Changes: If-Match required and checked; a new text re-tags; a source cited elsewhere is renamed.
    await both(t, { method: 'PATCH', url: `/v1/recommendations/${id}`, body: { verbatim: true } });
    await both(t, { method: 'PATCH', url: `/v1/recommendations/${id}`, body: { verbatim: true }, headers: { 'if-match': '"v9-r1"' } });
    await both(t, { method: 'PATCH', url: `/v1/recommendations/${id}`, body: { text: 'Guarantee freedom of expression and release the journalists detained.' }, ifMatch: true });
    await both(t, { method: 'PATCH', url: `/v1/recommendations/${id}`, body: { paragraph: '999.3', position: 'supported', positionSource: 'A/HRC/44/9/Add.1' }, ifMatch: true });
    await both(t, { method: 'PATCH', url: `/v1/recommendations/${id}`, body: { sdgs: ['16'] }, ifMatch: true });
    await both(t, { method: 'PATCH', url: '/v1/recommendations/KGZ-3-FIN-1', body: { sources: [{ ...NEW_SOURCE, title: 'Renamed' }], themes: [], affectedPersons: [] }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/recommendations/KGZ-3-ESP-1', body: { sources: [], recommendingStates: ['FIN'], sdgs: [] }, headers: { 'if-match': '*' } });
    await both(t, { method: 'PATCH', url: '/v1/recommendations/nope', body: { verbatim: true }, headers: { 'if-match': '*' } });

    // A curator's answer to the machine's labels.
    const labels = first.b.json().themes as { id: string; source: string }[];
    const machine = labels.filter((theme) => theme.source === 'machine').map((theme) => theme.id);
    const current = (await onPostgres.inject(`/v1/recommendations/${id}`)).json().themes as { id: string; source: string }[];
    const machineNow = current.filter((theme) => theme.source === 'machine').map((theme) => theme.id);
    t.ok(machineNow.length > 0 && machine.length > 0);
    await both(t, { method: 'PUT', url: `/v1/recommendations/${id}/themes/${machineNow[0]}` });
    await both(t, { method: 'PUT', url: `/v1/recommendations/${id}/themes/${machineNow[0]}` });
    await both(t, { method: 'PUT', url: `/v1/recommendations/${id}/themes/no-such-theme` });
    await both(t, { method: 'DELETE', url: `/v1/recommendations/${id}/themes/${machineNow.at(-1)}`, ifMatch: true });
    await both(t, { method: 'PUT', url: '/v1/recommendations/nope/themes/x' });
    await both(t, { method: 'PATCH', url: `/v1/recommendations/${id}`, body: { text: 'Investigate allegations of torture and ill-treatment in detention.' }, headers: { 'if-match': '*' } });
    // A few words more: the same pairs, other scores.
    await both(t, { method: 'PATCH', url: `/v1/recommendations/${id}`, body: { text: 'Investigate allegations of torture and ill-treatment in detention promptly and impartially.' }, headers: { 'if-match': '*' } });

    // Every stored document, the histories and the feed: the same on both.
    for (const path of [
      '/v1/recommendations?limit=200&sort=id',
      '/v1/recommendations?format=csv&sort=id',
      `/v1/recommendations/${id}/history`,
      '/v1/recommendations/KGZ-3-FIN-1/history',
      '/v1/recommendations/nope/history',
      '/v1/states/KGZ/history',
      '/v1/changes?limit=2',
      '/v1/changes?entity=sources',
      `/v1/changes?since=${encodeURIComponent('2000-01-01T00:00:00Z')}`,
      '/v1/changes?since=nonsense',
    ]) {
      await both(t, { method: 'GET', url: path });
    }
    const feed = await both(t, { method: 'GET', url: '/v1/changes?limit=1' });
    await both(t, { method: 'GET', url: `/v1/changes?since=${feed.b.json().meta.nextCursor}` });

    // Deletes: If-Match required; the idempotent create of a deleted record is not replayed.
    await both(t, { method: 'DELETE', url: `/v1/recommendations/${id}` });
    await both(t, { method: 'DELETE', url: `/v1/recommendations/${id}`, headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/recommendations/KGZ-3-GBR-1', headers: { 'if-match': '*' } });
    await both(t, { method: 'DELETE', url: '/v1/recommendations/own-id', headers: { 'if-match': '*' } });
    const assessed = (await pool.query<{ id: string }>('select recommendation_id as id from assessments limit 1')).rows[0]!.id;
    const refused = await both(t, { method: 'DELETE', url: `/v1/recommendations/${assessed}`, headers: { 'if-match': '*' } });
    t.equal(refused.b.statusCode, 409, 'a recommendation with assessments is not deleted');
    await both(t, create);
    await both(t, { method: 'GET', url: '/v1/recommendations?limit=200&sort=id' });
    await both(t, { method: 'GET', url: `/v1/recommendations/${id}/history` });
    // The relations the writes of texts recomputed: the same pairs and scores.
    const relations = 'select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations order by 1, 2';
    const sqliteRelations = onSqlite.db.$client.prepare(relations).all();
    const pgRelations = (await pool.query(`${relations.replace('order by 1, 2', 'order by recommendation_id collate "C", related_id collate "C"')}`)).rows;
    t.ok(sqliteRelations.length > 0);
    t.same(pgRelations, sqliteRelations, 'the same relations');
    const after = (await onPostgres.inject('/v1/changes?limit=1')).json().meta.revision;
    t.equal(after, (await onSqlite.inject('/v1/changes?limit=1')).json().meta.revision, 'the same number of revisions');
    t.ok(after > revisionBefore);
  });

  t.test('API keys: revoked, and a key of another database, are refused on PostgreSQL', async (t) => {
    const { id, key } = await pgCreateApiKey(pool, 'to-revoke', 'write');
    await pool.query('update api_keys set revoked_at = $1 where id = $2', [new Date().toISOString(), id]);
    const revoked = await send(onPostgres, 'POST', '/v1/recommendations', { key, body: created });
    t.equal(revoked.response.statusCode, 401);
    t.match(revoked.body.detail, /revoked/);
    const foreign = await send(onPostgres, 'POST', '/v1/recommendations', { key: sqliteKey, body: created });
    t.equal(foreign.response.statusCode, 401);
    const malformed = await send(onPostgres, 'POST', '/v1/recommendations', { body: created, headers: { authorization: 'Basic x' } });
    t.equal(malformed.response.statusCode, 401);
    const { rows } = await pool.query<{ last_used_at: string | null }>(`select last_used_at from api_keys where name = 'curator'`);
    t.ok(rows[0]!.last_used_at !== null, "a key's use is recorded");
  });

  t.test('two instances on one database: a write through one is seen through the other at once', async (t) => {
    const a = onPostgres;
    const b = await buildTestApp(t, { databaseUrl: url });
    const list = '/v1/recommendations?sort=id&limit=5';
    const before = await b.inject(list);
    t.equal(before.statusCode, 200);
    t.equal((await b.inject({ url: list, headers: { 'if-none-match': String(before.headers.etag) } })).statusCode, 304, 'cached on b');
    const target = before.json().data[0].id as string;
    const one = await b.inject(`/v1/recommendations/${target}`);
    const text = 'Ratify the Optional Protocol to the Convention against Torture without delay.';
    const write = await send(a, 'PATCH', `/v1/recommendations/${target}`, { key: pgKey, body: { text }, headers: { 'if-match': String(one.headers.etag) } });
    t.equal(write.response.statusCode, 200);
    const listed = await b.inject({ url: list, headers: { 'if-none-match': String(before.headers.etag) } });
    t.equal(listed.statusCode, 200, "b's cached list is not served");
    t.not(listed.headers.etag, before.headers.etag, 'with a new ETag');
    t.equal(listed.json().data[0].text, text, 'showing the write');
    const read = await b.inject({ url: `/v1/recommendations/${target}`, headers: { 'if-none-match': String(one.headers.etag) } });
    t.equal(read.statusCode, 200);
    t.equal(read.headers.etag, write.response.headers.etag, "b answers the record with a's new ETag");
    const stale = await send(b, 'PATCH', `/v1/recommendations/${target}`, { key: pgKey, body: { verbatim: true }, headers: { 'if-match': String(one.headers.etag) } });
    t.equal(stale.response.statusCode, 412, "b refuses a change to the version a replaced");

    // Concurrent writes through both: every one applied once; the feed's seqs and revisions in commit order.
    let cursor = '';
    for (let more = true; more; ) {
      const page = (await a.inject(`/v1/changes?limit=500${cursor}`)).json();
      cursor = `&since=${page.meta.nextCursor}`;
      more = page.meta.hasMore;
    }
    const ids = before.json().data.map((r: { id: string }) => r.id) as string[];
    const results = await Promise.all(
      ids.flatMap((id, i) =>
        [a, b].map((app, j) =>
          send(app, 'PATCH', `/v1/recommendations/${id}`, { key: pgKey, body: { paragraph: `${900 + i}.${j}` }, headers: { 'if-match': '*' } }),
        ),
      ),
    );
    t.same(results.map((r) => r.response.statusCode), results.map(() => 200));
    const changes = (await b.inject(`/v1/changes?limit=500${cursor}`)).json().data as { seq: number; revision: number }[];
    t.equal(changes.length, results.length, 'one audit entry per write');
    t.ok(changes.every((c, i) => i === 0 || (c.seq > changes[i - 1]!.seq && c.revision === changes[i - 1]!.revision + 1)), 'seqs and revisions in order');
    const idempotent = await Promise.all(
      [a, b, a, b].map((app) => send(app, 'POST', '/v1/recommendations', { key: pgKey, body: { ...created, paragraph: '999.9' }, headers: { 'idempotency-key': 'both' } })),
    );
    t.same(idempotent.map((r) => r.response.statusCode), [201, 201, 201, 201]);
    t.equal(idempotent.filter((r) => r.response.headers['idempotency-replayed'] === 'true').length, 3, 'one create, three replays, across instances');
  });

  t.test('a new id when none is given; the document shows the recurrence its relations give', async (t) => {
    const made = await send(onPostgres, 'POST', '/v1/recommendations', { key: pgKey, body: { ...created, paragraph: null } });
    t.equal(made.response.statusCode, 201);
    t.match(made.body.id, /^KGZ-3-[0-9a-f]{8}$/);
    t.same(made.body.recurrence, { count: 0, earliestCycle: null });
    // A relation as `npm run relate` stores one (the seed holds no earlier cycle of KGZ to relate it to).
    const earlier = 'KGZ-3-ESP-1';
    await pool.query(`insert into recommendation_relations (recommendation_id, related_id, score, relation, related_cycle)
      values ($1, $2, 0.9, 'earlier', 1)`, [made.body.id, earlier]);
    const changed = await send(onPostgres, 'PATCH', `/v1/recommendations/${made.body.id}`, { key: pgKey, body: { verbatim: true }, headers: { 'if-match': '*' } });
    t.same(changed.body.recurrence, { count: 1, earliestCycle: 1 }, 'rebuilt from the relations');
    const listed = await onPostgres.inject(`/v1/recommendations?reviewId=KGZ-3&limit=500`);
    t.same(listed.json().data.find((r: { id: string }) => r.id === made.body.id).recurrence, { count: 1, earliestCycle: 1 });
  });

  t.test('a write that fails midway leaves nothing behind, and its connection goes back to the pool', async (t) => {
    const count = async () => (await pool.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n;
    const before = await count();
    const response = await send(onPostgres, 'POST', '/v1/recommendations', {
      key: pgKey,
      body: { ...created, paragraph: '999.8', recommendingStates: ['FIN'], affectedPersons: ['no-such-group'] },
    });
    t.equal(response.response.statusCode, 422);
    t.equal(await count(), before);
    t.equal((await onPostgres.inject('/v1/recommendations/KGZ-3-999.8')).statusCode, 404);
  });

  t.test('a write waiting for the write lock longer than DATABASE_BUSY_TIMEOUT_MS is a 503, as on SQLite', async (t) => {
    const impatient = await buildTestApp(t, { databaseUrl: url, databaseBusyTimeoutMs: 20 });
    const before = await impatient.inject('/v1/recommendations/KGZ-3-FIN-1');
    const audited = (await pool.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n;
    // Another writer (an import, say) holds the lock every writing transaction takes.
    const importer = await pool.connect();
    t.teardown(() => importer.release());
    await importer.query('begin');
    await importer.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    const patch = () =>
      send(impatient, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
        key: pgKey,
        body: { text: 'Written while another writer holds the lock.' },
        headers: { 'if-match': before.headers.etag as string },
      });
    const refused = await patch();
    t.equal(refused.response.statusCode, 503);
    t.equal(refused.response.headers['retry-after'], '5');
    t.match(refused.body, { status: 503, detail: /busy with another write.*nothing was changed/ });
    t.equal((await impatient.inject('/v1/recommendations/KGZ-3-FIN-1')).body, before.body, 'reads go on; nothing changed');
    t.equal((await pool.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n, audited, 'nothing audited');
    await importer.query('rollback');
    t.equal((await patch()).response.statusCode, 200, 'the same write succeeds once the lock is released');
  });
  t.test('a change answers the record as it left it, whatever write commits next (a DELETE was a 500)', async (t) => {
    const created = await send(onPostgres, 'POST', '/v1/statements', {
      key: pgKey,
      body: {
        reviewId: 'KGZ-3',
        speaker: { type: 'state', id: 'IRL' },
        stage: 'interactive_dialogue',
        date: '2020-01',
        datePrecision: 'month',
        summary: 'Called for the release of Azimjon Askarov.',
        sources: [{ title: 'A record', publisher: 'OHCHR', url: 'https://example.org/said' }],
      },
    });
    t.equal(created.response.statusCode, 201);
    const id = created.body.id as string;
    const watcher = new pg.Pool({ connectionString: url, max: 3 });
    t.teardown(() => watcher.end());
    const waiting = async (like: string) => {
      const query = `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query like $1`;
      while ((await watcher.query<{ n: number }>(query, [like])).rows[0]!.n === 0) await new Promise((resolve) => setImmediate(resolve));
    };
    // The PATCH is held before its commit (the revision row locked), its change made; another writer then asks
    // for the statements table, so that it writes the moment the PATCH commits, before anything reads after it.
    const revision = await watcher.connect();
    const other = await watcher.connect();
    t.teardown(() => {
      revision.release();
      other.release();
    });
    await revision.query('begin');
    await revision.query(`select 1 from meta where key = 'revision' for update`);
    const patched = send(onPostgres, 'PATCH', `/v1/statements/${id}`, { key: pgKey, body: { summary: 'Changed.' }, headers: { 'if-match': '*' } });
    await waiting('%insert into meta%'); // the bump, after the token drawn with it (src/db/pg/revision.ts)
    await other.query('begin');
    const locked = other.query('lock table statements in access exclusive mode');
    await waiting('lock table statements%');
    await revision.query('rollback');
    await locked;
    await other.query('delete from statements where id = $1', [id]);
    await other.query('commit');
    const answer = await patched;
    t.equal(answer.response.statusCode, 200, 'was 500: the answer was read after the commit, the record deleted meanwhile');
    t.match(answer.body, { id, summary: 'Changed.', version: 2 });
  });
}
