import t from 'tap';
import { slugify } from '../src/common/slug.js';
import { DEVELOPMENTS, RECOMMENDATIONS } from '../seed/kyrgyzstan-upr3.js';
import { AFFECTED_PERSONS, SDG_GOALS, THEMES } from '../seed/labels.js';
import { UPR_INFO_THEMES } from '../src/tagging/labels.js';
import { buildTestApp, getJson } from './helpers.js';
import { entryRow, HEADER_ROW, macRoman, matrixDocx } from './import-helpers.js';
import { importOverHttp } from './support/pgconv-a-import.js';

interface Theme {
  id: string;
  scheme: string;
  label: string;
  uhri: boolean;
  uhriId?: string | null;
  recommendationCount: number;
  developmentCount: number;
}
interface Group {
  id: string;
  label: string;
  uhri: boolean;
  recommendationCount: number;
}
interface Goal {
  id: string;
  label: string;
  recommendationCount: number;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

t.test('themes', async (t) => {
  const app = await buildTestApp(t);
  const { response, body: all } = await getJson<{ data: Theme[]; meta: { total: number } }>(app, '/v1/themes');
  // The seed's own vocabulary (UHRI and local), and UPR Info's issues: the machine labels the seed's
  // recommendations were given when seeded (their sources code no UPR Info issue).
  const body = { ...all, data: all.data.filter((x) => x.scheme !== 'upr-info') };
  const issues = all.data.filter((x) => x.scheme === 'upr-info');

  t.test('every seeded theme, ordered by label, with its counts', async (t) => {
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^application\/json/);
    t.equal(all.meta.total, THEMES.length + UPR_INFO_THEMES.length);
    t.equal(all.data.length, all.meta.total);
    t.same(all.data.map((x) => x.label), all.data.map((x) => x.label).sort(byCodeUnits), 'every scheme in one list, by label');
    t.same(issues.map((x) => x.id).sort(), UPR_INFO_THEMES.map((x) => x.id).sort(), "UPR Info's issues, the tagger's vocabulary");
    t.equal(body.data.length, THEMES.length);
    t.same(Object.keys(body.meta), ['total'], 'not paginated: no limit or cursor');
    t.notOk(response.headers.link);
    for (const theme of all.data) {
      t.same(
        Object.keys(theme).sort(),
        ['developmentCount', 'id', 'label', 'recommendationCount', 'scheme', 'uhri', 'uhriId'],
        `${theme.id} has exactly id, label, uhri, scheme, uhriId, recommendationCount, developmentCount`,
      );
    }
    t.ok(
      all.data.every((x) => x.uhriId === null),
      'no UHRI code until a matrix that prints one is imported (the seed has none: no source gives them)',
    );
    t.same(
      body.data.map((x) => x.label),
      THEMES.map((x) => x.label).sort(byCodeUnits),
      'by label',
    );
    t.same(
      body.data.map((x) => x.id).sort(byCodeUnits),
      THEMES.map((x) => slugify(x.label)).sort(byCodeUnits),
      'ids are the slugs of the labels',
    );
    const seeded = new Map(THEMES.map((x) => [x.label, x.uhri]));
    t.ok(
      body.data.every((x) => seeded.get(x.label) === x.uhri),
      'uhri as seeded',
    );
    t.equal(body.data.filter((x) => !x.uhri).length, THEMES.filter((x) => !x.uhri).length);
  });

  t.test('counts agree with the seed', async (t) => {
    for (const theme of body.data) {
      t.equal(
        theme.recommendationCount,
        RECOMMENDATIONS.filter((r) => r.themes.includes(theme.label)).length,
        `${theme.id}: recommendations`,
      );
      t.equal(
        theme.developmentCount,
        DEVELOPMENTS.filter((d) => d.themes.includes(theme.label)).length,
        `${theme.id}: developments`,
      );
    }
    // The seed's recommendations carry the machine labels of UPR Info's issues; developments never do.
    const seedRecords = (await getJson(app, '/v1/recommendations?reviewId=KGZ-3&limit=100')).body.data as { themes: { id: string; source: string }[] }[];
    t.equal(seedRecords.length, RECOMMENDATIONS.length);
    t.ok(seedRecords.every((r) => r.themes.some((x) => x.source === 'machine')), 'every seeded recommendation has machine labels');
    for (const issue of issues) {
      t.equal(issue.recommendationCount, seedRecords.filter((r) => r.themes.some((x) => x.id === issue.id)).length, `${issue.id}: recommendations`);
      t.equal(issue.developmentCount, 0, `${issue.id}: developments`);
    }
    const hrd = body.data.find((x) => x.label === 'Human rights defenders')!;
    t.ok(hrd, 'the human rights defenders theme is listed');
    t.equal(hrd.id, 'human-rights-defenders');
    t.ok(hrd.recommendationCount >= 1, 'it tags recommendations');
    t.ok(hrd.developmentCount >= 1, 'it tags developments');
    t.ok(
      body.data.some((x) => x.recommendationCount === 0 && x.developmentCount === 0),
      'unused themes are listed too, with zero counts',
    );
  });

  t.test('counts agree with the recommendations and developments lists', async (t) => {
    const used = all.data.filter((x) => x.recommendationCount > 0 || x.developmentCount > 0);
    t.ok(used.length > 1, 'several themes are in use');
    t.ok(used.some((x) => x.scheme === 'upr-info'), "UPR Info's issues among them");
    const sample = [...used, all.data.find((x) => x.recommendationCount === 0 && x.developmentCount === 0)!];
    for (const theme of sample) {
      const recs = await getJson(app, `/v1/recommendations?theme=${theme.id}`);
      t.equal(recs.response.statusCode, 200, `recommendations?theme=${theme.id}`);
      t.equal(theme.recommendationCount, recs.body.meta.total, `${theme.id}: recommendationCount`);
      const devs = await getJson(app, `/v1/developments?theme=${theme.id}`);
      t.equal(devs.response.statusCode, 200, `developments?theme=${theme.id}`);
      t.equal(theme.developmentCount, devs.body.meta?.total, `${theme.id}: developmentCount`);
    }
  });
});

