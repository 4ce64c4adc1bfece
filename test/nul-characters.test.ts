import t from 'tap';
import { countRows, mintKey, send } from './curation-helpers.js';
import { buildTestApp, documentedParameters, getJson } from './helpers.js';
import { checkRecommendation } from '../src/import/validate.js';
import { faultyTextFields, MAX_FAULT_NAME, UNNAMED_FAULT } from '../src/http/nul-guard.js';

// A NUL character (U+0000) in a path, a query parameter or a JSON body is a 400 naming where it is, on both
// backends, and writes nothing (src/http/nul-guard.ts). On PostgreSQL each of these was a 500 (its text cannot
// hold a NUL); on SQLite a filter value with one matched nothing, and a text starting with one failed the
// length check of its table (a 500).

const READS: [url: string, where: 'path' | 'query', name: string][] = [
  ['/v1/recommendations?reviewId=a%00b', 'query', 'reviewId'],
  ['/v1/recommendations?reviewId=KGZ-3%00', 'query', 'reviewId'],
  ['/v1/recommendations?theme=%00', 'query', 'theme'],
  ['/v1/recommendations?positionLabel=%00', 'query', 'positionLabel'],
  ['/v1/recommendations?stateUnderReview=KGZ&recommendingState=FIN%00', 'query', 'recommendingState'],
  ['/v1/recommendations?q=rights%00', 'query', 'q'],
  ['/v1/recommendations?format=csv&theme=%00', 'query', 'theme'],
  ['/v1/stats/recommendations?groupBy=position&reviewId=%00', 'query', 'reviewId'],
  ['/v1/statements?speaker=a%00b', 'query', 'speaker'],
  ['/v1/states?name=a%00b', 'query', 'name'],
  ['/v1/sources?q=a%00', 'query', 'q'],
  ['/v1/sources?publisher=a%00', 'query', 'publisher'],
  ['/v1/recommendations/%00', 'path', 'id'],
  ['/v1/recommendations/KGZ-3-FIN-1%00/related', 'path', 'id'],
  ['/v1/reviews/K%00', 'path', 'id'],
  ['/v1/reviews/KGZ-3%00/summary', 'path', 'id'],
  ['/v1/states/%00', 'path', 'id'],
  ['/v1/developments/%00x', 'path', 'id'],
  ['/v1/sources/a%00', 'path', 'id'],
];

t.test('a NUL in a path or a query is a 400 naming the parameter, on every kind of route', async (t) => {
  const app = await buildTestApp(t);
  for (const [url, where, name] of READS) {
    const { response, body } = await getJson(app, url);
    t.equal(response.statusCode, 400, url);
    t.match(response.headers['content-type'], /^application\/problem\+json/, url);
    t.match(body, { status: 400, errors: [{ in: where, name, message: /NUL character/ }] }, url);
  }
  t.equal((await app.inject('/v1/recommendations?reviewId=KGZ-3')).statusCode, 200, 'the same parameters without it answer');
  const escaped = await getJson(app, '/v1/recommendations?positionLabel=noted%2500');
  t.match(escaped.body.detail, /has the position label "noted%00" \(in any case\); no record has one\.$/, 'an escaped "%00" is text: no NUL, a label no record has');
});

