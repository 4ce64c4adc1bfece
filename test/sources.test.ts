import t from 'tap';
import { SOURCES } from '../seed/kyrgyzstan-upr3.js';
import { TERMAN_SOURCE } from '../src/import/terman-csv.js';
import { UPR_INFO_SOURCE } from '../src/import/upr-info.js';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { writeRows } from './fixtures.js';
import { buildTestApp, getJson } from './helpers.js';
import { testSql } from './support/test-sql.js';

type Source = { id: string; title: string; publisher: string; url: string; publishedOn: string | null; publishedOnPrecision: string | null };
type Body = { data: Source[]; meta: { total: number; limit: number; nextCursor: string | null } };
const ids = (body: Body) => body.data.map((s) => s.id);

t.test('sources: list, filters, exports, and what cites each', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  // Sorted here, by code unit as the API sorts ids, whatever the database's collation.
  const stored = async (query: string) => (await sql.all<Record<string, string>>(query)).map((row) => Object.values(row)[0]!).sort();
  const allIds = await stored('select id from sources');
  t.ok(allIds.length >= 3, `${allIds.length} seeded sources`);

  const all = await getJson<Body>(app, '/v1/sources?limit=500');
  t.equal(all.response.statusCode, 200);
  t.same(ids(all.body), allIds, 'by id');
  t.equal(all.body.meta.total, allIds.length);
  t.equal(all.response.headers['cache-control'], 'public, max-age=60');
  t.same(ids((await getJson<Body>(app, '/v1/sources?sort=-id&limit=500')).body), [...allIds].reverse());

  // Keyset pages.
  const walked: string[] = [];
  let url = '/v1/sources?limit=2';
  for (;;) {
    const page = await getJson<Body>(app, url);
    walked.push(...ids(page.body));
    if (page.body.meta.nextCursor === null) break;
    url = `/v1/sources?limit=2&cursor=${page.body.meta.nextCursor}`;
  }
  t.same(walked, allIds);

  // Filters: publisher (exact, any of several) and q (contained in title, publisher or URL, any case).
  const hrw = await stored("select id from sources where publisher = 'Human Rights Watch' order by id");
  t.ok(hrw.length > 0);
  t.same(ids((await getJson<Body>(app, '/v1/sources?publisher=Human%20Rights%20Watch')).body), hrw);
  const two = await stored("select id from sources where publisher in ('Human Rights Watch', 'OHCHR') order by id");
  t.same(ids((await getJson<Body>(app, '/v1/sources?publisher=Human%20Rights%20Watch&publisher=OHCHR')).body), two);
  t.same(ids((await getJson<Body>(app, '/v1/sources?q=HUMAN%20RIGHTS%20WATCH')).body), await stored(
    "select id from sources where lower(title || ' ' || publisher || ' ' || url) like '%human rights watch%'",
  ));
  t.same(ids((await getJson<Body>(app, '/v1/sources?q=hrw.org')).body), await stored("select id from sources where url like '%hrw.org%' order by id"));
  t.same((await getJson<Body>(app, '/v1/sources?q=nothing-like-this')).body.data, []);
  for (const bad of ['q=', 'sort=title', 'limit=0', 'cursor=x', 'colour=red', `q=${'x'.repeat(201)}`]) {
    const { response } = await getJson(app, `/v1/sources?${bad}`);
    t.equal(response.statusCode, 400, bad);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
  }

  // Exports.
  const csv = await app.inject({ url: '/v1/sources?format=csv' });
  t.equal(csv.statusCode, 200);
  const lines = csv.body.trimEnd().split('\r\n');
  t.equal(lines[0], 'id,apiUrl,title,publisher,url,publishedOn,publishedOnPrecision');
  t.same(lines.slice(1).map((line) => line.split(',')[0]), allIds);
  const ndjson = await app.inject({ url: '/v1/sources?format=ndjson' });
  t.same(ndjson.body.trimEnd().split('\n').map((line) => JSON.parse(line)), all.body.data);

  // What cites a source: the seed's HRW report on the adoption of Kyrgyzstan's review.
  const id = 'hrw-2020-09-28-kgz-upr-adoption';
  const detail = await getJson(app, `/v1/sources/${id}`);
  t.equal(detail.response.statusCode, 200);
  t.equal(detail.response.headers['cache-control'], 'public, max-age=60');
  t.match(detail.body, { id, publisher: 'Human Rights Watch', url: /^https:\/\// });
  const expected = async (query: string) => {
    const list = await stored(query);
    return { count: list.length, ids: list };
  };
  t.same(detail.body.citedBy, {
    recommendations: await expected(`select id from recommendations where source_id = '${id}'
      union select recommendation_id from recommendation_sources where source_id = '${id}' order by 1`),
    positions: await expected(`select recommendation_id from recommendation_sources where source_id = '${id}' and position is not null order by 1`),
    assessments: await expected(`select id from assessments where source_id = '${id}' order by 1`),
    developments: await expected(`select development_id from development_sources where source_id = '${id}' order by 1`),
    statements: await expected(`select id from statements where source_id = '${id}' order by 1`),
    reviews: await expected(`select review_id from review_sources where source_id = '${id}' order by 1`),
  });
  t.ok(detail.body.citedBy.assessments.count >= 2, 'the seeded assessments cite it');
  t.ok(detail.body.citedBy.statements.count >= 1);

  // An import's per-source record with a position: the positions this source records.
  await writeRows(app, ['KGZ-3-USA-1'], [
    [`insert into recommendation_sources (recommendation_id, source_id, position, match_key) values ('KGZ-3-USA-1', ?, 'noted', 'k')`, [id]],
  ]);
  const withPosition = await getJson(app, `/v1/sources/${id}`);
  t.same(withPosition.body.citedBy.positions, { count: 1, ids: ['KGZ-3-USA-1'] });
  t.ok(withPosition.body.citedBy.recommendations.ids.includes('KGZ-3-USA-1'));

  // Bounded: the first 100 ids per kind, with the full count.
  const key = mintKey(app);
  const created = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { recommendationId: 'KGZ-3-GBR-1', status: 'implemented', assessedOn: '2021-01-01', rationale: 'R.', sources: [HRW_SOURCE] },
  });
  const newSource = created.body.sources[0].id as string;
  const insert = `insert into assessments (id, recommendation_id, status, assessed_on, rationale, source_id, created_at, updated_at)
    values (?, 'KGZ-3-GBR-1', 'implemented', '2021-01-01', 'R.', ?, '2026-01-01', '2026-01-01')`;
  await writeRows(app, ['KGZ-3-GBR-1'], Array.from({ length: 120 }, (_, i) => [insert, [`bulk-${String(i).padStart(3, '0')}`, newSource]]));
  const many = await getJson(app, `/v1/sources/${newSource}`);
  t.equal(many.body.citedBy.assessments.count, 121);
  t.equal(many.body.citedBy.assessments.ids.length, 100);
  t.same(many.body.citedBy.assessments.ids.slice(0, 2), [created.body.id, 'bulk-000'], 'sorted');
  t.equal(many.body.citedBy.assessments.ids.at(-1), 'bulk-098');

  // ETag: a 304 for a revalidation; a write elsewhere leaves it, a new citation changes it.
  const etag = detail.response.headers.etag as string;
  const other = (await getJson(app, `/v1/sources/${newSource}`)).response.headers.etag as string;
  const revalidated = await app.inject({ url: `/v1/sources/${newSource}`, headers: { 'if-none-match': other } });
  t.equal(revalidated.statusCode, 304);
  await send(app, 'PATCH', '/v1/statements/KGZ-3-HRW-adoption', { key, body: { summary: 'Changed.' }, headers: { 'if-match': '*' } });
  t.equal((await app.inject({ url: `/v1/sources/${newSource}`, headers: { 'if-none-match': other } })).statusCode, 304, 'a write elsewhere');
  t.not((await getJson(app, `/v1/sources/${id}`)).response.headers.etag, etag, 'the position above changed what it shows');

  const missing = await getJson(app, '/v1/sources/nope');
  t.equal(missing.response.statusCode, 404);
  t.match(missing.response.headers['content-type'], /^application\/problem\+json/);
  t.match(missing.body.detail, /nope/);
  t.equal((await getJson(app, `/v1/sources/${id}?x=1`)).response.statusCode, 400);
});

