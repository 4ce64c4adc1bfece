import t from 'tap';
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
  const send = (payload: string, type = 'application/merge-patch+json', url = '/v1/recommendations/KGZ-3-FIN-1', method: 'PATCH' | 'PUT' = 'PATCH') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'if-match': etag, 'content-type': type }, payload });
  const refused = async (payload: string, detail: RegExp | string, type?: string, url?: string, method?: 'PUT') => {
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
