import t from 'tap';
import { firstNonUtf8Byte, MAX_JSON_DEPTH } from '../src/http/json-body.js';
import { duplicateJsonKey } from '../src/http/json-duplicate-keys.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

// A JSON body that cannot be read is a 400 saying why (src/http/json-body.ts). Every refusal said "Body is not
// valid JSON but content-type is set to 'application/json'" before: also of valid JSON with a "__proto__" key,
// and of a merge patch; an empty body named application/json whatever the media type sent.

t.test('a JSON body that cannot be read: where it breaks, which key is refused, which media type came empty', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  const etag = before.response.headers.etag as string;
  const send = (payload: string, type = 'application/merge-patch+json', url = '/v1/recommendations/KGZ-3-FIN-1', method: 'PATCH' | 'PUT' | 'POST' = 'PATCH') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': type }, payload });
  const refused = async (payload: string, detail: RegExp | string, type?: string, url?: string, method?: 'PUT' | 'POST') => {
    const response = await send(payload, type, url, method);
    t.equal(response.statusCode, 400, payload.slice(0, 40));
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.match(response.json(), { status: 400, detail }, payload.slice(0, 40));
  };
  await refused('{"text": "x",}', /^The body is not valid JSON: .*position 13/);
  await refused('{"text": "unfinished', /^The body is not valid JSON: Unterminated string in JSON at position \d+\.$/, 'application/json');
  await refused('\ufeff{"text": ', /^The body is not valid JSON: /, 'application/json');
  for (const body of ['{"__proto__": {"admin": true}}', '{"text": "x", "constructor": {"prototype": {"admin": true}}}']) {
    await refused(body, /^The body holds a key "__proto__", or a key "constructor" holding "prototype": such keys are refused/);
  }
  await refused('', 'The body is empty, but its Content-Type says application/merge-patch+json: send a JSON body, or no Content-Type.');
  // Read before it is parsed: 1 MB nested 500,000 deep cost 400 ms to parse and walk, more per byte the deeper.
  const tooDeep = /^The body nests arrays and objects more than 32 levels deep: send at most 32/;
  await refused(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`, tooDeep);
  await refused(`{"text": ${'['.repeat(250_000)}${']'.repeat(250_000)}}`, tooDeep, 'application/json', '/v1/recommendations', 'POST');
  await refused(`${'['.repeat(MAX_JSON_DEPTH + 1)}"unfinished`, tooDeep);
  const within = await send(`{"a": ${'['.repeat(31)}"] [\\\"{{{{"${']'.repeat(31)}}`);
  t.match(within.json().detail, /^Invalid body field "a": Unknown field/, '32 levels, brackets in a string: read, then validated');
  await refused(
    '',
    'The body is empty, but its Content-Type says application/json: send a JSON body, or no Content-Type.',
    'application/json; charset=utf-8',
    '/v1/developments/kgz-2020-07-25-askarov-dies-in-custody/recommendations/KGZ-3-ESP-1',
    'PUT',
  );
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).response.headers.etag, etag, 'nothing written');

  const accepted = await send('\ufeff{"text": "Release him."}', 'application/json');
  t.equal(accepted.statusCode, 200, 'a body with a byte order mark is read, as before');
  t.equal(accepted.json().text, 'Release him.');
});

t.test('a key given twice in one object is refused (it was applied with its last value), through escapes and at any depth', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  const etag = before.response.headers.etag as string;
  const patch = (payload: string) =>
    app.inject({
      method: 'PATCH',
      url: '/v1/recommendations/KGZ-3-FIN-1',
      headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': 'application/merge-patch+json' },
      payload,
    });
  const twice = await patch('{"verbatim": false, "verbatim": true}');
  t.equal(twice.statusCode, 400);
  t.equal(
    twice.json().detail,
    'The body gives the key "verbatim" twice in one object: send each key once (JSON leaves open which value counts, RFC 8259, section 4).',
  );
  t.match((await patch('{"verbatim": false, "verb\\u0061tim": true}')).json().detail, /key "verbatim" twice/, 'an escaped spelling is the same key');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).response.headers.etag, etag, 'nothing written');
  // A long key is quoted in its first 200 characters, never half an emoji: the cut fell between its two halves.
  const long = `${'k'.repeat(198)}😀`;
  const longTwice = (await patch(`{"${long}": 1, "${long}": 2}`)).json().detail as string;
  t.ok(longTwice.startsWith(`The body gives the key "${'k'.repeat(198)} twice`), longTwice.slice(0, 40));
  t.notMatch(longTwice, /[\ud800-\udbff](?![\udc00-\udfff])/u, 'no lone surrogate');

  const created = await app.inject({
    method: 'POST',
    url: '/v1/assessments',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: '{"recommendationId": "KGZ-3-FIN-1", "sources": [{"title": "a", "title": "b"}]}',
  });
  t.equal(created.statusCode, 400);
  t.match(created.json().detail, /key "title" twice/, 'in a nested object');
});

