import { parse } from 'csv-parse/sync';
import t from 'tap';
import { reviewSummaryOf } from '../src/stats/queries.js';
import { DEVELOPMENT_GROUPINGS, MULTI_VALUED_GROUPINGS, RECOMMENDATION_GROUPINGS } from '../src/stats/schemas.js';
import { insertRecommendation, writeRows } from './fixtures.js';
import { buildTestApp, getJson } from './helpers.js';

// The stats count exactly what the lists list: for the same filters, single-valued groupings sum to the
// list's meta.total, and every group of a multi-valued grouping counts what the list returns with that
// value as a filter.

const FILTERS = [
  '',
  'stateUnderReview=KGZ',
  'position=supported,noted',
  'recommendingState=USA,GBR',
  'regionalGroup=WEOG',
  'hasDevelopments=true',
  'implementation=unknown',
  'q=rights',
  'cycle=3&sdg=16',
  'stateUnderReview=FIN',
  'source=gbr-hrc45-kgz-upr-adoption-statement,hrw-2020-09-28-kgz-upr-adoption',
];

/** The filter parameter that selects a group's value, where the list has one. */
const FILTER_OF: Record<string, string> = {
  position: 'position',
  recommendingState: 'recommendingState',
  regionalGroup: 'regionalGroup',
  stateUnderReview: 'stateUnderReview',
  cycle: 'cycle',
  year: 'year',
  theme: 'theme',
  sdg: 'sdg',
  implementation: 'implementation',
  actionCategory: 'actionCategory',
  recurring: 'recurring',
  labelSource: 'labelSource',
};

