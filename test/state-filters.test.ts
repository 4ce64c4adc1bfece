import { parse } from 'csv-parse/sync';
import t from 'tap';
import { LoadedPerRevision } from '../src/db/revision.js';
import { boundedDistance } from '../src/common/edit-distance.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// State filters (issue 10 §5): codes, names and aliases in any case; an unknown state is a 400 with close matches.

const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);

t.test('every state filter takes codes, names and aliases in any case', async (t) => {
  const app = await buildTestApp(t);
  const routes = [
    '/v1/recommendations?limit=500&stateUnderReview=',
    '/v1/recommendations?limit=500&recommendingState=',
    '/v1/reviews?stateUnderReview=',
    '/v1/developments?limit=500&stateUnderReview=',
    '/v1/statements?limit=500&stateUnderReview=',
    '/v1/assessments?limit=500&stateUnderReview=',
  ];
  for (const route of routes) {
    const byCode = await getJson(app, `${route}KGZ`);
    for (const spelling of ['kgz', 'Kyrgyzstan', 'Kyrgyz%20Republic', 'KYRGYZSTAN', 'kyrgysztan']) {
      const { response, body } = await getJson(app, `${route}${spelling}`);
      t.equal(response.statusCode, 200, `${route}${spelling}`);
      t.same(ids(body), ids(byCode.body), `${route}${spelling}: as KGZ`);
      t.equal(response.headers.etag, byCode.response.headers.etag, 'one ETag: the query is normalised to codes');
    }
  }
  const recommended = ids((await getJson(app, '/v1/recommendations?limit=500&recommendingState=FIN')).body);
  t.ok(recommended.length > 0, 'Finland recommended something in the seed');
  t.same(ids((await getJson(app, '/v1/recommendations?limit=500&recommendingState=finland')).body), recommended);
  t.same(
    ids((await getJson(app, '/v1/recommendations?limit=500&recommendingState=Republic%20of%20Finland,finland,FIN')).body),
    recommended,
    'several spellings of one state',
  );

  const stats = async (query: string) => (await getJson(app, `/v1/stats/recommendations?groupBy=position&${query}`)).body;
  t.same(await stats('stateUnderReview=kyrgyz%20republic'), await stats('stateUnderReview=KGZ'), 'stats');
  const devStats = async (query: string) => (await getJson(app, `/v1/stats/developments?groupBy=direction&${query}`)).body;
  t.same(await devStats('stateUnderReview=Kyrgyzstan'), await devStats('stateUnderReview=KGZ'), 'development stats');
  const csv = (await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv&stateUnderReview=kgz' })).body;
  t.equal((parse(csv, { columns: true }) as unknown[]).length, 8, 'CSV export');

  t.test('a name with a comma, split like every list value, is read as one name', async (t) => {
    const korea = await getJson(app, '/v1/reviews?stateUnderReview=Korea,%20Republic%20of');
    t.equal(korea.response.statusCode, 200);
    const both = await getJson(app, '/v1/reviews?stateUnderReview=Korea,%20Republic%20of,KGZ');
    t.same(ids(both.body), ids((await getJson(app, '/v1/reviews?stateUnderReview=KOR,KGZ')).body));
  });
});

t.test('an unknown state is a 400 naming it, with close matches', async (t) => {
  const app = await buildTestApp(t);
  const problem = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 400, url);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    return response.json();
  };
  const misspelt = await problem('/v1/recommendations?stateUnderReview=Kyrgyztan');
  t.same(misspelt.errors, [
    {
      in: 'query',
      name: 'stateUnderReview',
      message: 'No state has the code, name or alias "Kyrgyztan"; did you mean KGZ (Kyrgyzstan)?',
    },
  ]);
  t.match(misspelt.detail, /Invalid query parameter "stateUnderReview": .*KGZ \(Kyrgyzstan\)/);
  const prefix = await problem('/v1/developments?stateUnderReview=kyrgyz');
  t.match(prefix.errors[0].message, /did you mean KGZ \(Kyrgyzstan\)\?/, 'a prefix of a name');
  const code = await problem('/v1/statements?stateUnderReview=KGY');
  t.match(code.errors[0].message, /did you mean .*KGZ \(Kyrgyzstan\)/, 'a code one letter off');
  const assessed = await problem('/v1/assessments?stateUnderReview=Kyrgyztan');
  t.match(assessed.errors[0].message, /did you mean KGZ \(Kyrgyzstan\)\?/, 'on assessments too');
  const nothing = await problem('/v1/reviews?stateUnderReview=Atlantis,atlantis&stateUnderReview=Atlantis');
  t.equal(nothing.errors[0].message, 'No state has the code, name or alias "Atlantis"; see GET /v1/states.');
  t.same(nothing.errors.map((e: { message: string }) => e.message.match(/"(\w+)"/)![1]), ['Atlantis', 'atlantis'], 'a value given twice is named once');
  const twice = await problem('/v1/developments?recommendationId=NOPE,NOPE');
  t.equal(twice.errors.length, 1, 'an unknown id given twice is named once');
  // A name in another script (the UN's Russian, Arabic and Chinese names of Kyrgyzstan) comes close to no
  // English one: the answer says which names are known and to give the code; a Latin-script name does not get it.
  for (const name of ['Кыргызстан', 'قيرغيزستان', '吉尔吉斯斯坦']) {
    const other = await problem(`/v1/recommendations?stateUnderReview=${encodeURIComponent(name)}`);
    t.equal(
      other.errors[0].message,
      `No state has the code, name or alias "${name}"; states are known by their English short names, aliases and ISO 3166-1 alpha-3 codes: give the code (KGZ for Kyrgyzstan); see GET /v1/states.`,
      name,
    );
  }
  const speaker = await problem(`/v1/statements?speaker=${encodeURIComponent('Кыргызстан')}`);
  t.match(speaker.errors[0].message, /organization of that name; states are known by their English short names, .*; see GET \/v1\/states and GET \/v1\/statements\.$/);
  const punctuation = await problem('/v1/recommendations?recommendingState=--');
  t.equal(punctuation.errors[0].message, 'No state has the code, name or alias "--"; see GET /v1/states.');

  const many = Array.from({ length: 8 }, (_, i) => `Atlantis${i}`);
  const several = await problem(`/v1/stats/recommendations?groupBy=position&stateUnderReview=KGZ,${many.join(',')}&recommendingState=Nowhere`);
  t.equal(several.errors.length, 9, 'every unknown value is named');
  t.ok(several.errors.slice(0, 5).every((e: { message: string }) => e.message.endsWith('see GET /v1/states.')));
  t.same(
    several.errors.slice(5, 8).map((e: { message: string }) => e.message),
    ['Atlantis5', 'Atlantis6', 'Atlantis7'].map((name) => `No state has the code, name or alias "${name}".`),
  );
  t.equal(several.errors[8].name, 'recommendingState');
  t.equal(several.errors[8].message, 'No state has the code, name or alias "Nowhere".', 'past five, no suggestions');
});