t.test('affected persons', async (t) => {
  const app = await buildTestApp(t);
  const { response, body } = await getJson<{ data: Group[]; meta: { total: number } }>(app, '/v1/affected-persons');
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^application\/json/);
  t.equal(body.meta.total, AFFECTED_PERSONS.length);
  t.equal(body.data.length, AFFECTED_PERSONS.length);
  t.same(
    body.data.map((x) => x.label),
    AFFECTED_PERSONS.map((x) => x.label).sort(byCodeUnits),
    'by label',
  );
  t.same(
    body.data.map((x) => x.id).sort(byCodeUnits),
    AFFECTED_PERSONS.map((x) => slugify(x.label)).sort(byCodeUnits),
    'ids are the slugs of the labels',
  );
  for (const group of body.data) {
    t.same(Object.keys(group).sort(), ['id', 'label', 'recommendationCount', 'uhri'], `${group.id}: fields`);
    t.equal(
      group.recommendationCount,
      RECOMMENDATIONS.filter((r) => r.affectedPersons.includes(group.label)).length,
      `${group.id}: as many recommendations as the seed tags`,
    );
  }
  const used = body.data.filter((x) => x.recommendationCount > 0);
  t.ok(used.length >= 1, 'some groups are in use');
  for (const group of used) {
    const recs = (await getJson(app, `/v1/recommendations?affectedPersons=${group.id}`)).body;
    t.equal(group.recommendationCount, recs.meta.total, `${group.id}: agrees with the recommendations list`);
  }
  const hrd = body.data.find((x) => x.id === 'human-rights-defenders');
  t.equal(hrd?.uhri, false, 'our own label is marked as not from the UHRI');
});

t.test('SDGs', async (t) => {
  const app = await buildTestApp(t);
  const { response, body } = await getJson<{ data: Goal[]; meta: { total: number } }>(app, '/v1/sdgs');
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^application\/json/);
  t.equal(body.meta.total, 17);
  t.same(
    body.data.map((g) => g.id),
    Array.from({ length: 17 }, (_, i) => String(i + 1)),
    'goals 1 to 17, in order',
  );
  t.same(
    body.data.map(({ id, label }) => ({ goal: Number(id), name: label })),
    SDG_GOALS,
    'the official short names',
  );
  t.equal(body.data[15]!.label, 'Peace, justice and strong institutions');
  for (const goal of body.data) {
    t.same(Object.keys(goal).sort(), ['id', 'label', 'recommendationCount'], `goal ${goal.id}: fields`);
    const recs = await getJson(app, `/v1/recommendations?sdg=${goal.id}`);
    t.equal(recs.response.statusCode, 200);
    t.equal(goal.recommendationCount, recs.body.meta.total, `goal ${goal.id}: agrees with recommendations?sdg=`);
    t.equal(
      goal.recommendationCount,
      RECOMMENDATIONS.filter((r) => r.sdgs.includes(Number(goal.id))).length,
      `goal ${goal.id}: agrees with the seed`,
    );
  }
  t.ok(body.data.find((g) => g.id === '16')!.recommendationCount >= 1, 'goal 16 tags Finland’s recommendation');
});