t.test('recommendation stats: every grouping and pair sums to (or, per value, equals) the list', async (t) => {
  const app = await buildTestApp(t);
  // Make the multi-valued cases real: several recommenders (two in WEOG), and a recommender in no group.
  await insertRecommendation(app, { id: 'KGZ-3-MUL-1', text: 'Protect rights defenders.', recommendingStates: ['FIN', 'ESP', 'USA'] });
  await insertRecommendation(app, { id: 'KGZ-3-NON-1', text: 'No recommender recorded.', recommendingStates: [], position: 'pending' });
  const total = async (query: string) => (await getJson(app, `/v1/recommendations?limit=1&${query}`)).body.meta.total as number;
  const pairs = [
    // labelSource is grouped with theme only (test/stats-label-source.test.ts).
    ...RECOMMENDATION_GROUPINGS.filter((g) => g !== 'labelSource').map((g) => [g]),
    ['theme', 'labelSource'],
    ['position', 'recommendingState'],
    ['regionalGroup', 'implementation'],
    ['theme', 'sdg'],
    ['cycle', 'stateUnderReview'],
    ['recommendingState', 'regionalGroup'],
  ];
  // A filter's requests, and a grouping's group totals, are sent together (nothing writes meanwhile): on
  // PostgreSQL the database answers some while the app handles others. Checked in order, as they were sent.
  for (const filter of FILTERS) {
    const [listTotal, answers] = await Promise.all([
      total(filter),
      Promise.all(pairs.map((groupBy) => getJson(app, `/v1/stats/recommendations?groupBy=${groupBy.join(',')}&${filter}`))),
    ]);
    for (const [i, groupBy] of pairs.entries()) {
      const name = `groupBy=${groupBy.join(',')}&${filter}`;
      const { response, body } = answers[i]!;
      t.equal(response.statusCode, 200, name);
      t.equal(body.meta.total, listTotal, `${name}: meta.total is the list's`);
      t.same(body.meta.groupBy, groupBy);
      const sum = body.data.reduce((s: number, g: { count: number }) => s + g.count, 0);
      t.equal(body.meta.sum, sum, `${name}: meta.sum`);
      const multi = groupBy.some((g) => MULTI_VALUED_GROUPINGS.has(g));
      t.equal(body.meta.multiValued, multi, `${name}: multiValued`);
      if (!multi) t.equal(sum, listTotal, `${name}: counts sum to the list's total`);
      else t.ok(sum >= listTotal, `${name}: per-value counts sum to at least the total`);
      t.ok(body.data.every((g: { count: number }) => g.count > 0), 'no empty groups');
      const counts = body.data.map((g: { count: number }) => g.count);
      t.same(counts, [...counts].sort((a, b) => b - a), 'largest first');
      // Every group with values the list can filter by counts exactly what the list returns.
      // (A multi-valued value cannot be checked this way under a filter on the same parameter: the list
      // would replace the filter rather than add to it.)
      const filtered = new URLSearchParams(filter);
      if (groupBy.some((g) => MULTI_VALUED_GROUPINGS.has(g) && filtered.has(FILTER_OF[g]!))) continue;
      const groups = (body.data as Record<string, unknown>[]).filter((group) => !groupBy.some((g) => group[g] === null));
      const queries = groups.map((group) => {
        const query = new URLSearchParams(filter);
        for (const g of groupBy) query.set(FILTER_OF[g]!, String(group[g]));
        return query;
      });
      const totals = await Promise.all(queries.map((query) => total(query.toString())));
      groups.forEach((group, k) => t.equal(group.count, totals[k], `${name}: group ${queries[k]}`));
    }
  }

  // The no-value buckets: counted, under null.
  const byState = (await getJson(app, '/v1/stats/recommendations?groupBy=recommendingState')).body;
  t.same(byState.data.find((g: any) => g.recommendingState === null), { recommendingState: null, recommendingStateName: null, count: 1 });
  t.same(byState.data.find((g: any) => g.recommendingState === 'GBR'), {
    recommendingState: 'GBR',
    recommendingStateName: 'United Kingdom of Great Britain and Northern Ireland',
    count: 3,
  });
  const byGroup = (await getJson(app, '/v1/stats/recommendations?groupBy=regionalGroup')).body;
  t.same(
    byGroup.data,
    [
      { regionalGroup: 'WEOG', count: 9 },
      { regionalGroup: null, count: 1 },
    ],
    'a recommendation by two WEOG states counts once under WEOG, so do the three by the United States (WEOG ' +
      'for UPR statistics, as UPR Info and OHCHR count it); those with no recommending state under null',
  );
  const all = (await getJson(app, '/v1/recommendations?limit=500')).body.data as any[];
  const bySdg = (await getJson(app, '/v1/stats/recommendations?groupBy=sdg')).body;
  t.equal(bySdg.data.find((g: any) => g.sdg === null).count, all.filter((r) => r.sdgs.length === 0).length, 'no SDG: null');
  t.equal(bySdg.data.find((g: any) => g.sdg === 16).sdgLabel, 'Peace, justice and strong institutions');
  const byTheme = (await getJson(app, '/v1/stats/recommendations?groupBy=theme')).body;
  t.equal(byTheme.data.find((g: any) => g.theme === null).count, all.filter((r) => r.themes.length === 0).length);
  t.equal(byTheme.data.find((g: any) => g.theme === 'human-rights-defenders').themeLabel, 'Human rights defenders');
  const byPosition = (await getJson(app, '/v1/stats/recommendations?groupBy=position')).body;
  t.same(byPosition.data, [
    { position: 'unknown', count: 5 },
    { position: 'supported', count: 3 },
    { position: 'noted', count: 1 },
    { position: 'pending', count: 1 },
  ]);
  const reviewed = (await getJson(app, '/v1/stats/recommendations?groupBy=stateUnderReview,cycle')).body;
  t.same(reviewed.data, [{ stateUnderReview: 'KGZ', stateUnderReviewName: 'Kyrgyzstan', cycle: 3, count: 10 }]);
});

t.test('recommendation stats as CSV', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({
    method: 'GET',
    url: '/v1/stats/recommendations?groupBy=recommendingState,position&stateUnderReview=KGZ',
    headers: { accept: 'text/csv' },
  });
  t.match(response.headers['content-type'], /^text\/csv/);
  t.match(response.headers['content-disposition'], /^attachment; filename="recommendation-stats-\d{4}-\d{2}-\d{2}\.csv"$/);
  t.equal(response.body.slice(0, response.body.indexOf('\r\n')), 'recommendingState,recommendingStateName,position,count');
  const rows = parse(response.body, { columns: true }) as Record<string, string>[];
  const json = (await getJson(app, '/v1/stats/recommendations?groupBy=recommendingState,position&stateUnderReview=KGZ')).body;
  t.same(
    rows,
    json.data.map((g: any) => ({
      recommendingState: g.recommendingState,
      recommendingStateName: g.recommendingStateName,
      position: g.position,
      count: String(g.count),
    })),
  );
  const withBom = await app.inject({ method: 'GET', url: '/v1/stats/recommendations?groupBy=cycle&format=csv&bom=true' });
  t.equal(withBom.body, '\uFEFFcycle,count\r\n3,8\r\n');
  const noBom = await app.inject({ method: 'GET', url: '/v1/stats/developments?groupBy=direction&format=csv' });
  t.equal(noBom.body, 'direction,count\r\nsetback,7\r\nneutral,2\r\n');
  t.match(noBom.headers['content-disposition'], /filename="development-stats-/);
  const bom = await app.inject({ method: 'GET', url: '/v1/stats/developments?groupBy=theme&format=csv&bom=true' });
  t.equal(bom.body.slice(0, 23), '\uFEFFtheme,themeLabel,count');
  const nulls = parse(bom.body, { columns: true, bom: true }) as Record<string, string>[];
  t.ok(nulls.every((r) => Number(r.count) > 0));
});

