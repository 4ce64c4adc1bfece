import Database from 'better-sqlite3';
import pg from 'pg';
import t from 'tap';
import { pgFillSearchBatch } from '../src/db/pg/fulltext.js';
import { buildTestApp, getJson, postgresSide } from './helpers.js';

// Facts from seed/kyrgyzstan-upr3.ts: nine Kyrgyzstan developments, seven setbacks and two neutral.

const DEATH = 'kgz-2020-07-25-askarov-dies-in-custody';
const OHCHR = 'kgz-2020-07-29-ohchr-calls-for-askarov-investigation';
const DECISION_2016 = 'kgz-2016-hrc-askarov-decision';
const NGO_BILL = 'kgz-2020-anti-ngo-bill';
const INFO_LAW = 'kgz-2020-manipulating-information-law';
const RUZIEV = 'kgz-2020-ruziev-criminal-case';
const WOMENS_DAY = 'kgz-2020-03-08-womens-day-protesters-detained';
const COURTS = 'kgz-2020-06-courts-reconsideration-amendments';
const DOMESTIC = 'kgz-2020-09-domestic-violence-impunity';

// Default order: first day of the period, then id.
const BY_DATE = [DECISION_2016, NGO_BILL, INFO_LAW, RUZIEV, WOMENS_DAY, COURTS, DEATH, OHCHR, DOMESTIC];

type Body = { data: { id: string }[]; meta: { total: number; limit: number; nextCursor: string | null } };
const ids = (body: Body) => body.data.map((d) => d.id);
const sorted = (body: Body) => ids(body).sort();

