import t from 'tap';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// GET /v1/assessments: the seed's two (KGZ-3-FIN-1 and KGZ-3-ESP-1, both not_implemented on 2020-09-28),
// and three written here, one of them on a recommendation of another review (FIN-4).

type Item = { id: string; recommendationId: string; reviewId: string; stateUnderReview: { id: string }; status: string; assessedOn: string; sources: { id: string; url: string }[] };
type Body = { data: Item[]; meta: { total: number; limit: number; nextCursor: string | null } };
const ids = (body: Body) => body.data.map((a) => a.id);

t.test('assessments list: filters, keyset pages, exports, ETags', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const admin = mintKey(app, 'admin', 'admin');
  t.equal((await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'FIN', cycle: 4 } })).response.statusCode, 201);
  const finRecommendation = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'FIN-4', paragraph: '1.1', text: 'A test recommendation.', verbatim: false, recommendingStates: ['KGZ'] },
  });
  const assess = async (id: string, recommendationId: string, status: string, assessedOn: string) => {
    const created = await send(app, 'POST', '/v1/assessments', {
      key,
      body: { id, recommendationId, status, assessedOn, rationale: `Rationale of ${id}.`, sources: [HRW_SOURCE] },
    });
    t.equal(created.response.statusCode, 201, id);
  };
  await assess('gbr-1-2021', 'KGZ-3-GBR-1', 'partially_implemented', '2021-03-01');
  await assess('gbr-1-2019', 'KGZ-3-GBR-1', 'not_implemented', '2019-05-01');
  await assess('fin-4-2022', finRecommendation.body.id, 'implemented', '2022-01-10');
  const SEEDED = ['KGZ-3-ESP-1-2020-09-28', 'KGZ-3-FIN-1-2020-09-28'];

  const all = await getJson<Body>(app, '/v1/assessments');
  t.equal(all.response.statusCode, 200);
  t.same(ids(all.body), ['gbr-1-2019', ...SEEDED, 'gbr-1-2021', 'fin-4-2022'], 'by assessedOn, then id');
  t.same(all.body.meta, { total: 5, limit: 50, nextCursor: null });
  const seeded = all.body.data.find((a) => a.id === 'KGZ-3-FIN-1-2020-09-28')!;
  t.match(seeded, {
    recommendationId: 'KGZ-3-FIN-1',
    reviewId: 'KGZ-3',
    stateUnderReview: { id: 'KGZ', name: 'Kyrgyzstan' },
    status: 'not_implemented',
    assessedOn: '2020-09-28',
    rationale: /Askarov/,
    version: 1,
  });
  t.equal(seeded.sources.length, 1);
  t.match(seeded.sources[0], { id: String, url: /^https:\/\// });
  t.same(ids((await getJson<Body>(app, '/v1/assessments?sort=-assessedOn')).body), [
    'fin-4-2022', 'gbr-1-2021', ...[...SEEDED].reverse(), 'gbr-1-2019',
  ]);
  t.same(ids((await getJson<Body>(app, '/v1/assessments?sort=-id&limit=2')).body), ['gbr-1-2021', 'gbr-1-2019']);

  const filtered = async (query: string) => ids((await getJson<Body>(app, `/v1/assessments?${query}`)).body);
  t.same(await filtered('reviewId=FIN-4'), ['fin-4-2022']);
  t.same(await filtered('stateUnderReview=KGZ'), ['gbr-1-2019', ...SEEDED, 'gbr-1-2021']);
  t.same(await filtered('stateUnderReview=FIN,KGZ&status=implemented,partially_implemented'), ['gbr-1-2021', 'fin-4-2022']);
  t.same(await filtered('recommendationId=KGZ-3-GBR-1'), ['gbr-1-2019', 'gbr-1-2021']);
  // stateUnderReview takes a state as every state filter does (it took only a code in capitals: kgz was a 400).
  for (const state of ['kgz', 'Kyrgyzstan', 'Kyrgyz%20Republic', 'fin,KYRGYZSTAN']) {
    const { response, body } = await getJson<Body>(app, `/v1/assessments?stateUnderReview=${state}`);
    t.equal(response.statusCode, 200, state);
    const expected = state.startsWith('fin') ? ['gbr-1-2019', ...SEEDED, 'gbr-1-2021', 'fin-4-2022'] : ['gbr-1-2019', ...SEEDED, 'gbr-1-2021'];
    t.same(ids(body), expected, state);
  }
  const byName = await getJson(app, '/v1/assessments?stateUnderReview=Kyrgyzstan');
  t.equal(byName.response.headers.etag, (await getJson(app, '/v1/assessments?stateUnderReview=KGZ')).response.headers.etag, 'one query, one ETag');
  const unknownState = await getJson(app, '/v1/assessments?stateUnderReview=Kyrgyztan');
  t.equal(unknownState.response.statusCode, 400, 'an unknown state is a 400, not an empty page');
  t.match(unknownState.body.errors, [{ in: 'query', name: 'stateUnderReview', message: /did you mean KGZ \(Kyrgyzstan\)/ }]);
  const csvByName = await app.inject({ url: '/v1/assessments?format=csv&stateUnderReview=kyrgyzstan' });
  t.equal(csvByName.body.trimEnd().split('\r\n').length, 5, 'the export reads the name too');
  // source: the assessments citing it (GET /v1/sources/{id} lists the first 100 only), its id in any case.
  t.same(await filtered('source=hrw-2020-09-28-kgz-upr-adoption'), SEEDED);
  const written = all.body.data.find((a) => a.id === 'fin-4-2022')!.sources[0]!.id;
  t.same(await filtered(`source=${written}`), ['gbr-1-2019', 'gbr-1-2021', 'fin-4-2022'], 'the source the writes cited');
  t.same(await filtered(`source=${written.toUpperCase()},hrw-2020-09-28-kgz-upr-adoption&status=implemented,partially_implemented`), ['gbr-1-2021', 'fin-4-2022']);
  const csvBySource = await app.inject({ url: '/v1/assessments?format=csv&source=HRW-2020-09-28-kgz-upr-adoption' });
  t.same(csvBySource.body.trimEnd().split('\r\n').slice(1).map((line) => line.split(',')[0]).sort(), SEEDED, 'the export filters by source too');
  const unknownSource = await getJson(app, '/v1/assessments?source=hrw-2020-09-28');
  t.equal(unknownSource.response.statusCode, 400, 'an unknown source is a 400, not an empty page');
  t.match(unknownSource.body.errors, [{ in: 'query', name: 'source', message: /No source has the id "hrw-2020-09-28"; did you mean hrw-2020-09-28-kgz-upr-adoption \(/ }]);
  t.same(await filtered('from=2020-09-28&to=2021-03-01'), [...SEEDED, 'gbr-1-2021'], 'from and to include their days');
  t.same(await filtered('from=2022-01-11'), []);
  t.same(await filtered('from=2020-09&to=2021'), await filtered('from=2020-09-01&to=2021-12-31'), 'a month from its first day, a year to its last');

  // Keyset pages: two at a time, with the Link header.
  const walked: string[] = [];
  let url = '/v1/assessments?limit=2';
  for (;;) {
    const page = await getJson<Body>(app, url);
    walked.push(...ids(page.body));
    if (page.body.meta.nextCursor === null) break;
    url = (page.response.headers.link as string).match(/^<([^>]+)>/)![1]!;
  }
  t.same(walked, ids(all.body));

  for (const bad of ['from=2021-02-30', 'to=yesterday', 'from=2022-01-01&to=2021-01-01', 'status=done', 'stateUnderReview=Atlantis', 'stateUnderReview=XYZ', 'sort=rationale', 'cursor=nonsense', 'colour=red']) {
    const { response, body } = await getJson(app, `/v1/assessments?${bad}`);
    t.equal(response.statusCode, 400, bad);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.ok(body.detail || body.errors, bad);
  }
  const otherSort = await getJson(app, `/v1/assessments?sort=id&cursor=${all.body.meta.nextCursor ?? (await getJson<Body>(app, '/v1/assessments?limit=1')).body.meta.nextCursor}`);
  t.equal(otherSort.response.statusCode, 400, 'a cursor of another sort');

  // Exports: the same filter, every match.
  const csv = await app.inject({ url: '/v1/assessments?format=csv&stateUnderReview=KGZ' });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="assessments-/);
  const lines = csv.body.trimEnd().split('\r\n');
  t.equal(lines[0], 'id,url,recommendationId,reviewId,stateUnderReview,stateUnderReviewName,status,assessedOn,rationale,sources,sourceTitles,sourcePublishers,sourceUrls,sourcePublicationDates,version,createdAt,updatedAt');
  t.same(lines.slice(1).map((line) => line.split(',')[0]), ['gbr-1-2019', ...SEEDED, 'gbr-1-2021']);
  t.match(lines[1], /^gbr-1-2019,http:\/\/[^,]+\/v1\/assessments\/gbr-1-2019,KGZ-3-GBR-1,KGZ-3,KGZ,Kyrgyzstan,not_implemented,2019-05-01,/);
  const ndjson = await app.inject({ url: '/v1/assessments', headers: { accept: 'application/x-ndjson' } });
  t.same(
    ndjson.body.trimEnd().split('\n').map((line) => JSON.parse(line)),
    all.body.data,
    'NDJSON: the JSON items, one per line',
  );
  const limited = await app.inject({ url: '/v1/assessments?format=ndjson&limit=2' });
  t.equal(limited.body.trimEnd().split('\n').length, 2);
  t.match(limited.headers.link, /rel="next"/);

  // ETag and cache, as every list: a revalidation is a 304 until a write.
  t.equal(all.response.headers['cache-control'], 'public, max-age=60');
  const etag = all.response.headers.etag as string;
  t.equal((await app.inject({ url: '/v1/assessments', headers: { 'if-none-match': etag } })).statusCode, 304);
  await send(app, 'PATCH', '/v1/assessments/gbr-1-2019', { key, body: { status: 'partially_implemented' }, headers: { 'if-match': '*' } });
  const after = await app.inject({ url: '/v1/assessments', headers: { 'if-none-match': etag } });
  t.equal(after.statusCode, 200, 'a write makes a new ETag');
  t.equal(JSON.parse(after.body).data[0].status, 'partially_implemented');
});