t.test('actionCategory groups are numbers as on the records (null: not coded), in JSON and CSV', async (t) => {
  const app = await buildTestApp(t);
  const ids = ((await getJson(app, '/v1/recommendations?limit=3&sort=id')).body.data as { id: string }[]).map((r) => r.id);
  const coded: [string, number][] = [[ids[0]!, 4], [ids[1]!, 4], [ids[2]!, 5]];
  await writeRows(app, ids, coded.map(([id, category]) => ['update recommendations set action_category = ? where id = ?', [category, id]]));
  t.strictSame((await getJson(app, `/v1/recommendations/${ids[0]}`)).body.actionCategory, 4, 'a record: a number');
  const total = async (query: string) => (await getJson(app, `/v1/recommendations?limit=1&${query}`)).body.meta.total as number;
  const stats = (await getJson(app, '/v1/stats/recommendations?groupBy=actionCategory')).body;
  t.strictSame(stats.data, [
    { actionCategory: null, count: await total('actionCategory=unknown') },
    { actionCategory: 4, count: 2 },
    { actionCategory: 5, count: 1 },
  ]);
  const paired = (await getJson(app, '/v1/stats/recommendations?groupBy=actionCategory,cycle&actionCategory=4,5')).body;
  t.strictSame(paired.data, [{ actionCategory: 4, cycle: 3, count: 2 }, { actionCategory: 5, cycle: 3, count: 1 }]);
  const csv = await app.inject({ method: 'GET', url: '/v1/stats/recommendations?groupBy=actionCategory&format=csv' });
  t.equal(csv.body, `actionCategory,count\r\n,${stats.data[0].count}\r\n4,2\r\n5,1\r\n`, 'CSV: the number, and an empty cell for null');
});

t.test('development stats', async (t) => {
  const app = await buildTestApp(t);
  const total = async (query: string) => (await getJson(app, `/v1/developments?limit=1&${query}`)).body.meta.total as number;
  const pairs = [...DEVELOPMENT_GROUPINGS.map((g) => [g]), ['direction', 'year'], ['theme', 'stateUnderReview'], ['year', 'theme']];
  for (const filter of ['', 'stateUnderReview=KGZ', 'direction=setback', 'from=2020-07-01&to=2020-07-31', 'q=Askarov', 'stateUnderReview=FIN', 'source=hrw-2020-09-28-kgz-upr-adoption']) {
    const [listTotal, answers] = await Promise.all([
      total(filter),
      Promise.all(pairs.map((groupBy) => getJson(app, `/v1/stats/developments?groupBy=${groupBy.join(',')}&${filter}`))),
    ]);
    for (const [i, groupBy] of pairs.entries()) {
      const name = `groupBy=${groupBy.join(',')}&${filter}`;
      const { body } = answers[i]!;
      t.equal(body.meta.total, listTotal, name);
      const sum = body.data.reduce((s: number, g: { count: number }) => s + g.count, 0);
      t.equal(body.meta.sum, sum);
      t.equal(body.meta.multiValued, groupBy.includes('theme'), `${name}: multiValued`);
      if (!groupBy.includes('theme')) t.equal(sum, listTotal, `${name}: sums to the list's total`);
      const checked = groupBy.includes('year') ? [] : (body.data as Record<string, unknown>[]).filter((group) => !groupBy.some((g) => group[g] === null));
      const queries = checked.map((group) => groupBy.map((g) => `${g}=${group[g]}`).join('&'));
      const totals = await Promise.all(queries.map((query) => total(`${filter}&${query}`)));
      checked.forEach((group, k) => t.equal(group.count, totals[k], `${name}: ${queries[k]}`));
    }
  }
  const byYear = (await getJson(app, '/v1/stats/developments?groupBy=direction,year')).body;
  t.same(byYear.data, [
    { direction: 'setback', year: 2020, count: 7 },
    { direction: 'neutral', year: 2016, count: 1 },
    { direction: 'neutral', year: 2020, count: 1 },
  ]);
  const bySource = (await getJson(app, '/v1/stats/developments?groupBy=direction&source=24KG-2020-ohchr-askarov-investigation')).body;
  t.same(bySource.data, [{ direction: 'neutral', count: 1 }], "the OHCHR call, the one development citing 24.kg's report");
  const byState = (await getJson(app, '/v1/stats/developments?groupBy=stateUnderReview')).body;
  t.same(byState.data, [{ stateUnderReview: 'KGZ', stateUnderReviewName: 'Kyrgyzstan', count: 9 }]);
});