t.test('developments', async (t) => {
  const app = await buildTestApp(t);

  t.test('lists all nine Kyrgyzstan developments, oldest first, in the list envelope', async (t) => {
    const { response, body } = await getJson<Body>(app, '/v1/developments?stateUnderReview=KGZ');
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^application\/json/);
    t.same(ids(body), BY_DATE);
    t.same(body.meta, { total: 9, limit: 50, nextCursor: null });
    t.notOk(response.headers.link, 'no Link header on the last page');
  });

  t.test('without filters lists the same nine', async (t) => {
    const { body } = await getJson<Body>(app, '/v1/developments');
    t.equal(body.meta.total, 9);
  });

  t.test('a state with no developments gives an empty page', async (t) => {
    const { response, body } = await getJson<Body>(app, '/v1/developments?stateUnderReview=FIN');
    t.equal(response.statusCode, 200);
    t.same(body.data, []);
    t.equal(body.meta.total, 0);
  });

  t.test('the item shape', async (t) => {
    const { body } = await getJson(app, '/v1/developments?stateUnderReview=KGZ&limit=50');
    const death = body.data.find((d: { id: string }) => d.id === DEATH);
    t.match(death, {
      id: DEATH,
      stateUnderReview: { id: 'KGZ', name: 'Kyrgyzstan' },
      reviewId: 'KGZ-3',
      title: 'Azimjon Askarov dies in custody',
      date: '2020-07-25',
      datePrecision: 'day',
      direction: 'setback',
      recommendationIds: ['KGZ-3-FIN-1'],
    });
    t.match(death.summary, /denied him adequate medical care/);
    t.same(
      death.themes.map((th: { id: string }) => th.id).sort(),
      ['conditions-of-detention', 'human-rights-defenders', 'right-to-health'],
    );
    for (const theme of death.themes) t.match(theme, { scheme: /^(uhri|local)$/, source: 'curated', confidence: null });
    t.equal(death.sources.length, 1);
    t.match(death.sources[0], { publisher: 'Human Rights Watch', publishedOn: '2020-09-28' });
    t.match(death.sources[0].url, /^https:\/\/www\.hrw\.org\//);
    t.match(death.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    t.match(death.updatedAt, /^\d{4}-\d{2}-\d{2}T/);
    t.notOk('periodStart' in death, 'internal period columns are not exposed');

    const ngo = body.data.find((d: { id: string }) => d.id === NGO_BILL);
    t.equal(ngo.date, '2020', 'coarse dates are returned as stored');
    t.equal(ngo.datePrecision, 'year');
    t.same(ngo.recommendationIds, ['KGZ-3-GBR-3', 'KGZ-3-USA-3'], 'recommendation ids are sorted');

    const courts = body.data.find((d: { id: string }) => d.id === COURTS);
    t.equal(courts.date, '2020-06');
    t.equal(courts.datePrecision, 'month');

    const domestic = body.data.find((d: { id: string }) => d.id === DOMESTIC);
    t.same(domestic.recommendationIds, [], 'no linked recommendation is an empty list');

    const ohchr = body.data.find((d: { id: string }) => d.id === OHCHR);
    t.equal(ohchr.sources[0].publisher, '24.kg');
    t.equal(ohchr.sources[0].publishedOn, null);
  });

  t.test('direction filter', async (t) => {
    const setbacks = await getJson<Body>(app, '/v1/developments?direction=setback');
    t.equal(setbacks.body.meta.total, 7);
    t.same(sorted(setbacks.body), [COURTS, WOMENS_DAY, DOMESTIC, DEATH, NGO_BILL, INFO_LAW, RUZIEV].sort());
    const neutral = await getJson<Body>(app, '/v1/developments?direction=neutral');
    t.same(sorted(neutral.body), [DECISION_2016, OHCHR].sort());
    const progress = await getJson<Body>(app, '/v1/developments?direction=progress');
    t.equal(progress.body.meta.total, 0);
    const both = await getJson<Body>(app, '/v1/developments?direction=progress,neutral');
    t.equal(both.body.meta.total, 2, 'list-valued: any of the values');
    const repeated = await getJson<Body>(app, '/v1/developments?direction=setback&direction=neutral');
    t.equal(repeated.body.meta.total, 9, 'repeated parameter works like a comma list');
  });

  t.test('recommendationId filter', async (t) => {
    const { body } = await getJson<Body>(app, '/v1/developments?recommendationId=KGZ-3-FIN-1');
    t.same(ids(body), [DECISION_2016, DEATH, OHCHR]);
    t.same(
      body.data.map((d) => (d as unknown as { date: string }).date),
      ['2016', '2020-07-25', '2020-07-29'],
    );
    const usa3 = await getJson<Body>(app, '/v1/developments?recommendationId=KGZ-3-USA-3');
    t.same(sorted(usa3.body), [NGO_BILL, INFO_LAW, RUZIEV, WOMENS_DAY].sort());
    const either = await getJson<Body>(app, '/v1/developments?recommendationId=KGZ-3-ESP-1,KGZ-3-GBR-3');
    t.same(sorted(either.body), [COURTS, NGO_BILL].sort());
    const none = await getJson<Body>(app, '/v1/developments?recommendationId=KGZ-3-GBR-1');
    t.equal(none.response.statusCode, 200, 'a stored recommendation that nothing bears on');
    t.equal(none.body.meta.total, 0);
  });

  t.test('a recommendationId no recommendation has is a 400 naming it, not an empty page that reads as "nothing happened"', async (t) => {
    // ?recommendationId=kgz-3-fin-1 answered 200 with no developments: ids are case-sensitive, and a mistyped one
    // read as a recommendation nothing had followed up (KGZ-3-FIN-1 has three developments).
    const cases: [url: string, name: string, message: RegExp][] = [
      ['/v1/developments?recommendationId=kgz-3-fin-1', 'recommendationId', /No recommendation has the id "kgz-3-fin-1".*did you mean KGZ-3-FIN-1\?/],
      ['/v1/developments?recommendationId=KGZ-3-XXX-1', 'recommendationId', /No recommendation has the id "KGZ-3-XXX-1".*see GET \/v1\/recommendations/],
      ['/v1/developments?recommendationId=KGZ-3-FIN-1,KGZ-3-XXX-1&format=csv', 'recommendationId', /"KGZ-3-XXX-1"/],
      ['/v1/stats/developments?groupBy=direction&recommendationId=kgz-3-fin-1', 'recommendationId', /did you mean KGZ-3-FIN-1\?/],
      ['/v1/assessments?recommendationId=KGZ-3-FIN-2', 'recommendationId', /No recommendation has the id "KGZ-3-FIN-2"/],
    ];
    for (const [url, name, message] of cases) {
      const { response, body } = await getJson(app, url);
      t.equal(response.statusCode, 400, url);
      t.match(response.headers['content-type'], /^application\/problem\+json/, url);
      t.equal(body.errors.length, 1, url);
      t.match(body.errors[0], { in: 'query', name, message }, url);
    }
    const two = await getJson(app, '/v1/developments?recommendationId=NOPE-1&recommendationId=NOPE-2');
    t.same(two.body.errors.map((e: { message: string }) => e.message.match(/"([^"]+)"/)![1]), ['NOPE-1', 'NOPE-2'], 'each unknown id named');
  });

  t.test('reviewId filter', async (t) => {
    const kgz3 = await getJson<Body>(app, '/v1/developments?reviewId=KGZ-3');
    t.equal(kgz3.body.meta.total, 8);
    t.notOk(ids(kgz3.body).includes(DECISION_2016), 'the 2016 decision predates the dialogue: context, not follow-up');
    const decision = (await getJson(app, `/v1/developments/${DECISION_2016}`)).body;
    t.equal(decision.reviewId, null, 'no review');
    t.same(decision.recommendationIds, ['KGZ-3-FIN-1'], "it keeps its link to Finland's recommendation");
    t.equal((await getJson<Body>(app, '/v1/developments?reviewId=kgz-3')).body.meta.total, 8, 'in any case');
    t.equal((await getJson<Body>(app, '/v1/developments?reviewId=KGZ-2')).body.meta.total, 0);
    const other = await getJson(app, '/v1/developments?reviewId=Kyrgyzstan');
    t.equal(other.response.statusCode, 400, 'not a review id');
    t.match(other.body.detail, /No review has the id "Kyrgyzstan"/);
  });

  t.test('theme filter', async (t) => {
    const hrd = await getJson<Body>(app, '/v1/developments?theme=human-rights-defenders');
    t.same(sorted(hrd.body), [DECISION_2016, RUZIEV, DEATH, OHCHR].sort());
    const either = await getJson<Body>(app, '/v1/developments?theme=freedom-of-association,domestic-violence');
    t.same(sorted(either.body), [NGO_BILL, DOMESTIC].sort());
  });

  t.test('from/to match developments whose period overlaps the range', async (t) => {
    const july = await getJson<Body>(app, '/v1/developments?from=2020-07-01&to=2020-07-31');
    t.equal(july.response.statusCode, 200);
    t.same(ids(july.body), [NGO_BILL, INFO_LAW, RUZIEV, DEATH, OHCHR], 'the days in July and the year-2020 ones');
    t.notOk(ids(july.body).includes(DECISION_2016), 'not 2016');
    t.notOk(ids(july.body).includes(COURTS), 'not June');

    const fromMarch = await getJson<Body>(app, '/v1/developments?from=2020-03-01');
    t.same(
      ids(fromMarch.body),
      [NGO_BILL, INFO_LAW, RUZIEV, WOMENS_DAY, COURTS, DEATH, OHCHR, DOMESTIC],
      'a development dated "2020" matches from=2020-03-01',
    );

    const lateJune = await getJson<Body>(app, '/v1/developments?from=2020-06-30&to=2020-06-30');
    t.same(ids(lateJune.body), [NGO_BILL, INFO_LAW, RUZIEV, COURTS], 'a month matches its last day');

    const to2016 = await getJson<Body>(app, '/v1/developments?to=2016-01-01');
    t.same(ids(to2016.body), [DECISION_2016], 'a year matches its first day');

    const day = await getJson<Body>(app, '/v1/developments?from=2020-07-25&to=2020-07-25');
    t.same(ids(day.body), [NGO_BILL, INFO_LAW, RUZIEV, DEATH], 'from = to is one day');

    const before = await getJson<Body>(app, '/v1/developments?to=2015-12-31');
    t.equal(before.body.meta.total, 0);

    // A month or a year as a bound: from its first day, to its last (it was a 400 "Invalid ISO date").
    const julyByMonth = await getJson<Body>(app, '/v1/developments?from=2020-07&to=2020-07');
    t.same(ids(julyByMonth.body), ids(july.body), 'from=2020-07&to=2020-07 is July');
    t.equal(julyByMonth.response.headers.etag, july.response.headers.etag, 'the same range: the same ETag');
    t.same(ids((await getJson<Body>(app, '/v1/developments?from=2016&to=2016')).body), [DECISION_2016], 'a year');
    t.same(ids((await getJson<Body>(app, '/v1/developments?to=2020-06')).body), ids((await getJson<Body>(app, '/v1/developments?to=2020-06-30')).body));
  });

  t.test('q searches titles and summaries', async (t) => {
    const { response, body } = await getJson<Body>(app, '/v1/developments?q=Askarov');
    t.equal(response.statusCode, 200);
    t.same(ids(body), [DECISION_2016, DEATH, OHCHR]);
    const summaryOnly = await getJson<Body>(app, '/v1/developments?q=medical');
    t.same(ids(summaryOnly.body), [DEATH], 'a word only in the summary');
    const phrase = await getJson<Body>(app, '/v1/developments?q=' + encodeURIComponent('"died in custody"'));
    t.same(ids(phrase.body), [DEATH]);
    const prefix = await getJson<Body>(app, '/v1/developments?q=parliam*');
    t.same(sorted(prefix.body), [NGO_BILL, INFO_LAW, COURTS].sort());
    const nothing = await getJson<Body>(app, '/v1/developments?q=zzzzunmatched');
    t.equal(nothing.body.meta.total, 0);
    const noWords = await getJson(app, '/v1/developments?q=' + encodeURIComponent('"" *'));
    t.equal(noWords.response.statusCode, 400);
    t.match(noWords.body.errors, [{ in: 'query', name: 'q' }]);
  });

  t.test('filters combine', async (t) => {
    const cases: [string, string[]][] = [
      ['stateUnderReview=KGZ&direction=neutral', [DECISION_2016, OHCHR]],
      ['recommendationId=KGZ-3-FIN-1&direction=setback', [DEATH]],
      ['recommendationId=KGZ-3-FIN-1&from=2020-01-01', [DEATH, OHCHR]],
      ['theme=human-rights-defenders&direction=setback', [RUZIEV, DEATH]],
      ['theme=human-rights-defenders&to=2019-12-31', [DECISION_2016]],
      ['q=Askarov&direction=neutral', [DECISION_2016, OHCHR]],
      ['q=Askarov&from=2020-07-26', [OHCHR]],
      ['reviewId=KGZ-3&theme=freedom-of-association', [NGO_BILL]],
      ['stateUnderReview=KGZ&recommendationId=KGZ-3-USA-3&from=2020-03-01&to=2020-03-31', [NGO_BILL, INFO_LAW, RUZIEV, WOMENS_DAY]],
      ['direction=setback&from=2020-09-01', [DOMESTIC, NGO_BILL, INFO_LAW, RUZIEV]],
      ['stateUnderReview=FIN&direction=setback', []],
      ['source=24kg-2020-ohchr-askarov-investigation', [OHCHR]],
      ['source=HRW-2020-09-28-kgz-upr-adoption&direction=neutral', [DECISION_2016]],
      ['source=hrw-2020-09-28-kgz-upr-adoption,24kg-2020-ohchr-askarov-investigation&from=2020-07-01&to=2020-07-31',
        [NGO_BILL, INFO_LAW, RUZIEV, DEATH, OHCHR]],
    ];
    for (const [query, expected] of cases) {
      const { response, body } = await getJson<Body>(app, `/v1/developments?${query}`);
      t.equal(response.statusCode, 200, query);
      t.same(sorted(body), [...expected].sort(), query);
      t.equal(body.meta.total, expected.length, `${query}: total`);
    }
  });

  t.test('sorts', async (t) => {
    const desc = await getJson<Body>(app, '/v1/developments?sort=-date');
    t.same(ids(desc.body), [...BY_DATE].reverse());
    const byId = await getJson<Body>(app, '/v1/developments?sort=id');
    t.same(ids(byId.body), [...BY_DATE].sort());
    const byIdDesc = await getJson<Body>(app, '/v1/developments?sort=-id');
    t.same(ids(byIdDesc.body), [...BY_DATE].sort().reverse());
    const bad = await getJson(app, '/v1/developments?sort=relevance');
    t.equal(bad.response.statusCode, 400);
  });

  t.test('a cursor walk with limit=2 returns every record exactly once', async (t) => {
    for (const sort of ['date', '-date', 'id', '-id']) {
      const seen: string[] = [];
      let url: string | undefined = `/v1/developments?limit=2&sort=${sort}`;
      let pages = 0;
      while (url) {
        const { response, body } = await getJson<Body>(app, url);
        pages++;
        t.equal(body.meta.total, 9);
        t.equal(body.meta.limit, 2);
        t.ok(body.data.length <= 2);
        seen.push(...ids(body));
        const link = response.headers.link as string | undefined;
        if (body.meta.nextCursor === null) {
          t.notOk(link, 'no Link header on the last page');
          url = undefined;
        } else {
          t.ok(link, 'Link header when there is a next page');
          const match = /^<([^>]+)>; rel="next"$/.exec(link ?? '');
          t.ok(match, 'Link header is rel="next"');
          const next = new URL(match![1]!, 'http://x');
          t.equal(next.pathname, '/v1/developments');
          t.equal(next.searchParams.get('cursor'), body.meta.nextCursor);
          t.equal(next.searchParams.get('limit'), '2', 'the other parameters are kept');
          t.equal(next.searchParams.get('sort'), sort);
          url = match![1];
        }
        if (pages > 10) throw new Error('cursor walk does not end');
      }
      t.equal(pages, 5, `${sort}: five pages of 2`);
      const expected = {
        date: BY_DATE,
        '-date': [...BY_DATE].reverse(),
        id: [...BY_DATE].sort(),
        '-id': [...BY_DATE].sort().reverse(),
      }[sort];
      t.same(seen, expected, `${sort}: each record once, in order`);
    }
  });

  t.test('a cursor walk keeps the filters', async (t) => {
    const first = await getJson<Body>(app, '/v1/developments?direction=setback&limit=5');
    t.equal(first.body.data.length, 5);
    const second = await getJson<Body>(
      app,
      `/v1/developments?direction=setback&limit=5&cursor=${first.body.meta.nextCursor}`,
    );
    t.equal(second.body.data.length, 2);
    t.equal(second.body.meta.nextCursor, null);
    t.same([...ids(first.body), ...ids(second.body)].sort(), [COURTS, WOMENS_DAY, DOMESTIC, DEATH, NGO_BILL, INFO_LAW, RUZIEV].sort());
  });

  t.test('detail adds the linked recommendations', async (t) => {
    const { response, body } = await getJson(app, `/v1/developments/${DEATH}`);
    t.equal(response.statusCode, 200);
    t.equal(body.id, DEATH);
    t.same(body.stateUnderReview, { id: 'KGZ', name: 'Kyrgyzstan' });
    t.same(body.recommendationIds, ['KGZ-3-FIN-1']);
    t.same(body.recommendations, [
      { id: 'KGZ-3-FIN-1', paragraph: null, text: 'Release the human rights defender Azimjon Askarov.' },
    ]);
    t.equal(body.sources.length, 1);

    const ngo = await getJson(app, `/v1/developments/${NGO_BILL}`);
    t.same(
      ngo.body.recommendations.map((r: { id: string }) => r.id),
      ['KGZ-3-GBR-3', 'KGZ-3-USA-3'],
    );
    const domestic = await getJson(app, `/v1/developments/${DOMESTIC}`);
    t.same(domestic.body.recommendations, []);
  });

  t.test('unknown id is a 404 problem', async (t) => {
    const { response, body } = await getJson(app, '/v1/developments/kgz-no-such-development');
    t.equal(response.statusCode, 404);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.match(body, { status: 404, title: 'Not Found', instance: '/v1/developments/kgz-no-such-development' });
    t.match(body.detail, /Development "kgz-no-such-development" does not exist/);
  });

  t.test('invalid parameters are 400 problems naming the parameter', async (t) => {
    const cases: [string, string][] = [
      ['direction=sideways', 'direction'],
      ['from=2020-02-30', 'from'],
      ['to=2020-13-01', 'to'],
      ['from=2020-2', 'from'],
      ['from=20201', 'from'],
      ['to=2020-00', 'to'],
      ['to=2021-02-29', 'to'],
      ['from=2020-08-01&to=2020-07-01', 'from'],
      ['from=2020-08&to=2020-07', 'from'],
      ['stateUnderReview=kgzz', 'stateUnderReview'],
      ['state=KGZ', 'state'], // the old name is no parameter any more
      ['colour=blue', 'colour'],
      ['cursor=not-a-cursor', 'cursor'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=two', 'limit'],
      ['sort=date&cursor=' + Buffer.from(JSON.stringify({ s: 'id', k: ['x'] })).toString('base64url'), 'cursor'],
      ['sort=date&cursor=' + Buffer.from(JSON.stringify({ s: 'id', k: ['x', 'y'] })).toString('base64url'), 'cursor'],
    ];
    for (const [query, name] of cases) {
      const { response, body } = await getJson(app, `/v1/developments?${query}`);
      t.equal(response.statusCode, 400, query);
      t.match(response.headers['content-type'], /^application\/problem\+json/, query);
      t.equal(body.status, 400, query);
      t.ok(
        body.errors.some((e: { in: string; name: string }) => e.in === 'query' && e.name === name),
        `${query}: names ${name}`,
      );
    }
  });

  t.test('the same from and to is not an error', async (t) => {
    const { response } = await getJson(app, '/v1/developments?from=2020-07-01&to=2020-07-01');
    t.equal(response.statusCode, 200);
  });
});

t.test('a full-text export runs its match once, not once per chunk, in the order of its pages', async (t) => {
  const app = await buildTestApp(t);
  const pool = postgresSide(app)?.pool;
  // 600 developments whose summary has the word: three export chunks (EXPORT_CHUNK_ROWS, 250).
  const insert = `insert into developments (id, state_code, review_id, title, summary, date, date_precision, period_start,
      period_end, direction, created_at, updated_at)
    with recursive s (n) as (select 1 union all select n + 1 from s where n < 600)
    select 'fts-dev-' || n, 'KGZ', 'KGZ-3', 'Report ' || n, 'Held in zanzibarite custody, case ' || n, d, 'day', d, d,
      'setback', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
    from (select n, '2020-0' || (1 + n % 9) || '-1' || (n % 10) as d from s) g`;
  const bump = "update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision'";
  if (pool) {
    await pool.query(insert);
    while ((await pgFillSearchBatch(pool, 1000)) > 0);
    await pool.query(bump);
  } else {
    app.db.$client.exec(`${insert}; ${bump}`);
  }
  // The statements that run the match: prepared (SQLite, every drizzle query) or sent (PostgreSQL), during one export.
  let matches = 0;
  const counts = (text: unknown) => void (/developments_fts match|@@/.test(String(text)) && matches++);
  if (pool) {
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      counts(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    t.teardown(() => void (pg.Client.prototype.query = query));
  } else {
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function (this: Database.Database, source: string) {
      counts(source);
      return prepare.call(this, source);
    } as typeof prepare;
    t.teardown(() => void (Database.prototype.prepare = prepare));
  }
  const walk = async (url: string) => {
    const found: string[] = [];
    for (let next: string | undefined = url; next; ) {
      const { body }: { body: Body } = await getJson<Body>(app, next);
      found.push(...ids(body));
      next = body.meta.nextCursor ? `${url}&cursor=${body.meta.nextCursor}` : undefined;
    }
    return found;
  };
  for (const sort of ['date', '-date', 'id']) {
    const pages = await walk(`/v1/developments?q=zanzibarite&sort=${sort}&limit=500`);
    t.equal(pages.length, 600, `${sort}: 600 matches`);
    matches = 0;
    const response = await app.inject(`/v1/developments?q=zanzibarite&sort=${sort}&format=ndjson`);
    // Before: once per chunk (3); each ran the match again and sorted all its matches.
    t.equal(matches, 1, `${sort}: one match for the export's three chunks`);
    const lines = response.body.trimEnd().split('\n').map((line) => JSON.parse(line));
    t.same(lines.map((line) => line.id), pages, `${sort}: the pages' records, in their order`);
  }
  const first = (await getJson<Body>(app, '/v1/developments?q=zanzibarite&sort=id&limit=100')).body;
  const rest = await app.inject(`/v1/developments?q=zanzibarite&sort=id&format=csv&cursor=${first.meta.nextCursor}`);
  const rows = rest.body.trimEnd().split('\r\n').slice(1);
  t.same(rows.map((row) => row.split(',')[0]), (await walk('/v1/developments?q=zanzibarite&sort=id&limit=500')).slice(100), 'an export from a cursor: the rest');
  const json = (await getJson<Body>(app, '/v1/developments?q=zanzibarite&sort=id&limit=1')).body.data[0];
  const ndjson = await app.inject('/v1/developments?q=zanzibarite&sort=id&format=ndjson');
  t.same(JSON.parse(ndjson.body.split('\n')[0]!), json, 'an NDJSON line is the JSON item');
  if (!pool) t.same(app.db.$client.prepare('select name from temp.sqlite_master').pluck().all(), [], 'no temporary table left');
});

t.test('id and updatedSince select developments, assessments, statements and reviews as they do recommendations; id states and sources', async (t) => {
  const app = await buildTestApp(t);
  const pool = postgresSide(app)?.pool;
  const run = async (text: string) => void (pool ? await pool.query(text) : app.db.$client.exec(text));
  const bump = "update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision'";
  // The seed holds one review: a second to pick from.
  await run(`insert into reviews (id, state_code, cycle, created_at, updated_at)
    values ('KGZ-2', 'KGZ', 2, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'); ${bump}`);
  for (const list of ['recommendations', 'developments', 'assessments', 'statements', 'reviews', 'states', 'sources']) {
    const all = ids((await getJson<Body>(app, `/v1/${list}?limit=500`)).body);
    t.ok(all.length >= 2, `${list}: records to pick from`);
    const [a, b] = [all.at(-1)!, all[0]!];
    const picked = await getJson<Body>(app, `/v1/${list}?id=${encodeURIComponent(`${a},${b}`)}&id=no-such-id`);
    t.same(sorted(picked.body), [a, b].sort(), `${list}: the records of the ids given`);
    t.equal(picked.body.meta.total, 2, `${list}: an id no record has matches nothing`);
    const csv = await app.inject(`/v1/${list}?id=${encodeURIComponent(a)}&format=csv`);
    t.equal(csv.body.trimEnd().split('\r\n').length, 2, `${list}: in exports too`);
    const many = await getJson(app, `/v1/${list}?id=${Array.from({ length: 101 }, (_, i) => `x${i}`).join(',')}`);
    t.match([many.response.statusCode, many.body.errors], [400, [{ in: 'query', name: 'id' }]], `${list}: at most 100 ids`);
    if (list === 'recommendations') continue; // (its updatedSince: test/recommendations.test.ts)
    if (list === 'states' || list === 'sources') {
      // No record of theirs says when it changed: no updatedSince, as any unknown parameter.
      const unknown = await getJson(app, `/v1/${list}?updatedSince=2030-01-01`);
      t.match([unknown.response.statusCode, unknown.body.errors], [400, [{ in: 'query', name: 'updatedSince' }]], `${list}: no updatedSince`);
      continue;
    }
    await run(`update ${list} set updated_at = '2030-01-01T00:00:00.000Z' where id = '${a}'; ${bump}`);
    const since = async (value: string) => ids((await getJson<Body>(app, `/v1/${list}?updatedSince=${encodeURIComponent(value)}&limit=500`)).body);
    t.same(await since('2029-12-31T23:00:00-01:00'), [a], `${list}: changed at or after an instant`);
    t.same(await since('2030-01-02'), [], `${list}: from a day on`);
    t.same((await since('2000-01-01')).sort(), [...all].sort(), `${list}: every record changed since`);
    const bad = await getJson(app, `/v1/${list}?updatedSince=2030-13-01`);
    t.match([bad.response.statusCode, bad.body.errors], [400, [{ in: 'query', name: 'updatedSince' }]], `${list}: a bad date is a 400`);
  }
  // Reviews' and states' ids are capitals, which their paths take in any case: so does id. A source's is as written.
  t.same(ids((await getJson<Body>(app, '/v1/reviews?id=kgz-3,Kgz-2')).body), ['KGZ-2', 'KGZ-3'], 'reviews: any case');
  t.same(ids((await getJson<Body>(app, '/v1/states?id=kgz&id=FIN')).body), ['FIN', 'KGZ'], 'states: any case');
  t.same(ids((await getJson<Body>(app, '/v1/sources?id=HRW-2020-09-28-KGZ-UPR-ADOPTION')).body), [], 'sources: exactly as written');
  t.same(ids((await getJson<Body>(app, '/v1/reviews?id=KGZ-3&stateUnderReview=FIN')).body), [], 'id combines with the other filters');
  const stats = await getJson(app, `/v1/stats/developments?groupBy=direction&id=${DEATH},${OHCHR}`);
  t.equal(stats.body.meta.total, 2, "stats count the list's records");
});