t.test('themes of both schemes, each with its scheme, filtered by scheme', async (t) => {
  const app = await buildTestApp(t);
  const upr = [
    'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session',
    'Kyrgyzstan,Asia,OIC,Abolish the death penalty,Spain,WEOG,EU,Noted,5,Death penalty,8',
  ].join('\r');
  await importOverHttp(app, macRoman(`${upr}\r`));
  const all = (await getJson(app, '/v1/themes')).body.data as { id: string; scheme: string; uhri: boolean }[];
  const schemes = (list: { scheme: string }[]) => [...new Set(list.map((x) => x.scheme))].sort();
  t.same(schemes(all), ['local', 'uhri', 'upr-info'], 'every scheme in one list');
  t.ok(all.every((x) => x.scheme === (x.uhri ? 'uhri' : x.scheme)), 'a UHRI label is in the uhri scheme');
  const uprInfo = (await getJson(app, '/v1/themes?scheme=upr-info')).body;
  t.same(schemes(uprInfo.data), ['upr-info'], "UPR Info's issues only (the file's, and the machine labels' of the seed)");
  t.equal(uprInfo.data.find((x: { id: string }) => x.id === 'upr-info-death-penalty')?.recommendationCount, 1);
  t.equal(uprInfo.meta.total, uprInfo.data.length);
  const two = (await getJson(app, '/v1/themes?scheme=uhri,local')).body;
  t.same(schemes(two.data), ['local', 'uhri']);
  t.equal(two.meta.total, all.length - uprInfo.meta.total, "all but UPR Info's issues");
  const bad = await app.inject({ method: 'GET', url: '/v1/themes?scheme=ohchr' });
  t.equal(bad.statusCode, 400);
  // Worded as every parameter's options are, quoted, with the value given (it said "Expected one of uhri, upr-info, local").
  t.same(bad.json().errors, [{ in: 'query', name: 'scheme', message: 'Not accepted: expected one of "uhri", "upr-info" or "local", given "ohchr"' }]);
  const sdg = await app.inject({ method: 'GET', url: '/v1/themes?scheme=SDG' });
  t.equal(sdg.statusCode, 400);
  t.match(sdg.json().errors, [{ name: 'scheme', message: /SDGs are not a theme scheme: their goals are listed by GET \/v1\/sdgs/ }]);
});

t.test('vocabularies take no query parameters', async (t) => {
  const app = await buildTestApp(t);
  for (const path of ['/v1/themes', '/v1/affected-persons', '/v1/sdgs']) {
    for (const query of ['colour=blue', 'limit=10']) {
      const response = await app.inject({ method: 'GET', url: `${path}?${query}` });
      const name = query.split('=')[0];
      t.equal(response.statusCode, 400, `${path}?${query}`);
      t.match(response.headers['content-type'], /^application\/problem\+json/, `${path}?${query}`);
      const body = response.json();
      t.equal(body.status, 400);
      t.equal(body.title, 'Bad Request');
      t.equal(body.instance, path);
      t.ok(
        body.errors.some((e: { in: string; name: string }) => e.in === 'query' && e.name === name),
        `${path}?${query} names ${name}: ${JSON.stringify(body.errors)}`,
      );
    }
  }
});

t.test('a theme shows the UHRI code an imported matrix printed for it', async (t) => {
  const app = await buildTestApp(t);
  await importOverHttp(
    app,
    await matrixDocx([HEADER_ROW, entryRow({ text: '166.1 Combat racial discrimination (Spain);', tags: ['- B32 Racial discrimination'] })]),
  );
  const themes = (await getJson(app, '/v1/themes?scheme=uhri')).body.data as { id: string; uhriId: string | null }[];
  t.same(
    themes.filter((x) => x.uhriId !== null),
    [themes.find((x) => x.id === 'racial-discrimination')],
  );
  t.equal(themes.find((x) => x.id === 'racial-discrimination')?.uhriId, 'B32');
});
