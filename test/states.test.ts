import t from 'tap';
import { REGIONAL_GROUPS } from '../src/db/schema.js';
import { STATES } from '../seed/states.js';
import { buildTestApp, getJson } from './helpers.js';

const codes = (body: { data: { id: string }[] }) => body.data.map((s) => s.id);
const inGroups = (...groups: string[]) => STATES.filter((s) => s.regionalGroup !== null && groups.includes(s.regionalGroup));
const sortedCodes = (states: readonly { code: string }[]) => states.map((s) => s.code).sort();

t.test('states: the seeded list', async (t) => {
  const app = await buildTestApp(t);

  t.test('the seed itself holds 193 members and 2 observers', async (t) => {
    t.equal(STATES.length, 195);
    t.equal(new Set(STATES.map((s) => s.code)).size, 195, 'no code twice');
  });

  t.test('all 195 states with the list envelope', async (t) => {
    const { response, body } = await getJson(app, '/v1/states?limit=500');
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^application\/json/);
    t.equal(body.meta.total, 195);
    t.equal(body.meta.limit, 500);
    t.equal(body.meta.nextCursor, null);
    t.notOk(response.headers.link, 'no Link header on the last page');
    t.same(codes(body), sortedCodes(STATES), 'every seeded state, in code order');
    t.same(
      body.data.find((s: { id: string }) => s.id === 'KGZ'),
      { id: 'KGZ', name: 'Kyrgyzstan', regionalGroup: 'Asia-Pacific', regionalGroupNote: null, unMember: true, version: 1 },
      'list items carry id, name, regionalGroup (and its note), unMember and version only',
    );
  });

  t.test('default page size is 50', async (t) => {
    const { response, body } = await getJson(app, '/v1/states');
    t.equal(body.meta.total, 195);
    t.equal(body.meta.limit, 50);
    t.equal(body.data.length, 50);
    t.type(body.meta.nextCursor, 'string');
    t.match(response.headers.link, /^<\/v1\/states\?cursor=[^>]+>; rel="next"$/);
  });

  t.test('unMember separates the 193 members from the 2 observers', async (t) => {
    const members = (await getJson(app, '/v1/states?unMember=true&limit=500')).body;
    t.equal(members.meta.total, 193);
    t.equal(members.data.length, 193);
    t.ok(members.data.every((s: { unMember: boolean }) => s.unMember === true));
    const observers = (await getJson(app, '/v1/states?unMember=false')).body;
    t.equal(observers.meta.total, 2);
    t.same(codes(observers), ['PSE', 'VAT']);
    t.ok(observers.data.every((s: { unMember: boolean }) => s.unMember === false));
    t.same(
      sortedCodes(STATES.filter((s) => !s.unMember)),
      ['PSE', 'VAT'],
      'the seed agrees on which states are observers',
    );
  });

  t.test('regionalGroup: single, comma-separated and repeated', async (t) => {
    for (const group of REGIONAL_GROUPS) {
      const expected = inGroups(group);
      t.ok(expected.length > 0, `${group} has states in the seed`);
      const { response, body } = await getJson(app, `/v1/states?regionalGroup=${encodeURIComponent(group)}&limit=500`);
      t.equal(response.statusCode, 200, group);
      t.equal(body.meta.total, expected.length, `${group}: ${expected.length} states`);
      t.same(codes(body), sortedCodes(expected), `${group}: the seeded members`);
      t.ok(body.data.every((s: { regionalGroup: string }) => s.regionalGroup === group), `${group}: only its members`);
    }
    const weogOrGrulac = inGroups('WEOG', 'GRULAC');
    const comma = (await getJson(app, '/v1/states?regionalGroup=WEOG,GRULAC&limit=500')).body;
    t.equal(comma.meta.total, weogOrGrulac.length, 'comma-separated values');
    t.same(codes(comma), sortedCodes(weogOrGrulac));
    const repeated = (await getJson(app, '/v1/states?regionalGroup=WEOG&regionalGroup=GRULAC&limit=500')).body;
    t.equal(repeated.meta.total, weogOrGrulac.length, 'repeated parameters');
    t.same(codes(repeated), sortedCodes(weogOrGrulac));

    const ungrouped = STATES.filter((s) => s.regionalGroup === null);
    t.same(sortedCodes(ungrouped), ['VAT'], 'the seed leaves the Holy See out of every group');
    const usa = (await getJson(app, '/v1/states/usa')).body;
    t.equal(usa.regionalGroup, 'WEOG', 'the United States counts in WEOG for UPR statistics');
    t.match(usa.regionalGroupNote, /observer.*UPR Info and OHCHR count it in WEOG/s, 'and its record says why');
    t.equal((await getJson(app, '/v1/states/FIN')).body.regionalGroupNote, null, 'plain membership needs no note');
    const everyGroup = (await getJson(app, `/v1/states?regionalGroup=${REGIONAL_GROUPS.map(encodeURIComponent).join(',')}`))
      .body;
    t.equal(everyGroup.meta.total, 195 - ungrouped.length, 'every group together: all but the ungrouped states');

    const observersInAsia = STATES.filter((s) => s.regionalGroup === 'Asia-Pacific' && !s.unMember);
    t.same(sortedCodes(observersInAsia), ['PSE']);
    const combined = (await getJson(app, '/v1/states?regionalGroup=Asia-Pacific&unMember=false')).body;
    t.equal(combined.meta.total, 1, 'regionalGroup and unMember combine');
    t.same(codes(combined), ['PSE']);
  });

  t.test('name matches any spelling found in UN documents', async (t) => {
    const cases: [string, string][] = [
      ['Kyrgyz Republic', 'KGZ'],
      ['kyrgysztan', 'KGZ'],
      ['Kyrgyzstan', 'KGZ'],
      ['  KYRGYZSTAN ', 'KGZ'],
      ['Türkiye', 'TUR'],
      ['Turkey', 'TUR'],
      ['Turkiye', 'TUR'],
      ["Cote d'Ivoire", 'CIV'],
      ["Côte d'Ivoire", 'CIV'],
      ['Ivory Coast', 'CIV'],
      ['Holy See', 'VAT'],
    ];
    for (const [name, code] of cases) {
      const { response, body } = await getJson(app, `/v1/states?name=${encodeURIComponent(name)}`);
      t.equal(response.statusCode, 200, name);
      t.equal(body.meta.total, 1, `${name}: one state`);
      t.same(codes(body), [code], `${name} is ${code}`);
    }
    const unknown = (await getJson(app, '/v1/states?name=Atlantis')).body;
    t.equal(unknown.meta.total, 0, 'an unknown name matches nothing');
    t.same(unknown.data, []);
    const partial = (await getJson(app, '/v1/states?name=Kyrgyz')).body;
    t.equal(partial.meta.total, 0, 'a name is matched whole, not as a prefix');
    const wrongGroup = (await getJson(app, '/v1/states?name=Turkey&regionalGroup=Asia-Pacific')).body;
    t.equal(wrongGroup.meta.total, 0, 'name combines with regionalGroup');
  });

  t.test('a cursor walk visits every state exactly once, in code order, following Link headers', async (t) => {
    const seen: string[] = [];
    let url: string | undefined = '/v1/states?limit=50';
    let pages = 0;
    while (url) {
      const { response, body } = await getJson(app, url);
      t.equal(response.statusCode, 200);
      t.equal(body.meta.total, 195);
      t.equal(body.meta.limit, 50);
      seen.push(...codes(body));
      const link = response.headers.link as string | undefined;
      if (body.meta.nextCursor) {
        t.equal(body.data.length, 50, 'a page before the last is full');
        t.match(link, /^<\/v1\/states\?limit=50&cursor=[^>]+>; rel="next"$/);
        t.ok(link?.includes(`cursor=${body.meta.nextCursor}>`), 'the Link header carries meta.nextCursor');
      } else {
        t.notOk(link, 'no Link header on the last page');
      }
      url = link?.match(/^<([^>]+)>/)?.[1];
      pages++;
      if (pages > 10) break;
    }
    t.equal(pages, 4, '195 states in pages of 50');
    t.equal(seen.length, 195);
    t.equal(new Set(seen).size, 195, 'no state twice');
    t.same(seen, sortedCodes(STATES), 'in code order');
  });

  t.test('a filtered cursor walk keeps its filters', async (t) => {
    const expected = sortedCodes(inGroups('African'));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/states?regionalGroup=African&limit=20${cursor ? `&cursor=${cursor}` : ''}`;
      const { response, body } = await getJson(app, query);
      t.equal(body.meta.total, expected.length);
      if (body.meta.nextCursor) t.match(response.headers.link, /^<\/v1\/states\?regionalGroup=African&limit=20&cursor=/);
      seen.push(...codes(body));
      cursor = body.meta.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    t.equal(pages, Math.ceil(expected.length / 20));
    t.same(seen, expected);
  });
});

t.test('states: one state', async (t) => {
  const app = await buildTestApp(t);

  t.test('Kyrgyzstan, with its aliases and the recommendations it received', async (t) => {
    for (const code of ['KGZ', 'kgz', 'Kgz']) {
      const { response, body } = await getJson(app, `/v1/states/${code}`);
      t.equal(response.statusCode, 200, code);
      t.match(response.headers['content-type'], /^application\/json/);
      t.equal(body.id, 'KGZ', `${code} is answered as KGZ`);
      t.equal(body.name, 'Kyrgyzstan');
      t.equal(body.regionalGroup, 'Asia-Pacific');
      t.equal(body.unMember, true);
      t.ok(body.aliases.includes('Kyrgyz Republic'), 'aliases include "Kyrgyz Republic"');
      t.notOk(body.aliases.includes('Kyrgyzstan'), 'the name itself is not repeated among the aliases');
      t.same(body.recommendationsReceived, {
        total: 8,
        supported: 3,
        partially_supported: 0,
        noted: 1,
        pending: 0,
        unknown: 4,
      });
      t.same(body.recommendationsMade, {
        total: 0,
        supported: 0,
        partially_supported: 0,
        noted: 0,
        pending: 0,
        unknown: 0,
      });
      t.same(body.reviewIds, ['KGZ-3']);
    }
    const seeded = STATES.find((s) => s.code === 'KGZ')!;
    const { body } = await getJson(app, '/v1/states/KGZ');
    t.same(body.aliases.slice().sort(), seeded.aliases.slice().sort(), 'exactly the seeded aliases');
  });

  t.test('the United Kingdom made three recommendations, all supported', async (t) => {
    const { response, body } = await getJson(app, '/v1/states/GBR');
    t.equal(response.statusCode, 200);
    t.equal(body.name, 'United Kingdom of Great Britain and Northern Ireland');
    t.equal(body.regionalGroup, 'WEOG');
    t.equal(body.recommendationsMade.total, 3);
    t.equal(body.recommendationsMade.supported, 3);
    t.equal(body.recommendationsMade.noted, 0);
    t.equal(body.recommendationsMade.unknown, 0);
    t.equal(body.recommendationsReceived.total, 0, 'the UK was not reviewed in the seed');
    t.same(body.reviewIds, []);
  });

  t.test('the United States is in WEOG for UPR statistics, where it sits as an observer', async (t) => {
    const { response, body } = await getJson(app, '/v1/states/USA');
    t.equal(response.statusCode, 200);
    t.equal(body.regionalGroup, 'WEOG');
    t.match(body.regionalGroupNote, /^Not a member of any UN regional group/, 'the record says it is no member');
    t.equal(body.unMember, true);
    t.equal(body.recommendationsMade.total, 3);
    t.equal(body.recommendationsMade.unknown, 3, 'no source records the positions on its recommendations');
  });

  t.test('the Holy See is an observer in no regional group', async (t) => {
    const { body } = await getJson(app, '/v1/states/VAT');
    t.equal(body.name, 'Holy See');
    t.equal(body.regionalGroup, null);
    t.equal(body.unMember, false);
  });

  t.test('an unknown code is a 404 problem', async (t) => {
    const { response, body } = await getJson(app, '/v1/states/XXX');
    t.equal(response.statusCode, 404);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.equal(body.status, 404);
    t.equal(body.title, 'Not Found');
    t.match(body.detail, /XXX/);
    t.equal(body.instance, '/v1/states/XXX');
  });

  t.test('a code that is not three letters is a 400 problem naming the path parameter', async (t) => {
    for (const code of ['KG', 'KGZZ', 'K1Z']) {
      const { response, body } = await getJson(app, `/v1/states/${code}`);
      t.equal(response.statusCode, 400, code);
      t.match(response.headers['content-type'], /^application\/problem\+json/, code);
      t.equal(body.status, 400, code);
      t.ok(
        body.errors.some((e: { in: string; name: string }) => e.in === 'path' && e.name === 'id'),
        `${code} names the path parameter id: ${JSON.stringify(body.errors)}`,
      );
    }
  });
});

t.test('states: invalid parameters are 400 problems naming the parameter', async (t) => {
  const app = await buildTestApp(t);
  const reviewCursor = Buffer.from('{"s":"reviews/id","k":["KGZ-3"]}').toString('base64url');
  const cases: [string, string][] = [
    ['regionalGroup=Europe', 'regionalGroup'],
    ['regionalGroup=weog', 'regionalGroup'],
    ['regionalGroup=WEOG,Europe', 'regionalGroup'],
    ['regionalGroup=', 'regionalGroup'],
    ['unMember=maybe', 'unMember'],
    ['unMember=1', 'unMember'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['name=', 'name'],
    ['colour=blue', 'colour'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"s":"code","k":[]}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('{"s":"code"}').toString('base64url')}`, 'cursor'],
    [`cursor=${reviewCursor}`, 'cursor'],
  ];
  for (const [query, name] of cases) {
    const response = await app.inject({ method: 'GET', url: `/v1/states?${query}` });
    t.equal(response.statusCode, 400, query);
    t.match(response.headers['content-type'], /^application\/problem\+json/, query);
    const body = response.json();
    t.equal(body.status, 400, query);
    t.equal(body.title, 'Bad Request', query);
    t.equal(body.instance, '/v1/states', query);
    t.same(
      body.errors.map((e: { in: string; name: string }) => `${e.in} ${e.name}`),
      [`query ${name}`],
      `${query}: one error, naming ${name}: ${JSON.stringify(body.errors)}`,
    );
    t.notMatch(body.detail, /at .*\.ts:\d+/, 'no stack trace');
  }
  const { body } = await getJson(app, `/v1/states?cursor=${reviewCursor}`);
  t.match(body.detail, /another list or sort \("reviews\/id"\)/, 'a cursor of another list names the list and sort it was made for');
});
