import { parse } from 'csv-parse/sync';
import t from 'tap';
import { LABEL_SOURCES } from '../src/db/schema.js';
import { buildTestApp, getJson } from './helpers.js';
import { entryRow, HEADER_ROW, importInto, matrixDocx } from './import-helpers.js';

// groupBy=theme,labelSource: each theme split by who gave its labels, in one request. Each cell must be exactly the
// theme's count asked with labelSource naming that source alone (what the dashboard asked separately before), on
// the seed (curated labels and the tagger's machine ones) with an OHCHR matrix imported (ohchr labels).

type Group = { theme: string | null; labelSource?: string | null; count: number };

t.test('groupBy=theme,labelSource: each cell is the theme counted under that labelSource alone', async (t) => {
  const app = await buildTestApp(t);
  const entries = Array.from({ length: 12 }, (_, i) =>
    entryRow({ text: `121.${i + 1} Ensure the right number ${i + 1} (France);`, tags: i % 3 === 0 ? ['- Right to education', '- Right to health'] : ['- Right to education'] }),
  );
  t.same((await importInto(app, await matrixDocx([HEADER_ROW, ...entries]))).reviewsCreated, ['SVN-3']);

  const sourcesSeen = new Set<string>();
  for (const filter of ['', 'reviewId=SVN-3', 'stateUnderReview=KGZ', 'position=supported', 'q=rights', 'labelSource=ohchr,machine', 'labelSource=curated']) {
    const and = filter && `&${filter}`;
    const [{ response, body: pairs }, { body: themes }, ...bySource] = await Promise.all([
      getJson(app, `/v1/stats/recommendations?groupBy=theme,labelSource${and}`),
      getJson(app, `/v1/stats/recommendations?groupBy=theme${and}`),
      // A source the filter names alone (one it does not name has no cells: checked below).
      ...LABEL_SOURCES.map((source) => {
        const alone = new URLSearchParams(filter);
        alone.set('labelSource', source);
        return getJson(app, `/v1/stats/recommendations?groupBy=theme&${alone}`);
      }),
    ]);
    t.equal(response.statusCode, 200, filter);
    t.same(pairs.meta.groupBy, ['theme', 'labelSource']);
    t.equal(pairs.meta.total, themes.meta.total, `${filter}: the list's total`);
    t.equal(pairs.meta.multiValued, true);
    const cells = pairs.data as Group[];
    const named = new URLSearchParams(filter).get('labelSource')?.split(',');
    LABEL_SOURCES.forEach((source, i) => {
      const want = (bySource[i]!.body.data as Group[]).filter((g) => g.theme !== null);
      const got = cells.filter((g) => g.labelSource === source);
      if (named && !named.includes(source)) return t.same(got, [], `${filter}: no ${source} cell outside the labelSource filter`);
      if (got.length > 0) sourcesSeen.add(source);
      const counts = (groups: Group[]) => Object.fromEntries(groups.map((g) => [g.theme, g.count]));
      t.same(counts(got), counts(want), `${filter}: the ${source} cells are groupBy=theme&labelSource=${source}'s themes`);
    });
    // Each theme's cells sum to its count (a recommendation has a theme once, from one source); no theme, no source.
    const sums = new Map<string | null, number>();
    for (const g of cells) {
      t.equal(g.labelSource === null, g.theme === null, `${filter}: ${g.theme}, ${g.labelSource}`);
      sums.set(g.theme, (sums.get(g.theme) ?? 0) + g.count);
    }
    t.same(Object.fromEntries(sums), Object.fromEntries((themes.data as Group[]).map((g) => [g.theme, g.count])), `${filter}: per theme, the cells sum to groupBy=theme's count`);
    t.ok(cells.every((g, i) => i === 0 || cells[i - 1]!.count >= g.count), 'largest first');
  }
  t.same([...sourcesSeen].sort(), ['curated', 'machine', 'ohchr'], 'the seed and the matrix hold labels of three sources');

  const csv = await app.inject({ method: 'GET', url: '/v1/stats/recommendations?groupBy=theme,labelSource&reviewId=SVN-3&format=csv' });
  t.equal(csv.body.slice(0, csv.body.indexOf('\r\n')), 'theme,themeLabel,labelSource,count');
  t.ok((parse(csv.body, { columns: true }) as Record<string, string>[]).some((row) => row.labelSource === 'ohchr'));
});

t.test('labelSource is grouped with theme only', async (t) => {
  const app = await buildTestApp(t);
  for (const groupBy of ['labelSource', 'position,labelSource', 'labelSource,labelSource']) {
    const { response, body } = await getJson(app, `/v1/stats/recommendations?groupBy=${groupBy}`);
    t.equal(response.statusCode, 400, groupBy);
    t.ok(body.errors.some((e: { name: string }) => e.name === 'groupBy'), `${groupBy}: groupBy named`);
  }
  const { body } = await getJson(app, '/v1/stats/recommendations?groupBy=position,labelSource');
  t.match(JSON.stringify(body), 'group it with theme (groupBy=theme,labelSource)');
  t.equal((await getJson(app, '/v1/stats/recommendations?groupBy=labelSource,theme')).response.statusCode, 200, 'in either order');
});