t.test("sources: a publication date known to the month or the year is shown, stored and filtered as that period", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const url = 'https://example.org/reports/march-2020';
  const cite = (publishedOn: unknown) =>
    send(app, 'POST', '/v1/assessments', {
      key,
      body: { recommendationId: 'KGZ-3-GBR-1', status: 'implemented', assessedOn: '2021-01-01', rationale: 'R.',
        sources: [{ title: 'March report', publisher: 'Example NGO', url, publishedOn }] },
    });
  const created = await cite('2020-03');
  t.equal(created.response.statusCode, 201);
  const id = created.body.sources[0].id as string;
  t.match(created.body.sources[0], { publishedOn: '2020-03', publishedOnPrecision: 'month' }, 'not 2020-03-01');
  t.match((await getJson(app, `/v1/sources/${id}`)).body, { publishedOn: '2020-03', publishedOnPrecision: 'month' });
  t.match((await getJson(app, `/v1/assessments/${created.body.id}`)).body.sources[0], { publishedOn: '2020-03', publishedOnPrecision: 'month' });
  const seeded = (await getJson<Body>(app, '/v1/sources?id=hrw-2020-09-28-kgz-upr-adoption')).body.data[0]!;
  t.match(seeded, { publishedOn: '2020-09-28', publishedOnPrecision: 'day' });

  // The month is a period: it matches a range that overlaps any day of it, and only such a range.
  const found = async (query: string) => ids((await getJson<Body>(app, `/v1/sources?q=march-2020&${query}`)).body);
  for (const query of ['from=2020-03-31', 'to=2020-03-01', 'from=2020-03-15&to=2020-03-15', 'from=2020&to=2020', 'from=2020-02&to=2020-03']) {
    t.same(await found(query), [id], query);
  }
  for (const query of ['from=2020-04-01', 'to=2020-02-29', 'from=2021']) t.same(await found(query), [], query);
  t.same(ids((await getJson<Body>(app, '/v1/sources?from=2020-09-28&to=2020-09-28')).body), ['hrw-2020-09-28-kgz-upr-adoption']);
  t.equal((await getJson(app, '/v1/sources?from=2021&to=2020')).response.statusCode, 400);
  // Longer than any date: the format expected, not only "Too long".
  for (const query of ['from=99999999999', 'to=2020-01-011']) {
    const { response, body } = await getJson(app, `/v1/sources?${query}`);
    t.equal(response.statusCode, 400, query);
    t.match(body.detail, /: Expected a day \(YYYY-MM-DD\), a month \(YYYY-MM\) or a year \(YYYY\) that exists, given "/, `${query}: the format expected`);
  }

  const csv = (await app.inject({ url: `/v1/sources?format=csv&id=${id}` })).body.trimEnd().split('\r\n');
  t.match(csv[1], /,2020-03,month$/);
  const ndjson = JSON.parse((await app.inject({ url: `/v1/sources?format=ndjson&id=${id}` })).body);
  t.match(ndjson, { publishedOn: '2020-03', publishedOnPrecision: 'month' });

  // A year, then a day: each stored with its precision; no date given keeps it.
  t.match((await cite('2020')).body.sources[0], { id, publishedOn: '2020', publishedOnPrecision: 'year' });
  t.match((await cite(null)).body.sources[0], { id, publishedOn: '2020', publishedOnPrecision: 'year' });
  t.match((await cite('2020-03-15')).body.sources[0], { id, publishedOn: '2020-03-15', publishedOnPrecision: 'day' });

  // The future, per precision: this month and this year have begun; next year has not. Dates that do not exist: 400.
  const thisMonth = new Date().toISOString().slice(0, 7);
  t.match((await cite(thisMonth)).body.sources[0], { publishedOn: thisMonth, publishedOnPrecision: 'month' });
  t.equal((await cite(thisMonth.slice(0, 4))).response.statusCode, 201);
  const future = await cite(String(Number(thisMonth.slice(0, 4)) + 2));
  t.equal(future.response.statusCode, 422);
  t.match(future.body.errors?.[0] ?? future.body, { name: 'sources.0.publishedOn' });
  for (const bad of ['2020-13', '2020-02-30', '20', '2020-3', 'March 2020', '2020-03-', '99999999999']) {
    const refused = await cite(bad);
    t.equal(refused.response.statusCode, 400, bad);
    t.match(refused.body.detail, /Expected a day \(YYYY-MM-DD\), a month \(YYYY-MM\) or a year \(YYYY\) that exists/, `${bad}: the format expected`);
  }
  t.match((await getJson(app, `/v1/sources/${id}`)).body, { publishedOn: thisMonth.slice(0, 4), publishedOnPrecision: 'year' }, 'nothing refused was stored');
});