t.test('a NUL in a JSON body is a 400 naming the field, and nothing is written', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  const etag = before.response.headers.etag as string;
  const bodies: [body: unknown, name: string][] = [
    [{ text: '\u0000Release him.' }, 'text'],
    [{ text: 'Release him.\u0000' }, 'text'],
    [{ positionSource: 'A/HRC/44/9\u0000' }, 'positionSource'],
    [{ themes: ['torture', 'x\u0000'] }, 'themes'],
    [{ sources: [{ title: 'T', publisher: 'P\u0000', url: 'https://example.org/x', publishedOn: '2020-01-01' }] }, 'sources.0.publisher'],
    [{ ['te\u0000xt']: 'x' }, 'te\u0000xt'],
  ];
  for (const [body, name] of bodies) {
    const patched = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
      key,
      body,
      headers: { 'if-match': etag, 'content-type': 'application/merge-patch+json' },
    });
    t.equal(patched.response.statusCode, 400, JSON.stringify(body));
    t.match(patched.body, { errors: [{ in: 'body', name, message: /NUL character/ }] }, JSON.stringify(body));
  }
  const created = await send(app, 'POST', '/v1/developments', {
    key,
    body: { title: 'Arrest\u0000', date: '2020-07-25', direction: 'setback', stateCode: 'KGZ', sources: [] },
  });
  t.equal(created.response.statusCode, 400);
  t.match(created.body, { errors: [{ in: 'body', name: 'title' }] });

  const deep = (inner: string) => `${'{"a":'.repeat(20_000)}${inner}${'}'.repeat(20_000)}`;
  for (const [inner, status] of [['"x\\u0000"', 400], ['"x"', 400], ['1', 400]] as const) {
    const response = await app.inject({
      method: 'PATCH',
      url: '/v1/recommendations/KGZ-3-FIN-1',
      headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': 'application/merge-patch+json' },
      payload: deep(inner),
    });
    t.equal(response.statusCode, status, `a body 20,000 levels deep, ending in ${inner}`);
  }
  const nested = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
    key,
    body: { a: [{ b: 'x\u0000' }, 'ok'], c: '\u0000' },
    headers: { 'if-match': etag, 'content-type': 'application/merge-patch+json' },
  });
  t.same(
    nested.body.errors.map((e: { name: string }) => e.name),
    ['a.0.b', 'c'],
    'every field named, in the order of the body',
  );

  // A name costs its length to write out: 27,000 faults 62,500 levels deep (500 KB) took the heap and the process;
  // a long key does the same within the depth bound.
  const faults = 120;
  const key50 = 'k'.repeat(50);
  const payload = `${`{"${key50}":`.repeat(10)}[${Array(faults).fill('"\\u0000"').join(',')}]${'}'.repeat(10)}`;
  const deepFaults = await app.inject({
    method: 'PATCH',
    url: '/v1/recommendations/KGZ-3-FIN-1',
    headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': 'application/merge-patch+json' },
    payload,
  });
  const refused = deepFaults.json();
  t.equal(deepFaults.statusCode, 400);
  t.equal(refused.errors.length, 50, 'the first 50 faults listed');
  t.ok(
    refused.errors.every((e: { name: string }) => e.name.length === MAX_FAULT_NAME && /^k{50}\.k+…k+\.k{50}$/.test(e.name)),
    'each named, its name shortened in the middle',
  );
  t.match(refused.detail, new RegExp(`; and ${faults - 50} more \\(${faults} in all\\)$`), 'every fault counted');
  // A long name cut around its ellipsis keeps a character beyond U+FFFF whole, at the start as at the end: a lone
  // half of an emoji is read as U+FFFD, or refused, by a client's JSON parser.
  const emojiKey = `a${'😀'.repeat(150)}`;
  const emojiFault = await app.inject({
    method: 'PATCH',
    url: '/v1/recommendations/KGZ-3-FIN-1',
    headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': 'application/merge-patch+json' },
    payload: JSON.stringify({ [emojiKey]: '\u0000' }),
  });
  t.equal(emojiFault.statusCode, 400);
  const [emojiName] = emojiFault.json().errors.map((e: { name: string }) => e.name);
  t.notMatch(emojiName, /[\ud800-\udfff]/u, 'no half of an emoji named');
  t.match(emojiName, /^a(😀)+…(😀)+$/u);
  t.ok(emojiName.length <= MAX_FAULT_NAME);
  const counted = faultyTextFields(JSON.parse(payload), true, 50);
  t.equal(counted.length, faults, 'faultyTextFields counts every fault');
  t.equal(counted.filter(({ name }) => name !== UNNAMED_FAULT).length, 50, '… and names the first 50 only');

  const after = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(after.response.headers.etag, etag, 'the recommendation is as it was');
  t.same(after.body, before.body);
  t.equal(await countRows(app, 'developments', 'title like ?', ['Arrest%']), 0, 'no development written');
});

