import t from 'tap';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, documentedParameters, getJson } from './helpers.js';
import { badQueryEscapes } from '../src/http/query-escapes.js';

// A query parameter whose name or value holds a % that begins no escape, or escapes that are not UTF-8, is a 400
// naming it and the escape (src/http/query-escapes.ts). Before, the query parser kept such a value as sent:
// `q=caf%E9` (Latin-1) answered 200 with nothing found, `q=torture%` searched for "torture%".
// backendNeutral: false — the check runs before any route reads the database: the PostgreSQL pass would repeat it

const REFUSED: [url: string, name: string, message: RegExp][] = [
  ['/v1/recommendations?q=caf%E9', 'q', /"%E9" is not UTF-8: the escapes of a URL are UTF-8 bytes \(é is %C3%A9, not %E9\)/],
  ['/v1/recommendations?q=%FF', 'q', /"%FF" is not UTF-8/],
  ['/v1/recommendations?q=%E0%A4', 'q', /"%E0%A4" is not UTF-8/],
  ['/v1/recommendations?q=%ED%A0%80', 'q', /"%ED%A0%80" is not UTF-8/],
  ['/v1/recommendations?q=torture%', 'q', /"%" is no escape: a % is followed by two hexadecimal digits, and a % sign itself is sent as %25/],
  ['/v1/recommendations?q=%ZZtorture', 'q', /"%ZZ" is no escape/],
  ['/v1/recommendations?limit=%3', 'limit', /"%3" is no escape/],
  ['/v1/recommendations?stateUnderReview=Kyrgyz%20Rep%FAblic', 'stateUnderReview', /"%FA" is not UTF-8/],
  ['/v1/recommendations?format=csv&theme=%C3%28', 'theme', /"%C3%28" is not UTF-8/],
  ['/v1/stats/recommendations?groupBy=position&q=%E9%E9%E9%E9%E9%E9%E9%E9%E9', 'q', /"%E9%E9%E9%E9%E9%E9%E9%E9…" is not UTF-8/],
  ['/v1/states?name=Cura%E7ao', 'name', /"%E7" is not UTF-8/],
  ['/v1/sources?q=%41%ZZ%E9', 'q', /"%ZZ" is no escape/],
  ['/v1/recommendations?%FF=1', '%FF', /its name: "%FF" is not UTF-8/],
  ['/v1/recommendations?caf%E9', 'caf%E9', /its name: "%E9" is not UTF-8/],
];

t.test('a query parameter with a % that begins no escape, or escapes that are not UTF-8, is a 400 naming it', async (t) => {
  const app = await buildTestApp(t);
  for (const [url, name, message] of REFUSED) {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 400, url);
    t.match(response.headers['content-type'], /^application\/problem\+json/, url);
    const problem = response.json();
    t.match(problem, { status: 400, errors: [{ in: 'query', name, message }] }, url);
    t.equal(problem.errors.length, 1, `${url}: named once`);
    t.match(problem.detail, `Invalid query parameter "${name}": `, url);
  }
  // With a NUL beside it, the parameter is named once, for its first fault; another with a NUL is named too.
  const both = await app.inject({ method: 'GET', url: '/v1/recommendations?q=%E9%00&reviewId=a%00' });
  t.equal(both.statusCode, 400);
  t.same(
    both.json().errors.map((e: { name: string; message: string }) => [e.name, e.message.slice(0, 13)]),
    [
      ['q', '"%E9%00" is n'],
      ['reviewId', 'must not cont'],
    ],
  );
});

t.test('escapes that are UTF-8 are read as before', async (t) => {
  const app = await buildTestApp(t);
  const found = await getJson(app, '/v1/recommendations?q=Askarov&stateUnderReview=Kyrgyz+Republic');
  t.equal(found.response.statusCode, 200);
  t.ok(found.body.data.length > 0, '"+" is a space');
  const encoded = await getJson(app, '/v1/recommendations?q=%41skarov&stateUnderReview=Kyrgyz%20Republic');
  t.same(encoded.body.data, found.body.data, 'the same query, escaped');
  for (const url of ['/v1/recommendations?q=caf%C3%A9', '/v1/recommendations?q=rights%25', '/v1/states?name=C%C3%B4te%20d%E2%80%99Ivoire']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
  }
  t.same(badQueryEscapes('/v1/recommendations'), [], 'no query string');
  t.same(badQueryEscapes('/v1/recommendations?q=%F0%9F%98%80&flag'), [], 'a character of four bytes; a name without a value');
});

t.test('every query parameter of every operation in the OpenAPI document: escapes that are not UTF-8 are a 400 naming it', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  let asked = 0;
  for (const { method, path, parameter } of await documentedParameters(app)) {
    if (parameter.in !== 'query') continue;
    const url = `${path.replace(/\{[^}]+\}/g, 'KGZ-3')}?${parameter.name}=a%E9b`;
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${key}` } });
    t.equal(response.statusCode, 400, `${method} ${url}`);
    t.match(response.json(), { errors: [{ in: 'query', name: parameter.name, message: /"%E9" is not UTF-8/ }] }, url);
    asked += 1;
  }
  t.ok(asked >= 100, `${asked} parameters asked`);
});