t.test("the seed's sources: a title is the one the document prints, or a description of ours in square brackets", async (t) => {
  const app = await buildTestApp(t);
  const served = new Map(((await getJson(app, '/v1/sources?limit=100')).body.data as { id: string; title: string }[]).map((s) => [s.id, s.title]));
  for (const source of SOURCES) {
    const bracketed = /^\[.+\]$/.test(source.title);
    t.equal(bracketed, source.titleAsPublished !== true, `${source.id}: ${source.titleAsPublished ? 'as published' : 'ours, bracketed'}`);
    t.equal(served.get(source.id), source.title, `${source.id}: served as seeded`);
  }
  // The data sets the importers cite have no printed title: theirs are ours, bracketed.
  for (const source of [TERMAN_SOURCE, UPR_INFO_SOURCE]) t.match(source.title, /^\[.+\]$/, `${source.id}: ours, bracketed`);
});

t.test("a development's sources: by publication date, a year before the months and days in it, a month before its days, undated last", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const dates = ['2021', '2020-07-25', null, '2020', '2020-07', '2020-06-30'];
  const created = await send(app, 'POST', '/v1/developments', {
    key,
    body: {
      stateUnderReview: 'KGZ',
      title: 'Sources of mixed precision',
      summary: 'A development citing sources dated to the year, the month and the day.',
      date: '2021',
      datePrecision: 'year',
      direction: 'neutral',
      recommendationIds: ['KGZ-3-FIN-1'],
      sources: dates.map((publishedOn, i) => ({ title: `Report ${i}`, publisher: 'Example NGO', url: `https://example.org/mixed/${i}`, publishedOn })),
    },
  });
  t.equal(created.response.statusCode, 201, 'created');
  const expected = ['2020', '2020-06-30', '2020-07', '2020-07-25', '2021', null];
  const order = (development: { sources: { publishedOn: string | null }[] }) => development.sources.map((s) => s.publishedOn);
  t.same(order(created.body), expected, 'the write answers them in that order');
  t.same(order((await getJson(app, `/v1/developments/${created.body.id}`)).body), expected, 'the record');
  const listed = (await getJson<Body>(app, `/v1/developments?q=${encodeURIComponent('"Sources of mixed precision"')}`)).body.data as never[];
  t.same(listed.map(order), [expected], 'a page of the list');
});