t.test('stats parameters', async (t) => {
  const app = await buildTestApp(t);
  for (const [query, name] of [
    ['', 'groupBy'],
    ['groupBy=', 'groupBy'],
    ['groupBy=colour', 'groupBy'],
    ['groupBy=position,position', 'groupBy'],
    ['groupBy=position,cycle,theme', 'groupBy'],
    ['groupBy=position&limit=10', 'limit'],
    ['groupBy=position&cycle=9', 'cycle'],
  ] as [string, string][]) {
    const { response, body } = await getJson(app, `/v1/stats/recommendations?${query}`);
    t.equal(response.statusCode, 400, query);
    t.ok(body.errors.some((e: { name: string }) => e.name === name), `${query} names ${name}`);
  }
  t.equal((await getJson(app, '/v1/stats/developments?groupBy=position')).response.statusCode, 400);
  t.equal((await getJson(app, '/v1/stats/developments?groupBy=year&from=2021-01-01&to=2020-01-01')).response.statusCode, 400);
  t.equal(
    (await getJson(app, '/v1/stats/recommendations?groupBy=position&groupBy=cycle')).body.meta.groupBy.join(),
    'position,cycle',
    'repeated groupBy',
  );
});

t.test("a review's summary", async (t) => {
  const app = await buildTestApp(t);
  const { response, body } = await getJson(app, '/v1/reviews/KGZ-3/summary');
  t.equal(response.statusCode, 200);
  t.equal(body.reviewId, 'KGZ-3');
  t.same(body.stateUnderReview, { id: 'KGZ', name: 'Kyrgyzstan' });
  t.equal(body.cycle, 3);
  t.same(body.recommendations.byPosition, { total: 8, supported: 3, partially_supported: 0, noted: 1, pending: 0, unknown: 4 });
  t.same(body.recommendations.byImplementation, { not_implemented: 2, partially_implemented: 0, implemented: 0, unknown: 6 });
  const review = (await getJson(app, '/v1/reviews/KGZ-3')).body;
  t.same(body.recommendations.byPosition, review.recommendationsByPosition, 'the same counts as the review record');

  t.equal(body.developments.total, review.developmentCount);
  const developments = (await getJson(app, '/v1/developments?reviewId=KGZ-3&limit=500')).body.data as any[];
  const months = new Map<string, number>();
  const years = new Map<string, number>();
  for (const d of developments) {
    const map = d.datePrecision === 'year' ? years : months;
    const key = d.date.slice(0, d.datePrecision === 'year' ? 4 : 7);
    map.set(key, (map.get(key) ?? 0) + 1);
  }
  t.same(body.developments.byMonth.map((m: any) => [m.month, m.total]), [...months].sort(), 'per month, oldest first');
  t.same(body.developments.byYearOnly.map((y: any) => [y.year, y.total]), [...years].sort(), 'a year-only date is not put in a month');
  for (const entry of [...body.developments.byMonth, ...body.developments.byYearOnly]) {
    t.equal(entry.progress + entry.setback + entry.neutral, entry.total);
  }
  t.equal(
    body.developments.byMonth.reduce((s: number, m: any) => s + m.total, 0) +
      body.developments.byYearOnly.reduce((s: number, y: any) => s + y.total, 0),
    body.developments.total,
  );
  t.same(body.developments.byMonth.find((m: any) => m.month === '2020-07'), { month: '2020-07', total: 2, progress: 0, setback: 1, neutral: 1 });

  t.ok(body.topThemes.length > 0 && body.topThemes.length <= 10);
  const recommendations = (await getJson(app, '/v1/recommendations?reviewId=KGZ-3&limit=500')).body.data as any[];
  for (const theme of body.topThemes) {
    t.equal(theme.recommendationCount, recommendations.filter((r) => r.themes.some((x: any) => x.id === theme.id)).length, theme.id);
    // A count of automatic labels is said so: those of the count that only the tagger gave.
    t.equal(
      theme.machineRecommendationCount,
      recommendations.filter((r) => r.themes.some((x: any) => x.id === theme.id && x.source === 'machine')).length,
      `${theme.id}: its machine labels`,
    );
    t.equal(theme.developmentCount, developments.filter((d) => d.themes.some((x: any) => x.id === theme.id)).length, theme.id);
  }
  const order = body.topThemes.map((x: any) => [-x.recommendationCount, -x.developmentCount, x.label]);
  t.same(order, [...order].sort((a: any, b: any) => a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2], 'en')), 'most first');
  t.ok(
    body.topThemes.some((x: any) => x.machineRecommendationCount > 0) && body.topThemes.some((x: any) => x.machineRecommendationCount === 0),
    'the seed\'s top themes: some from the tagger, some curated',
  );
  t.equal((await getJson(app, '/v1/reviews/KGZ-3/summary?top=2')).body.topThemes.length, 2);
  // Themes counted alike under one label (UHRI's and UPR Info's "Right to health") come in id order. They came
  // in the order the database grouped them, which SQLite and PostgreSQL differ in: 103 of 889 summaries of the
  // same data differed between them, in the order and in which themes made the top.
  const tied = (ids: string[]) =>
    reviewSummaryOf(
      {
        review: { id: 'KGZ-3', state_code: 'KGZ', name: 'Kyrgyzstan', cycle: 3 },
        counts: { total: 0, byPosition: body.recommendations.byPosition, byImplementation: body.recommendations.byImplementation },
        byPeriod: [],
        recommendationThemes: ids.map((id) => ({ id, label: 'Right to health', scheme: 'uhri' as const, n: 6, machine: 0 })),
        developmentThemes: [],
      },
      2,
    ).topThemes.map((theme) => theme.id);
  t.same(tied(['upr-info-right-to-health', 'right-to-health', 'health']), ['health', 'right-to-health'], 'ties by id');
  t.same(tied(['right-to-health', 'health', 'upr-info-right-to-health']), ['health', 'right-to-health'], 'whatever the rows\' order');

  // Each theme says its scheme; `scheme` and `labelSource` narrow what is counted as the list's filters do.
  const schemes = new Map(((await getJson(app, '/v1/themes')).body.data as any[]).map((x) => [x.id, x.scheme]));
  for (const theme of body.topThemes) t.equal(theme.scheme, schemes.get(theme.id), `${theme.id}: its scheme`);
  const uhri = (await getJson(app, '/v1/reviews/KGZ-3/summary?scheme=uhri&top=100')).body.topThemes as any[];
  t.ok(uhri.length > 0 && uhri.every((x) => x.scheme === 'uhri'), 'scheme=uhri: UHRI themes only');
  for (const labelSource of ['ohchr', 'curated', 'curated,machine']) {
    const counted = (await getJson(app, `/v1/reviews/KGZ-3/summary?labelSource=${labelSource}&top=100`)).body.topThemes as any[];
    for (const theme of counted) {
      const list = await getJson(app, `/v1/recommendations?reviewId=KGZ-3&theme=${theme.id}&labelSource=${labelSource}&limit=1`);
      t.equal(theme.recommendationCount, list.body.meta.total, `labelSource=${labelSource}, ${theme.id}: the list's count`);
      const machine = labelSource.includes('machine')
        ? (await getJson(app, `/v1/recommendations?reviewId=KGZ-3&theme=${theme.id}&labelSource=machine&limit=1`)).body.meta.total
        : 0;
      t.equal(theme.machineRecommendationCount, machine, `labelSource=${labelSource}, ${theme.id}: its machine labels`);
    }
  }
  t.equal((await getJson(app, '/v1/reviews/KGZ-3/summary?labelSource=robot')).response.statusCode, 400);
  t.equal((await getJson(app, '/v1/reviews/KGZ-3/summary?top=0')).response.statusCode, 400);

  const missing = await getJson(app, '/v1/reviews/FIN-1/summary');
  t.equal(missing.response.statusCode, 404);
  t.match(missing.body.detail, /FIN-1/);
});