t.test('duplicateJsonKey: only keys of one object count, not values, other objects, strings or escapes', async (t) => {
  const cases: [string, string | undefined][] = [
    ['{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}', undefined],
    ['{"a": "a", "b": "\\"a\\": 1, \\"a\\": 2", "c": ["a", "a"]}', undefined],
    ['{"a\\\\": 1, "a\\\\": 2}', 'a\\'],
    ['[{"x": 1}, {"y": {"z": 1, "z": 2}}]', 'z'],
    ['{"": 1, "": 2}', ''],
    ['{"a": {"b": 1}, "a": 2}', 'a'],
    ['"just a string"', undefined],
    ['{"a": [], "b": {}, "c": "}", "d": "{"}', undefined],
  ];
  for (const [text, expected] of cases) {
    JSON.parse(text); // valid JSON, as the parser has already made sure
    t.equal(duplicateJsonKey(text), expected, text);
  }
});

t.test('a JSON body is UTF-8: bytes that are not are a 400 at their place, another charset a 415 (both were stored as U+FFFD)', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const etag = (await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).response.headers.etag as string;
  const send = (payload: Buffer, type: string) =>
    app.inject({ method: 'PATCH', url: '/v1/recommendations/KGZ-3-FIN-1', headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': type }, payload });
  const latin1 = Buffer.from('{"text": "Caf\u00e9 owners freed."}', 'latin1');
  for (const type of ['application/json', 'application/merge-patch+json', 'application/json; charset=utf-8']) {
    const response = await send(latin1, type);
    t.equal(response.statusCode, 400, `${type}: was 200, "Caf\ufffd owners freed." stored`);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.equal(response.json().detail, 'The body is not UTF-8 (the byte at offset 13 is not part of a UTF-8 character): JSON is exchanged in UTF-8 (RFC 8259, section 8.1).');
  }
  for (const [type, charset] of [['application/json; charset=iso-8859-1', 'iso-8859-1'], ['application/merge-patch+json;charset="UTF-16"', 'utf-16']] as const) {
    const response = await send(latin1, type);
    t.equal(response.statusCode, 415, type);
    t.equal(response.json().detail, `The body's charset, ${charset}, is not UTF-8: send JSON in UTF-8 (RFC 8259, section 8.1), with no charset or charset=utf-8.`);
  }
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).response.headers.etag, etag, 'nothing written');
  // A U+FFFD the body spells is kept; the bytes after it are counted from it.
  const after = await send(Buffer.concat([Buffer.from('{"text": "\ufffd\u00e9'), Buffer.from([0xe9]), Buffer.from('"}')]), 'application/json');
  t.equal(after.json().detail, 'The body is not UTF-8 (the byte at offset 15 is not part of a UTF-8 character): JSON is exchanged in UTF-8 (RFC 8259, section 8.1).');
  let current = etag;
  const sendUtf8 = (type: string) =>
    app.inject({ method: 'PATCH', url: '/v1/recommendations/KGZ-3-FIN-1', headers: { authorization: `Bearer ${key}`, 'if-match': current, 'content-type': type }, payload: Buffer.from('{"text": "Caf\u00e9 owners freed."}', 'utf8') });
  for (const type of ['application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/merge-patch+json; charset=utf8']) {
    const response = await sendUtf8(type);
    current = response.headers.etag as string;
    t.equal(response.statusCode, 200, type);
    t.equal(response.json().text, 'Caf\u00e9 owners freed.');
  }
});

t.test('firstNonUtf8Byte: the offset of the first byte that is not UTF-8, else the length', async (t) => {
  t.equal(firstNonUtf8Byte(Buffer.from([0x61, 0xed, 0xa0, 0x80])), 1, 'an encoded surrogate');
  t.equal(firstNonUtf8Byte(Buffer.from([0xc0, 0xaf])), 0, 'an overlong "/"');
  t.equal(firstNonUtf8Byte(Buffer.from('a\ufffdb\u00e9', 'utf8')), 7, 'all UTF-8 (a U+FFFD spelled): the length');
});
