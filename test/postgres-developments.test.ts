import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { HRW_SOURCE } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';
import { alignCursors, askedAhead } from './support/both-backends.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { comparableEtag } from './support/same-tables.js';
import { copyGeneratedDatabase, copyTemplateDatabase } from './support/template-db.js';

// Developments and statements on PostgreSQL (issue #12): the same database on SQLite and, copied by db:copy's
// functions, on PostgreSQL answers the same reads with the same bytes and ETags; the same writes give the
// same answers (refusals included), histories, change feed, and the same stored documents of the
// recommendations a development's links change.

t.setTimeout(600_000);
const cluster = await startCluster(t);

/** Values of the generated data to filter by: the most frequent of each, so that the requests match something. */
function sample(path: string) {
  const sqlite = new Database(path, { readonly: true });
  const first = (query: string) => String(sqlite.prepare(query).pluck().get());
  const all = (query: string) => sqlite.prepare(query).pluck().all() as string[];
  try {
    return {
      state: first('select state_code from developments group by 1 order by count(*) desc, 1 limit 1'),
      review: first('select review_id from developments group by 1 order by count(*) desc, 1 limit 1'),
      recommendation: first('select recommendation_id from development_recommendations group by 1 order by count(*) desc, 1 limit 1'),
      theme: first('select theme_id from development_themes group by 1 order by count(*) desc, 1 limit 1'),
      developments: all('select id from developments order by id'),
      statementReview: first('select review_id from statements group by 1 order by count(*) desc, 1 limit 1'),
      statementState: first('select v.state_code from statements s join reviews v on v.id = s.review_id group by 1 order by count(*) desc, 1 limit 1'),
      speakerState: first('select speaker_state_code from statements where speaker_state_code is not null group by 1 order by count(*) desc, 1 limit 1'),
      speakerOrganization: first('select speaker_organization from statements where speaker_organization is not null group by 1 order by count(*) desc, 1 limit 1'),
      statements: all('select id from statements order by id'),
    };
  } finally {
    sqlite.close();
  }
}

/** Each path asked of both (the next ones asked meanwhile): the same status, body, ETag, content type and Link. */
async function compare(t: Test, sqlite: FastifyInstance, postgres: FastifyInstance, paths: string[]): Promise<number> {
  let nonEmpty = 0;
  for await (const [path, [a, b]] of askedAhead(paths, (path) => Promise.all([sqlite.inject(path), postgres.inject(path)]))) {
    t.equal(b.statusCode, a.statusCode, `${path}: status`);
    t.equal(b.body, a.body, `${path}: body`);
    t.equal(b.headers.etag, a.headers.etag, `${path}: ETag`);
    t.equal(b.headers['content-type'], a.headers['content-type'], `${path}: content type`);
    t.equal(b.headers.link, a.headers.link, `${path}: Link`);
    if (a.statusCode === 200 && !/"data":\[\]/.test(a.body)) nonEmpty += 1;
  }
  return nonEmpty;
}

/** A list's pages, its exports whole and limited, under each filter and sort; each record, and none. */
function resourcePaths(resource: string, filters: string[], sorts: string[], ids: string[]): string[] {
  const paths: string[] = [];
  for (const filter of filters) {
    for (const sort of sorts) {
      const query = [filter, sort].filter(Boolean).join('&');
      const sep = query === '' ? '' : '&';
      paths.push(`/v1/${resource}?${query}`, `/v1/${resource}?${query}${sep}limit=2`);
      for (const format of ['csv', 'ndjson']) paths.push(`/v1/${resource}?${query}${sep}format=${format}`, `/v1/${resource}?${query}${sep}format=${format}&limit=3`);
    }
  }
  paths.push(`/v1/${resource}?format=csv&bom=true`, `/v1/${resource}?cursor=nonsense`, `/v1/${resource}?sort=nonsense`);
  for (const id of ids) paths.push(`/v1/${resource}/${encodeURIComponent(id)}`);
  paths.push(`/v1/${resource}/NOPE-1`);
  return paths;
}

