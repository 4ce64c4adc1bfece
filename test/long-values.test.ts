import t from 'tap';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// The longest values the API takes are stored on both backends. PostgreSQL's btree indexes take at most ~2,700
// bytes a key: a recommendation's text over that, imported (its normalised text was a key of an index of its
// citations), and a source URL of non-ASCII letters past it (the URL's unique index) were 500s there.

/** Words that do not repeat (they would compress, and fit an index that incompressible text does not). */
function varied(chars: number): string {
  const words: string[] = [];
  let seed = 20_260_103;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  while (words.join(' ').length < chars) {
    words.push(Array.from({ length: 3 + Math.floor(next() * 8) }, () => String.fromCharCode(97 + Math.floor(next() * 26))).join(''));
  }
  return `Ensure ${words.join(' ')}`.slice(0, chars);
}

t.test('an imported recommendation of 9,000 characters is stored and read back whole', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  const text = varied(9_000);
  const csv = `To,Text,From,Response,Action,Issue,Session\rKyrgyzstan,"${text}",Finland,Accepted,4,Torture,8\r`;
  const imported = await app.inject({
    method: 'POST',
    url: '/v1/imports?format=upr-info',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    payload: csv,
  });
  t.equal(imported.statusCode, 200, imported.body.slice(0, 300));
  t.match(imported.json(), { recommendations: { created: 1 }, skipped: 0 });
  const { body } = await getJson(app, '/v1/recommendations?reviewId=KGZ-1');
  t.equal(body.data.length, 1);
  t.equal(body.data[0].text, text, 'the whole text');
  const again = await app.inject({
    method: 'POST',
    url: '/v1/imports?format=upr-info',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    payload: csv,
  });
  t.match(again.json(), { recommendations: { created: 0, unchanged: 1 } }, 'imported again: the same record');
});

t.test('a source URL is at most 2,000 bytes: one of 600 CJK characters is stored, one of 700 is a 400', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const cjk = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7_919) % 20_000))).join('');
  const development = (url: string, title: string) => ({
    stateUnderReview: 'KGZ',
    reviewId: null,
    title,
    summary: 'A development cited by a long URL.',
    date: '2020-07-25',
    datePrecision: 'day',
    direction: 'setback',
    themes: [],
    recommendationIds: [],
    sources: [{ title: 'A page', publisher: 'An NGO', url, publishedOn: null }],
  });
  const fits = `https://example.org/${cjk(600)}`; // 1,820 bytes
  const created = await send(app, 'POST', '/v1/developments', { key, body: development(fits, 'Long URL') });
  t.equal(created.response.statusCode, 201);
  t.equal(created.body.sources[0].url, fits, 'stored as given');
  const tooLong = `https://example.org/${cjk(700)}`; // 2,120 bytes, 719 characters
  const refused = await send(app, 'POST', '/v1/developments', { key, body: development(tooLong, 'Longer URL') });
  t.equal(refused.response.statusCode, 400);
  t.match(refused.body, { errors: [{ in: 'body', name: 'sources.0.url', message: /2,000 bytes/ }] });

  const longAscii = `https://example.org/${'a'.repeat(1_981)}`; // 2,001 characters, a valid URL
  const tooMany = await send(app, 'POST', '/v1/developments', { key, body: development(longAscii, 'Longest URL') });
  t.equal(tooMany.response.statusCode, 400);
  t.same(
    tooMany.body.errors.map((e: { message: string }) => e.message),
    ['characters', 'bytes in UTF-8'].map((unit) => `Too big: expected a URL of at most 2,000 ${unit}, given "${longAscii.slice(0, 60)}…" (2,001 characters)`),
    'said as a length, not "Expected an http(s) URL"',
  );
});

t.test('an id the server makes fits a URL: an assessment of a recommendation whose id is 200 characters', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  const recommendationId = `KGZ-3-${'x'.repeat(194)}`;
  const recommendation = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { id: recommendationId, reviewId: 'KGZ-3', text: 'Release the defender.', verbatim: false, recommendingStates: ['FIN'] },
  });
  t.equal(recommendation.response.statusCode, 201);
  const source = { title: 'A report', publisher: 'An NGO', url: 'https://example.org/report' };
  const assessment = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { recommendationId, status: 'implemented', assessedOn: '2021-01-01', rationale: 'Released.', sources: [source] },
  });
  t.equal(assessment.response.statusCode, 201);
  const id = assessment.body.id as string;
  t.ok(id.length <= 200, `an id of ${id.length} characters (was 220: its Location and every URL naming it were a 414)`);
  t.match(id, /^KGZ-3-x+-[0-9a-f]{8}$/);
  const read = await getJson(app, assessment.response.headers.location as string);
  t.equal(read.response.statusCode, 200);
  t.equal(read.body.id, id);
  const deleted = await send(app, 'DELETE', `/v1/assessments/${id}`, { key, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204, 'it can be deleted');
  const gone = await send(app, 'DELETE', `/v1/recommendations/${recommendationId}`, { key, headers: { 'if-match': '*' } });
  t.equal(gone.response.statusCode, 204, 'and so can its recommendation (was 409 for good: an assessment no URL reached)');
});
