import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { DEVELOPMENTS, RECOMMENDATIONS, REVIEWS, SOURCES, STATEMENTS } from '../seed/kyrgyzstan-upr3.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { importInto } from './import-helpers.js';

const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);

/** A review without recommendations or sources, written through the write API (an admin key). */
async function insertReview(app: FastifyInstance, review: { stateUnderReview: string; cycle: number; session: number }) {
  const { response } = await send(app, 'POST', '/v1/reviews', { key: mintKey(app, 'admin'), body: review });
  if (response.statusCode !== 201) throw new Error(`POST /v1/reviews: ${response.statusCode} ${response.body}`);
}

t.test('reviews: the seeded review', async (t) => {
  const app = await buildTestApp(t);

  t.test('the seed holds one review, of Kyrgyzstan in the third cycle', async (t) => {
    t.same(
      REVIEWS.map((r) => r.id),
      ['KGZ-3'],
    );
    t.equal(RECOMMENDATIONS.filter((r) => r.reviewId === 'KGZ-3').length, 8);
  });

  t.test('lists KGZ-3 with all its fields', async (t) => {
    const { response, body } = await getJson(app, '/v1/reviews');
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^application\/json/);
    t.equal(body.meta.total, 1);
    t.equal(body.meta.limit, 50);
    t.equal(body.meta.nextCursor, null);
    t.notOk(response.headers.link, 'no Link header on the last page');
    t.equal(body.data.length, 1);
    const review = body.data[0];
    t.equal(review.id, 'KGZ-3');
    t.same(review.stateUnderReview, { id: 'KGZ', name: 'Kyrgyzstan' });
    t.equal(review.cycle, 3);
    t.equal(review.session, 35);
    t.equal(review.dialogueDate, '2020-01-20');
    t.equal(review.reportSymbol, 'A/HRC/44/9');
    t.equal(review.adoptionSession, 45);
    t.equal(review.adoptionDate, '2020-09');
    t.equal(review.adoptionDatePrecision, 'month');
    t.equal(review.recommendationCount, 8);
    t.match(review.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    t.match(review.updatedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

    const seededSources = SOURCES.filter((s) => REVIEWS[0]!.sourceIds.includes(s.id))
      .map(({ id, title, publisher, url, publishedOn, publishedOnPrecision }) => ({ id, title, publisher, url, publishedOn, publishedOnPrecision }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    t.equal(seededSources.length, 2, 'UPR Info and the UN Office at Geneva');
    t.same(review.sources, seededSources, 'the sources, by id, with their URLs');
    t.ok(
      review.sources.every((s: { url: string }) => /^https:\/\//.test(s.url)),
      'every source has an https URL',
    );
    t.same(
      review.sources.map((s: { url: string }) => new URL(s.url).hostname).sort(),
      ['upr-info.org', 'www.ungeneva.org'],
    );
  });

  t.test('one review in detail: counts by position and implementation', async (t) => {
    const { response, body } = await getJson(app, '/v1/reviews/KGZ-3');
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^application\/json/);
    t.equal(body.id, 'KGZ-3');
    t.equal(body.cycle, 3);
    t.equal(body.session, 35);
    t.equal(body.reportSymbol, 'A/HRC/44/9');
    t.equal(body.recommendationCount, 8, 'the recommendations we hold');
    t.equal(body.recommendationsComplete, false, "the report's full list is not imported");
    t.match(body.recommendationsNote, /full list is not yet imported, and no source we hold gives its total/);
    t.equal(body.sources.length, 2);
    t.same(body.recommendationsByPosition, {
      total: 8,
      supported: 3,
      partially_supported: 0,
      noted: 1,
      pending: 0,
      unknown: 4,
    });
    t.same(body.recommendationsByImplementation, {
      not_implemented: 2,
      partially_implemented: 0,
      implemented: 0,
      unknown: 6,
    });
    t.equal(body.developmentCount, 8, 'the 2016 decision, older than the dialogue, is context: not counted');
    t.equal(body.developmentCount, DEVELOPMENTS.filter((d) => d.reviewId === 'KGZ-3').length, 'as many as the seed has');
    t.equal(body.statementCount, 4);
    t.equal(body.statementCount, STATEMENTS.filter((s) => s.reviewId === 'KGZ-3').length, 'as many as the seed has');

    const listed = (await getJson(app, '/v1/reviews')).body.data[0];
    for (const key of Object.keys(listed)) t.same(body[key], listed[key], `detail and list agree on ${key}`);
  });

  t.test('a review id in any case, as the reviewId filter takes it: every review id is a state code and a cycle', async (t) => {
    // GET /v1/reviews/kgz-3 was a 404 "Review "kgz-3" does not exist", where reviewId=kgz-3 and /v1/states/kgz answer.
    const exact = await getJson(app, '/v1/reviews/KGZ-3');
    for (const path of ['/v1/reviews/kgz-3', '/v1/reviews/Kgz-3']) {
      const { response, body } = await getJson(app, path);
      t.equal(response.statusCode, 200, path);
      t.same(body, exact.body, path);
      t.equal(response.headers.etag, exact.response.headers.etag, path);
    }
    const summary = await getJson(app, '/v1/reviews/kgz-3/summary');
    t.equal(summary.response.statusCode, 200);
    t.same(summary.body, (await getJson(app, '/v1/reviews/KGZ-3/summary')).body);
    const history = await getJson(app, '/v1/reviews/kgz-3/history');
    t.equal(history.response.statusCode, 200);
    t.same(history.body, (await getJson(app, '/v1/reviews/KGZ-3/history')).body);
  });

  t.test('unknown ids are 404 problems', async (t) => {
    for (const id of ['KGZ-9', 'FIN-3']) {
      const { response, body } = await getJson(app, `/v1/reviews/${id}`);
      t.equal(response.statusCode, 404, id);
      t.match(response.headers['content-type'], /^application\/problem\+json/, id);
      t.equal(body.status, 404, id);
      t.equal(body.title, 'Not Found', id);
      t.match(body.detail, id, `${id} is named`);
    }
  });
});

t.test('reviews: each filter alone and combined', async (t) => {
  const app = await buildTestApp(t);
  const found = async (query: string) => {
    const { response, body } = await getJson(app, `/v1/reviews?${query}`);
    t.equal(response.statusCode, 200, query);
    t.equal(body.meta.total, body.data.length, `${query}: one page holds them all`);
    return ids(body);
  };

  t.same(await found('stateUnderReview=KGZ'), ['KGZ-3']);
  t.same(await found('stateUnderReview=FIN'), []);
  t.same(await found('stateUnderReview=FIN,KGZ'), ['KGZ-3'], 'comma-separated values');
  t.same(await found('stateUnderReview=FIN&stateUnderReview=KGZ'), ['KGZ-3'], 'repeated parameters');
  t.same(await found('cycle=3'), ['KGZ-3']);
  t.same(await found('cycle=1,2,4'), []);
  t.same(await found('cycle=2&cycle=3'), ['KGZ-3']);
  t.same(await found('session=35'), ['KGZ-3']);
  t.same(await found('session=34'), []);
  t.same(await found('session=34,35'), ['KGZ-3']);
  t.same(await found('stateUnderReview=KGZ&cycle=3&session=35'), ['KGZ-3'], 'all three matching');
  t.same(await found('stateUnderReview=KGZ&cycle=2'), [], 'state matches, cycle does not');
  t.same(await found('stateUnderReview=KGZ&session=36'), [], 'state matches, session does not');
  t.same(await found('stateUnderReview=FIN&cycle=3&session=35'), [], 'cycle and session match, state does not');
  t.same(await found('cycle=3&session=35'), ['KGZ-3']);
});

t.test('reviews: keyset pagination over two reviews', async (t) => {
  const app = await buildTestApp(t);
  await insertReview(app, { stateUnderReview: 'FIN', cycle: 3, session: 41 });

  t.test('the inserted review is listed with empty counts', async (t) => {
    const { body } = await getJson(app, '/v1/reviews');
    t.equal(body.meta.total, 2);
    t.same(ids(body), ['FIN-3', 'KGZ-3'], 'by id');
    const fin = body.data[0];
    t.same(fin.stateUnderReview, { id: 'FIN', name: 'Finland' });
    t.equal(fin.session, 41);
    t.equal(fin.recommendationCount, 0);
    t.same(fin.sources, []);
    t.equal(fin.adoptionDate, null);
    t.equal(fin.adoptionDatePrecision, null);
    t.equal(body.data[1].recommendationCount, 8, 'the count stays per review');
    t.equal(body.data[1].sources.length, 2, 'sources stay per review');

    const detail = (await getJson(app, '/v1/reviews/FIN-3')).body;
    t.equal(detail.recommendationsByPosition.total, 0);
    t.equal(detail.recommendationsByImplementation.unknown, 0);
    t.equal(detail.developmentCount, 0);
    t.equal(detail.statementCount, 0);
  });

  t.test('filters tell the two apart', async (t) => {
    t.same(ids((await getJson(app, '/v1/reviews?cycle=3')).body), ['FIN-3', 'KGZ-3']);
    t.same(ids((await getJson(app, '/v1/reviews?stateUnderReview=FIN')).body), ['FIN-3']);
    t.same(ids((await getJson(app, '/v1/reviews?session=41')).body), ['FIN-3']);
    t.same(ids((await getJson(app, '/v1/reviews?session=35&stateUnderReview=FIN')).body), []);
    t.same(ids((await getJson(app, '/v1/reviews?cycle=3&stateUnderReview=KGZ,FIN&session=35,41')).body), [
      'FIN-3',
      'KGZ-3',
    ]);
  });

  t.test('a walk with limit=1 follows the Link header and returns each review once', async (t) => {
    const seen: string[] = [];
    let url: string | undefined = '/v1/reviews?limit=1';
    let pages = 0;
    while (url && pages < 5) {
      const { response, body } = await getJson(app, url);
      t.equal(response.statusCode, 200);
      t.equal(body.meta.total, 2);
      t.equal(body.meta.limit, 1);
      t.equal(body.data.length, 1);
      seen.push(...ids(body));
      const link = response.headers.link as string | undefined;
      if (body.meta.nextCursor) t.match(link, /^<\/v1\/reviews\?limit=1&cursor=[^>]+>; rel="next"$/);
      else t.notOk(link, 'no Link header on the last page');
      url = link?.match(/^<([^>]+)>/)?.[1];
      pages++;
    }
    t.equal(pages, 2);
    t.same(seen, ['FIN-3', 'KGZ-3']);
  });

  t.test('a walk keeps its filters', async (t) => {
    const first = (await getJson(app, '/v1/reviews?limit=1&stateUnderReview=KGZ')).body;
    t.equal(first.meta.total, 1);
    t.same(ids(first), ['KGZ-3']);
    t.equal(first.meta.nextCursor, null, 'a single match is a single page');
  });

  t.test('a cursor made for the states list is refused', async (t) => {
    const statesCursor = (await getJson(app, '/v1/states?limit=1')).body.meta.nextCursor;
    const { response, body } = await getJson(app, `/v1/reviews?cursor=${statesCursor}`);
    t.equal(response.statusCode, 400);
    t.match(body.detail, /another list or sort \("states\/code"\)/);
  });
});

t.test('reviews: invalid parameters are 400 problems naming the parameter', async (t) => {
  const app = await buildTestApp(t);
  const cases: [string, string][] = [
    ['cycle=9', 'cycle'],
    ['cycle=0', 'cycle'],
    ['cycle=three', 'cycle'],
    ['cycle=3,9', 'cycle'],
    ['session=0', 'session'],
    ['session=x', 'session'],
    ['stateUnderReview=xq', 'stateUnderReview'],
    ['stateUnderReview=kgzz', 'stateUnderReview'],
    ['stateUnderReview=', 'stateUnderReview'],
    ['state=KGZ', 'state'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"s":"id","k":["a","b"]}').toString('base64url')}`, 'cursor'],
  ];
  for (const [query, name] of cases) {
    const response = await app.inject({ method: 'GET', url: `/v1/reviews?${query}` });
    t.equal(response.statusCode, 400, query);
    t.match(response.headers['content-type'], /^application\/problem\+json/, query);
    const body = response.json();
    t.equal(body.status, 400, query);
    t.equal(body.title, 'Bad Request', query);
    t.equal(body.instance, '/v1/reviews', query);
    t.ok(
      body.errors.some((e: { in: string; name: string }) => e.in === 'query' && e.name === name),
      `${query} names ${name}: ${JSON.stringify(body.errors)}`,
    );
    t.notMatch(body.detail, /at .*\.ts:\d+/, 'no stack trace');
  }

  const both = (await getJson(app, '/v1/reviews?cycle=9&colour=blue')).body;
  t.same(
    both.errors.map((e: { name: string }) => e.name).sort(),
    ['colour', 'cycle'],
    'every invalid parameter is named at once',
  );
});

t.test('reviews: the year, from the calendar where it knows the session, else as a source gives it', async (t) => {
  const app = await buildTestApp(t);
  // Terman-style rows (fictional texts): Afghanistan's 2014 review, whose session the calendar does not know;
  // Kyrgyzstan's 2010 review (session 8: 2010); Albania's, which the corpus dates 2010 (its report's year) and
  // the calendar places at session 6, in 2009.
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  const rows = [
    ['text', 'to', 'decision', 'From', 'year', 'notes'],
    ['119.1. Open a fictional ombuds office in every province (Norway);', 'afghanistan', 'support', 'Norway', '2014', ''],
    ['119.2. Adopt a fictional plan for rural schools (Chile);', 'afghanistan', 'consider', 'Chile', '2014', ''],
    ['76.1. Ratify the Optional Protocol to CAT (Czech Republic);', 'kyrgysztan', 'support', 'Czech Republic', '2010', ''],
    ['88.1. Publish the fictional census of 2009 (Peru);', 'albania', 'support', 'Peru', '2010', ''],
  ];
  const report = await importInto(app, rows.map((row) => row.map(quote).join(',')).join('\r') + '\r');
  t.same(report.reviewsCreated, ['AFG-2', 'KGZ-1', 'ALB-1']);

  const afg = (await getJson(app, '/v1/reviews/AFG-2')).body;
  t.match(afg, { session: null, dialogueDate: null, year: 2014, reportYear: 2014 }, 'the year the source gives; no session or date invented');
  t.match((await getJson(app, '/v1/reviews/ALB-1')).body, { session: 6, year: 2009, reportYear: 2010 }, 'the calendar is the authority on its sessions');
  t.match((await getJson(app, '/v1/reviews/KGZ-1')).body, { session: 8, year: 2010, reportYear: 2010 });
  t.match((await getJson(app, '/v1/reviews/KGZ-3')).body, { session: 35, year: 2020, reportYear: null }, 'the seeded review is unchanged');

  const recommendations = async (query: string) => {
    const { response, body } = await getJson(app, `/v1/recommendations?${query}&limit=500`);
    t.equal(response.statusCode, 200, query);
    return (body.data as { id: string }[]).map((r) => r.id).sort();
  };
  t.same(await recommendations('year=2014'), ['AFG-2-119.1', 'AFG-2-119.2'], 'year=2014 finds the review the calendar does not place');
  t.same(await recommendations('year=2010'), ['KGZ-1-76.1']);
  t.same(await recommendations('year=2009'), ['ALB-1-88.1']);
  t.same(await recommendations('year=2014&stateUnderReview=AFG&position=pending'), ['AFG-2-119.2']);
  const stats = (await getJson(app, '/v1/stats/recommendations?groupBy=position&year=2014')).body;
  t.equal(stats.meta.total, 2, 'the stats count them too');
  t.same(stats.data.map((g: { position: string; count: number }) => [g.position, g.count]).sort(), [['pending', 1], ['supported', 1]]);

  const reviews = async (query: string) => ids((await getJson(app, `/v1/reviews?${query}`)).body).sort();
  t.same(await reviews('year=2014'), ['AFG-2']);
  t.same(await reviews('year=2009,2010'), ['ALB-1', 'KGZ-1']);
  t.same(await reviews('year=2020'), ['KGZ-3']);
  t.same(await reviews('year=2014&session=6'), []);

  const listed = (await getJson(app, '/v1/reviews?limit=500')).body.data as Record<string, unknown>[];
  const csv = parse((await app.inject({ method: 'GET', url: '/v1/reviews?format=csv' })).body, { columns: true }) as Record<string, string>[];
  t.match(csv.find((row) => row.id === 'AFG-2'), { session: '', year: '2014', reportYear: '2014' }, 'CSV: the year and the report year');
  t.match(csv.find((row) => row.id === 'KGZ-3'), { year: '2020', reportYear: '' });
  const ndjson = (await app.inject({ method: 'GET', url: '/v1/reviews?format=ndjson' })).body.trim().split('\n').map((line) => JSON.parse(line));
  t.same(ndjson, listed, 'NDJSON: the same records');
  t.match(ndjson.find((r) => r.id === 'AFG-2'), { year: 2014, reportYear: 2014 });

  // The write API takes the report's year too (admin), and the calendar still wins where it knows the session.
  const admin = mintKey(app, 'admin');
  const created = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'FIN', cycle: 2, reportYear: 2012 } });
  t.equal(created.response.statusCode, 201);
  t.match(created.body, { id: 'FIN-2', session: null, dialogueDate: null, reportYear: 2012, year: 2012 });
  const dated = await send(app, 'PATCH', '/v1/reviews/FIN-2', { key: admin, body: { dialogueDate: '2012-05-22' }, headers: { 'if-match': '*' } });
  t.match(dated.body, { reportYear: 2012, year: 2012 });
  const placed = await send(app, 'PATCH', '/v1/reviews/KGZ-3', { key: admin, body: { reportYear: 2021 }, headers: { 'if-match': '*' } });
  t.equal(placed.response.statusCode, 200);
  t.match(placed.body, { session: 35, reportYear: 2021, year: 2020 }, 'session 35 is in 2020 whatever the report year');
  t.same(await reviews('year=2021'), []);
  const early = await send(app, 'PATCH', '/v1/reviews/FIN-2', { key: admin, body: { reportYear: 2007 }, headers: { 'if-match': '*' } });
  t.equal(early.response.statusCode, 400, 'no UPR report before 2008');
});