/** Every page of a list, by its cursors: the same on both. */
async function walkBoth(t: Test, sqlite: FastifyInstance, postgres: FastifyInstance, first: string): Promise<number> {
  let pages = 0;
  for (let path: string | null = first; path !== null; pages++) {
    const [a, b]: LightMyRequestResponse[] = await Promise.all([sqlite.inject(path), postgres.inject(path)]);
    t.equal(b!.body, a!.body, `${path}: the same page`);
    const next = a!.json().meta.nextCursor as string | null;
    path = next === null ? null : `${first}&cursor=${next}`;
  }
  return pages;
}

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;

  t.test('reads: the generated database answers the same on both backends', async (t) => {
    const sqlitePath = join(tempDir(t), 'generated.sqlite');
    copyGeneratedDatabase(sqlitePath, 1500);
    const url = await copiedDatabase(clusterUrl, sqlitePath);
    const s = sample(sqlitePath);

    t.test('developments: filters, sorts, full text, cursors, exports and each development', async (t) => {
      const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
      const onPostgres = await buildTestApp(t, { databaseUrl: url });
      const filters = [
        '',
        `stateUnderReview=${s.state}`,
        `reviewId=${s.review}`,
        `recommendationId=${s.recommendation}`,
        'direction=progress,setback',
        `theme=${s.theme}`,
        'theme=none',
        'from=2015-01-01&to=2020-06-30',
        'from=2020-01-01&to=2019-01-01',
        'q=torture',
        'q=journalists%20defenders',
        'q=%22foreign%20agents%22',
        'q=organiz*',
        `q=judiciary&stateUnderReview=${s.state}`,
      ];
      const paths = resourcePaths('developments', filters, ['', 'sort=-date', 'sort=id', 'sort=-id'], s.developments);
      t.ok((await compare(t, onSqlite, onPostgres, paths)) > paths.length / 2, 'most requests find developments');
      t.ok((await walkBoth(t, onSqlite, onPostgres, '/v1/developments?limit=4&sort=-date')) > 2, 'more than two pages');
      t.ok((await walkBoth(t, onSqlite, onPostgres, '/v1/developments?limit=3&q=torture')) > 1, 'more than one page of matches');
      const torture = (await onPostgres.inject('/v1/developments?q=torture')).json();
      t.ok(torture.meta.total > 0 && torture.meta.totalCapped === undefined, 'a full-text total, not capped');
    });

    t.test('developments: a full-text total capped at FULL_TEXT_MAX_COUNT on both', async (t) => {
      const onSqlite = await buildTestApp(t, { databasePath: sqlitePath, fullTextMaxCount: 3 });
      const onPostgres = await buildTestApp(t, { databaseUrl: url, fullTextMaxCount: 3 });
      await compare(t, onSqlite, onPostgres, ['/v1/developments?q=torture', '/v1/developments?q=torture&limit=1', '/v1/developments?q=torture&format=csv']);
      t.match((await onPostgres.inject('/v1/developments?q=torture')).json().meta, { total: 3, totalCapped: true });
    });

    t.test('statements: filters, sorts, cursors, exports and each statement', async (t) => {
      const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
      const onPostgres = await buildTestApp(t, { databaseUrl: url });
      const filters = [
        '',
        `reviewId=${s.statementReview}`,
        `stateUnderReview=${s.statementState}`,
        `speaker=${s.speakerState}`,
        `speaker=${encodeURIComponent(s.speakerOrganization)},${s.speakerState}`,
        'stage=adoption',
        'theme=none',
      ];
      const paths = resourcePaths('statements', filters, ['', 'sort=-date'], s.statements);
      t.ok((await compare(t, onSqlite, onPostgres, paths)) > paths.length / 2, 'most requests find statements');
      t.ok((await walkBoth(t, onSqlite, onPostgres, '/v1/statements?limit=2')) > 2, 'more than two pages');
    });
  });

  t.test('writes: the same developments and statements written on both backends', async (t) => {
    const sqlitePath = join(tempDir(t), 'seeded.sqlite');
    copyTemplateDatabase(sqlitePath);
    const url = await copiedDatabase(clusterUrl, sqlitePath);
    const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
    const onPostgres = await buildTestApp(t, { databaseUrl: url });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(() => pool.end());
    const sqliteKey = createApiKey(onSqlite.db, 'curator', 'write').key;
    const pgKey = (await pgCreateApiKey(pool, 'curator', 'write')).key;

    const INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
    /** PostgreSQL's body with each instant replaced by SQLite's at the same place (the clocks of two writes differ). */
    const alignInstants = (sqliteBody: string, pgBody: string) => {
      pgBody = alignCursors(sqliteBody, pgBody);
      const instants = [...sqliteBody.matchAll(INSTANT)].map((m) => m[0]);
      let i = 0;
      return pgBody.replace(INSTANT, (match) => (i < instants.length ? instants[i++]! : match));
    };

    interface Step {
      method: string;
      url: string;
      body?: unknown;
      headers?: Record<string, string>;
      /** Send If-Match with the ETag the last answer gave on each backend. */
      ifMatch?: boolean;
    }
    const etags = { sqlite: '', postgres: '' };

    /** The same request to both: the same status, body (instants aligned), Location, replay flag; the same ETag where the bodies are byte for byte equal. */
    async function both(t: Test, step: Step) {
      const answers: LightMyRequestResponse[] = [];
      for (const [app, key, which] of [
        [onSqlite, sqliteKey, 'sqlite'],
        [onPostgres, pgKey, 'postgres'],
      ] as const) {
        const headers = { ...step.headers, ...(step.ifMatch ? { 'if-match': etags[which] } : {}), authorization: `Bearer ${key}` };
        const response = await app.inject({
          method: step.method as 'GET',
          url: step.url,
          headers,
          ...(step.body === undefined ? {} : { payload: step.body as object }),
        });
        if (response.headers.etag !== undefined) etags[which] = String(response.headers.etag);
        answers.push(response);
      }
      const [a, b] = answers as [LightMyRequestResponse, LightMyRequestResponse];
      const what = `${step.method} ${step.url}`;
      t.equal(b.statusCode, a.statusCode, `${what}: status ${a.statusCode}`);
      t.equal(alignInstants(a.body, b.body), a.body, `${what}: the same body`);
      t.equal(b.headers['content-type'], a.headers['content-type'], `${what}: content type`);
      t.equal(b.headers.location, a.headers.location, `${what}: Location`);
      t.equal(b.headers['idempotency-replayed'], a.headers['idempotency-replayed'], `${what}: Idempotency-Replayed`);
      if (a.body === b.body) t.equal(comparableEtag(b.headers.etag), comparableEtag(a.headers.etag), `${what}: ETag`);
      return { a, b };
    }

    const developmentCount = async (id: string) => (await onPostgres.inject(`/v1/recommendations/${id}`)).json().developmentCount as number;
    const DEATH = {
      id: 'pg-askarov-death',
      stateUnderReview: 'KGZ',
      reviewId: 'KGZ-3',
      title: 'Askarov dies in custody',
      summary: 'The human rights defender Azimjon Askarov died in prison.',
      date: '2020-07-25',
      datePrecision: 'day',
      direction: 'setback',
      themes: ['human-rights-defenders'],
      recommendationIds: ['KGZ-3-FIN-1', 'KGZ-3-USA-3'],
      sources: [HRW_SOURCE, { ...HRW_SOURCE, url: 'https://example.org/reports/second', publishedOn: null }],
    };
    const SAID = {
      id: 'pg-statement',
      reviewId: 'KGZ-3',
      speaker: { type: 'state', id: 'IRL' },
      stage: 'interactive_dialogue',
      date: '2020-01',
      datePrecision: 'month',
      summary: 'Called for the release of the human rights defender Azimjon Askarov.',
      themes: ['human-rights-defenders'],
      sources: [HRW_SOURCE],
    };

    t.test('developments: creates, changes, links, deletes and every refusal', async (t) => {
      const before = await developmentCount('KGZ-3-USA-3');
      const create = { method: 'POST', url: '/v1/developments', body: DEATH, headers: { 'idempotency-key': 'dev-1' } };
      t.equal((await both(t, create)).b.statusCode, 201);
      t.equal(await developmentCount('KGZ-3-USA-3'), before + 1, "a linked recommendation's document counts the development at once");
      t.equal((await both(t, create)).b.headers['idempotency-replayed'], 'true', 'a retried create is replayed');
      t.equal((await both(t, { ...create, body: { ...DEATH, title: 'Another' } })).b.statusCode, 422, 'a key reused for another request');
      t.equal((await both(t, { method: 'POST', url: '/v1/developments', body: DEATH })).b.statusCode, 409, 'an id taken');
      const refused = [
        { ...DEATH, id: 'pg-bad-1', themes: ['no-such-theme'], recommendationIds: ['KGZ-3-NOPE-1'], stateUnderReview: 'XYZ' },
        { ...DEATH, id: 'pg-bad-2', stateUnderReview: 'FIN' },
        { ...DEATH, id: 'pg-bad-3', reviewId: 'NOPE-1', date: '2020-13', datePrecision: 'month' },
        { ...DEATH, id: 'pg-bad-4', date: '2999', datePrecision: 'year' },
      ];
      for (const body of refused) t.equal((await both(t, { method: 'POST', url: '/v1/developments', body })).b.statusCode, 422);
      t.equal((await both(t, { method: 'POST', url: '/v1/developments', body: { ...DEATH, sources: [] } })).b.statusCode, 400);
      await both(t, { method: 'POST', url: '/v1/developments', body: { ...DEATH, id: 'pg-plain', reviewId: null, themes: [], recommendationIds: [], date: '2021', datePrecision: 'year', direction: 'neutral' } });

      const path = '/v1/developments/pg-askarov-death';
      await both(t, { method: 'GET', url: path });
      t.equal((await both(t, { method: 'PATCH', url: path, body: { direction: 'neutral' } })).b.statusCode, 428);
      t.equal((await both(t, { method: 'PATCH', url: path, body: { direction: 'neutral' }, headers: { 'if-match': '"v9-r1"' } })).b.statusCode, 412);
      t.equal((await both(t, { method: 'PATCH', url: path, body: { date: '2020-07', datePrecision: 'month', title: 'Askarov dies' }, ifMatch: true })).b.statusCode, 200);
      await both(t, { method: 'PATCH', url: path, body: { recommendationIds: ['KGZ-3-FIN-1', 'KGZ-3-ESP-1'], themes: [], sources: [{ ...HRW_SOURCE, title: 'Renamed report' }] }, ifMatch: true });
      t.equal(await developmentCount('KGZ-3-USA-3'), before, "an unlinked recommendation's document no longer counts it");
      await both(t, { method: 'PATCH', url: path, body: { summary: 'The human rights defender Azimjon Askarov died in prison.' }, headers: { 'if-match': '*' } });
      await both(t, { method: 'PATCH', url: path, body: { stateUnderReview: 'FIN' }, headers: { 'if-match': '*' } });
      await both(t, { method: 'PATCH', url: path, body: { reviewId: 'NOPE-1', recommendationIds: ['KGZ-3-NOPE-1'] }, headers: { 'if-match': '*' } });
      await both(t, { method: 'PATCH', url: '/v1/developments/nope', body: { direction: 'neutral' }, headers: { 'if-match': '*' } });
      await both(t, { method: 'PATCH', url: path, body: {}, headers: { 'if-match': '*' } });

      // Links: idempotent, If-Match optional and checked, refused for another state's or an unknown recommendation.
      const link = `${path}/recommendations/KGZ-3-GBR-1`;
      await both(t, { method: 'PUT', url: link });
      await both(t, { method: 'PUT', url: link });
      await both(t, { method: 'PUT', url: link, headers: { 'if-match': '"v1-r1"' } });
      await both(t, { method: 'DELETE', url: `${path}/recommendations/KGZ-3-FIN-1`, ifMatch: true });
      await both(t, { method: 'DELETE', url: `${path}/recommendations/KGZ-3-FIN-1` });
      await both(t, { method: 'PUT', url: `${path}/recommendations/KGZ-3-NOPE-1` });
      await both(t, { method: 'PUT', url: '/v1/developments/nope/recommendations/KGZ-3-GBR-1' });
      await both(t, { method: 'PUT', url: '/v1/developments/pg-plain/recommendations/KGZ-3-GBR-2' });
      await both(t, { method: 'PATCH', url: '/v1/developments/pg-plain', body: { stateUnderReview: 'FIN' }, headers: { 'if-match': '*' } });
      t.equal((await both(t, { method: 'PUT', url: '/v1/developments/pg-plain/recommendations/KGZ-3-GBR-2' })).b.statusCode, 200, 'linked already: nothing changes');
      const finnish = { ...DEATH, id: 'pg-fin', stateUnderReview: 'FIN', reviewId: null, recommendationIds: [] };
      t.equal((await both(t, { method: 'POST', url: '/v1/developments', body: finnish })).b.statusCode, 201);
      t.equal((await both(t, { method: 'PUT', url: '/v1/developments/pg-fin/recommendations/KGZ-3-GBR-2' })).b.statusCode, 422, "another state's recommendation");

      // Deletes: If-Match required; the deleted development's links go with it; a replay of its create is refused.
      t.equal((await both(t, { method: 'DELETE', url: path })).b.statusCode, 428);
      await both(t, { method: 'DELETE', url: path, headers: { 'if-match': '"v1-r1"' } });
      const counted = await developmentCount('KGZ-3-GBR-1');
      t.equal((await both(t, { method: 'DELETE', url: path, headers: { 'if-match': '*' } })).b.statusCode, 204);
      t.equal(await developmentCount('KGZ-3-GBR-1'), counted - 1, "a deleted development leaves its recommendations' documents");
      await both(t, { method: 'DELETE', url: path, headers: { 'if-match': '*' } });
      t.equal((await both(t, create)).b.statusCode, 409, 'the create of a deleted record is not replayed');
      await both(t, { method: 'DELETE', url: '/v1/developments/kgz-2020-anti-ngo-bill', headers: { 'if-match': '*' } });
    });

    t.test('statements: creates, changes, deletes and every refusal', async (t) => {
      const create = { method: 'POST', url: '/v1/statements', body: SAID, headers: { 'idempotency-key': 'st-1' } };
      t.equal((await both(t, create)).b.statusCode, 201);
      t.equal((await both(t, create)).b.headers['idempotency-replayed'], 'true');
      t.equal((await both(t, { ...create, body: { ...SAID, summary: 'Other.' } })).b.statusCode, 422);
      t.equal((await both(t, { method: 'POST', url: '/v1/statements', body: SAID })).b.statusCode, 409);
      const refused = [
        { ...SAID, id: 'pg-st-bad-1', reviewId: 'NOPE-1', speaker: { type: 'state', id: 'XYZ' }, themes: ['nope'] },
        { ...SAID, id: 'pg-st-bad-2', date: '2020-02-30', datePrecision: 'day' },
      ];
      for (const body of refused) t.equal((await both(t, { method: 'POST', url: '/v1/statements', body })).b.statusCode, 422);
      await both(t, { method: 'POST', url: '/v1/statements', body: { ...SAID, id: 'pg-st-org', speaker: { type: 'organization', name: 'Example NGO' }, themes: [] } });

      const path = '/v1/statements/pg-statement';
      await both(t, { method: 'GET', url: path });
      t.equal((await both(t, { method: 'PATCH', url: path, body: { stage: 'adoption' } })).b.statusCode, 428);
      t.equal((await both(t, { method: 'PATCH', url: path, body: { stage: 'adoption' }, headers: { 'if-match': '"v7-r1"' } })).b.statusCode, 412);
      await both(t, { method: 'PATCH', url: path, body: { stage: 'adoption', date: '2020-01-20', datePrecision: 'day' }, ifMatch: true });
      await both(t, { method: 'PATCH', url: path, body: { speaker: { type: 'organization', name: 'Human Rights Watch' }, themes: [], sources: [{ ...HRW_SOURCE, url: 'https://example.org/reports/said' }] }, ifMatch: true });
      await both(t, { method: 'PATCH', url: path, body: { speaker: { type: 'state', id: 'FIN' }, summary: 'Welcomed the release.' }, headers: { 'if-match': '*' } });
      await both(t, { method: 'PATCH', url: path, body: { themes: [] }, headers: { 'if-match': '*' } });
      await both(t, { method: 'PATCH', url: path, body: { reviewId: 'NOPE-1' }, headers: { 'if-match': '*' } });
      await both(t, { method: 'PATCH', url: '/v1/statements/nope', body: { stage: 'adoption' }, headers: { 'if-match': '*' } });
      t.equal((await both(t, { method: 'DELETE', url: path })).b.statusCode, 428);
      t.equal((await both(t, { method: 'DELETE', url: path, headers: { 'if-match': '*' } })).b.statusCode, 204);
      await both(t, { method: 'DELETE', url: path, headers: { 'if-match': '*' } });
      t.equal((await both(t, create)).b.statusCode, 409);
    });

    t.test('afterwards: the same lists, exports, histories, change feed and recommendation documents', async (t) => {
      const paths = [
        '/v1/developments?sort=id&limit=100',
        '/v1/developments?format=csv',
        '/v1/developments?format=ndjson&recommendationId=KGZ-3-GBR-1',
        '/v1/developments/pg-plain',
        '/v1/statements?limit=100',
        '/v1/statements?format=csv',
        '/v1/statements/pg-st-org',
        '/v1/recommendations?limit=200&sort=id',
        '/v1/recommendations?format=csv&sort=id',
        '/v1/recommendations?hasDevelopments=true&sort=id',
        '/v1/recommendations/KGZ-3-FIN-1',
        '/v1/recommendations/KGZ-3-GBR-1',
        '/v1/recommendations/KGZ-3-USA-3',
        '/v1/reviews/KGZ-3',
        '/v1/sources?limit=100',
        '/v1/developments/pg-askarov-death/history',
        '/v1/developments/pg-plain/history',
        '/v1/developments/kgz-2020-anti-ngo-bill/history',
        '/v1/statements/pg-statement/history',
        '/v1/statements/pg-st-org/history',
        '/v1/changes?entity=developments',
        '/v1/changes?entity=statements',
        '/v1/changes?entity=sources',
        '/v1/changes?limit=200',
      ];
      for (const url of paths) await both(t, { method: 'GET', url });
      const revision = async (app: FastifyInstance) => (await app.inject('/v1/changes?limit=1')).json().meta.revision as number;
      t.equal(await revision(onPostgres), await revision(onSqlite), 'the same number of revisions');
    });

    t.test('an id made up for a development or statement without one: the same form on both', async (t) => {
      for (const [resource, body, form] of [
        ['developments', { ...DEATH, id: undefined }, /^\/v1\/developments\/kgz-2020-07-25-[0-9a-f]{8}$/],
        ['statements', { ...SAID, id: undefined }, /^\/v1\/statements\/KGZ-3-[0-9a-f]{8}$/],
      ] as const) {
        for (const [app, key] of [
          [onSqlite, sqliteKey],
          [onPostgres, pgKey],
        ] as const) {
          const response = await app.inject({ method: 'POST', url: `/v1/${resource}`, payload: body, headers: { authorization: `Bearer ${key}` } });
          t.equal(response.statusCode, 201);
          t.match(response.headers.location, form);
        }
      }
    });
  });
}