t.test('an unpaired surrogate in a JSON body is a 400 naming the field; a pair is a character, stored as sent', async (t) => {
  // "\ud800" without its pair is no character: SQLite stored it as bytes that are not UTF-8 and read them back as
  // three U+FFFD ("a\ud800b" became "a\ufffd\ufffd\ufffdb"), PostgreSQL's driver as one: not the text sent, and a
  // different one by backend. JSON.stringify writes a lone surrogate as its escape, as a client would send it.
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  const etag = before.response.headers.etag as string;
  const patch = (body: unknown) =>
    send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
      key,
      body,
      headers: { 'if-match': etag, 'content-type': 'application/merge-patch+json' },
    });
  const bodies: [body: unknown, name: string][] = [
    [{ text: 'Release \ud800 him.' }, 'text'],
    [{ text: 'Release him.\udfff' }, 'text'],
    [{ text: 'Release \ude00\ud83d him.' }, 'text'], // a pair in the wrong order is two lone halves
    [{ themes: ['torture', 'x\udc00'] }, 'themes'],
    [{ ['te\ud800xt']: 'x' }, 'te\ud800xt'],
  ];
  for (const [body, name] of bodies) {
    const { response, body: problem } = await patch(body);
    t.equal(response.statusCode, 400, JSON.stringify(body));
    t.match(problem, { errors: [{ in: 'body', name, message: /unpaired surrogate/ }] }, JSON.stringify(body));
  }
  const created = await send(app, 'POST', '/v1/developments', { key, body: { title: 'Arrest \ud800' } });
  t.match(created.body, { errors: [{ in: 'body', name: 'title', message: /unpaired surrogate/ }] }, 'on a create too');
  const after = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(after.response.headers.etag, etag, 'nothing written');

  const emoji = 'Release him \ud83d\ude00 (an emoji: a surrogate pair).';
  const paired = await patch({ text: emoji });
  t.equal(paired.response.statusCode, 200);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).body.text, emoji, 'stored as sent');
});

t.test('an imported record with an unpaired surrogate is refused as the write API refuses it', async (t) => {
  // (No file can hold one: CSV is decoded as UTF-8 or a single-byte encoding, a .docx with "&#xD800;" is refused,
  // src/import/xml-characters.ts. The check is the write API's, which the importers share.)
  const checked = checkRecommendation('KGZ-3-x', { text: 'a\ud800b', paragraph: null } as never, 'KGZ');
  t.match(checked.problems, [/^text: must be Unicode text: it holds an unpaired surrogate/]);
});

t.test("an imported record with a NUL is refused with its row and reason, as the write API would; the others are imported", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  const csv =
    'To,Text,From,Response,Action,Issue,Session\r' +
    'Kyrgyzstan,Ratify the Optional Protocol to the Convention against Torture,Finland,Accepted,4,Torture and other CID,8\r' +
    'Kyrgyzstan,Release\u0000 all human rights defenders,Norway,Noted,4,Human rights defenders,8\r';
  const response = await app.inject({
    method: 'POST',
    url: '/v1/imports?format=upr-info',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    payload: csv,
  });
  t.equal(response.statusCode, 200);
  const report = response.json();
  t.match(report, { recommendations: { created: 1 }, skipped: 1 });
  t.match(report.problems, [{ row: 3, message: /text: must not contain a NUL character/ }]);
  const { body } = await getJson(app, '/v1/recommendations?reviewId=KGZ-1');
  t.same(
    body.data.map((r: { text: string }) => r.text),
    ['Ratify the Optional Protocol to the Convention against Torture'],
  );
});

t.test('every parameter of every operation in the OpenAPI document: a NUL in it is a 400 naming it', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  let asked = 0;
  for (const { method, path, parameter } of await documentedParameters(app)) {
    const url =
      parameter.in === 'path'
        ? path.replace(`{${parameter.name}}`, 'a%00b').replace(/\{[^}]+\}/g, 'KGZ-3')
        : `${path.replace(/\{[^}]+\}/g, 'KGZ-3')}?${parameter.name}=a%00b`;
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${key}` } });
    t.equal(response.statusCode, 400, `${method} ${url}`);
    t.match(response.json(), { errors: [{ in: parameter.in, name: parameter.name, message: /NUL character/ }] }, url);
    asked += 1;
  }
  t.ok(asked >= 150, `${asked} parameters asked`);
});