t.test('a new alias is known as soon as it is written', async (t) => {
  const app = await buildTestApp(t);
  t.equal((await app.inject({ method: 'GET', url: '/v1/reviews?stateUnderReview=Kirghizia' })).statusCode, 400);
  const admin = mintKey(app, 'admin');
  const patched = await send(app, 'PATCH', '/v1/states/KGZ', {
    key: admin,
    body: { aliases: ['Kyrgyz Republic', 'Kirghizia'] },
    headers: { 'if-match': '*' },
  });
  t.equal(patched.response.statusCode, 200);
  const { response, body } = await getJson(app, '/v1/reviews?stateUnderReview=Kirghizia');
  t.equal(response.statusCode, 200);
  t.same(ids(body), ids((await getJson(app, '/v1/reviews?stateUnderReview=KGZ')).body));
});

/** A promise and its resolve, for the test to settle when it chooses. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

t.test('a load of an older revision that ends after a newer one does not replace it (PostgreSQL: two requests at once)', async (t) => {
  // Two requests refresh the spellings at once: the first read revision 1 and loaded the names as they were, the
  // second read revision 2 (a write moved an alias between them) and loaded the new names. The database answered
  // the second's load first: the first's, ending later, put the old names back though revision 2 was marked
  // loaded, and a request at revision 2 resolved the alias to its former state (an answer the cache kept).
  const revisions = [deferred<string>(), deferred<string>(), deferred<string>()];
  const loads = [deferred<string>(), deferred<string>()];
  let asked = 0;
  let loadsStarted = 0;
  const used: string[] = [];
  const loaded = new LoadedPerRevision<string>(
    { stamp: () => revisions[asked++]!.promise },
    () => loads[loadsStarted++]!.promise,
    (names) => used.push(names),
  );
  const older = loaded.refresh();
  const newer = loaded.refresh();
  revisions[0]!.resolve('1.a');
  revisions[1]!.resolve('2.b');
  while (loadsStarted < 2) await new Promise(setImmediate);
  loads[1]!.resolve('names at revision 2');
  await newer;
  loads[0]!.resolve('names at revision 1');
  await older;
  t.same(used, ['names at revision 2'], 'the older load is dropped');
  const again = loaded.refresh();
  revisions[2]!.resolve('2.b');
  await again;
  t.equal(loadsStarted, 2, 'revision 2 is loaded: nothing is loaded again');
});

t.test('boundedDistance: the edit distance, or bound + 1 past the bound', async (t) => {
  t.equal(boundedDistance('kyrgyztan', 'kyrgyzstan', 3), 1);
  t.equal(boundedDistance('abc', 'abc', 1), 0);
  t.equal(boundedDistance('kitten', 'sitting', 3), 3);
  t.equal(boundedDistance('kitten', 'sitting', 2), 3, 'over the bound');
  t.equal(boundedDistance('abcdef', 'uvwxyz', 2), 3, 'stops once a row exceeds the bound');
  t.equal(boundedDistance('a', 'abcdef', 2), 3, 'lengths too far apart');
  t.equal(boundedDistance('', 'ab', 2), 2);
});
