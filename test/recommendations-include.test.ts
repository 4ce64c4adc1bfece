import t from 'tap';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { recordStatements } from './support/pgconv-a-statements.js';

// include=assessments,developments on GET /v1/recommendations: each record as the detail shows it, bounded,
// from one query per included kind for the whole page.

type Item = { id: string; assessments?: unknown[]; assessmentCount?: number; developments?: { id: string }[]; developmentCount: number };

t.test('include=assessments,developments embeds what the detail shows, bounded', async (t) => {
  const app = await buildTestApp(t);
  const page = await getJson<{ data: Item[]; meta: { total: number } }>(app, '/v1/recommendations?reviewId=KGZ-3&include=assessments,developments');
  t.equal(page.response.statusCode, 200);
  const plain = await getJson<{ data: Item[]; meta: unknown }>(app, '/v1/recommendations?reviewId=KGZ-3');
  t.same(page.body.meta, plain.body.meta);
  t.equal(page.body.data.length, plain.body.data.length);
  for (const [i, item] of page.body.data.entries()) {
    const detail = (await getJson(app, `/v1/recommendations/${item.id}`)).body;
    t.same(item.assessments, detail.assessments, `${item.id}: the detail's assessments`);
    t.equal(item.assessmentCount, detail.assessments.length);
    t.same(item.developments, detail.developments, `${item.id}: the detail's developments`);
    const { assessments: _a, assessmentCount: _c, developments: _d, ...rest } = item;
    t.same(rest, plain.body.data[i], 'and the record as the list shows it');
  }
  t.ok(page.body.data.some((item) => item.assessments!.length > 0), 'some have assessments');
  t.ok(page.body.data.some((item) => item.developments!.length > 0), 'some have developments');

  const onlyAssessments = (await getJson<{ data: Item[] }>(app, '/v1/recommendations?reviewId=KGZ-3&include=assessments')).body.data;
  t.ok(onlyAssessments.every((item) => item.assessments !== undefined && item.developments === undefined));
  const onlyDevelopments = (await getJson<{ data: Item[] }>(app, '/v1/recommendations?reviewId=KGZ-3&include=developments&limit=2')).body;
  t.ok(onlyDevelopments.data.every((item) => item.developments !== undefined && item.assessments === undefined));
  t.equal(onlyDevelopments.data.length, 2);

  // Bounded: at most 10 of each per record; assessmentCount and developmentCount say how many in all.
  const key = mintKey(app);
  for (let i = 0; i < 12; i++) {
    const day = String(i + 1).padStart(2, '0');
    await send(app, 'POST', '/v1/assessments', {
      key,
      body: { recommendationId: 'KGZ-3-GBR-1', status: 'partially_implemented', assessedOn: `2021-01-${day}`, rationale: `R ${i}.`, sources: [HRW_SOURCE] },
    });
    const development = await send(app, 'POST', '/v1/developments', {
      key,
      body: {
        stateUnderReview: 'KGZ', reviewId: null, title: `Development ${i}`, summary: 'S.', date: `2021-02-${day}`, datePrecision: 'day',
        direction: 'progress', themes: [], recommendationIds: ['KGZ-3-GBR-1'], sources: [HRW_SOURCE],
      },
    });
    t.equal(development.response.statusCode, 201, development.response.body);
  }
  const bounded = (await getJson<{ data: Item[] }>(app, '/v1/recommendations?reviewId=KGZ-3&include=developments,assessments')).body.data;
  const gbr = bounded.find((item) => item.id === 'KGZ-3-GBR-1')!;
  t.equal(gbr.assessments!.length, 10);
  const detail = (await getJson(app, '/v1/recommendations/KGZ-3-GBR-1')).body;
  t.ok(detail.assessments.length >= 12);
  t.equal(gbr.assessmentCount, detail.assessments.length, 'assessmentCount: all of them');
  t.same(gbr.assessments, detail.assessments.slice(0, 10), 'the newest ten');
  t.match(gbr.assessments![0], { assessedOn: '2021-01-12' }, 'newest first');
  t.equal(gbr.developments!.length, 10);
  t.ok(gbr.developmentCount >= 12);

  // One statement per included kind for the page, however many records it has.
  const recorder = await recordStatements(app);
  await app.inject({ url: '/v1/recommendations?include=assessments,developments&limit=500', headers: { 'cache-control': 'no-cache' } });
  recorder.stop();
  const { statements } = recorder;
  t.equal(statements.filter((s) => /from assessments a join sources/.test(s)).length, 1, 'assessments: one query');
  t.equal(statements.filter((s) => /from development_recommendations dr join developments/.test(s)).length, 1, 'developments: one query');

  // JSON only; unknown values refused.
  for (const bad of ['include=assessments&format=csv', 'include=developments&format=ndjson', 'include=themes', 'include=']) {
    const { response } = await getJson(app, `/v1/recommendations?${bad}`);
    t.equal(response.statusCode, 400, bad);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
  }
  const csvAccept = await app.inject({ url: '/v1/recommendations?include=assessments', headers: { accept: 'text/csv' } });
  t.equal(csvAccept.statusCode, 400);
  t.match(csvAccept.json().detail, /JSON/);

  // A cached page with include is a page of its own (its query differs).
  const first = await app.inject({ url: '/v1/recommendations?include=assessments&limit=1' });
  const revalidated = await app.inject({ url: '/v1/recommendations?include=assessments&limit=1', headers: { 'if-none-match': first.headers.etag as string } });
  t.equal(revalidated.statusCode, 304);
  t.not(first.headers.etag, (await app.inject({ url: '/v1/recommendations?limit=1' })).headers.etag);
});
