import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { MAX_RECORD_ID } from '../src/curation/ids.js';
import { SHOWN_PATH_CHARS } from '../src/http/problem.js';
import { mintKey } from './curation-helpers.js';
import { loadOperations } from './fuzz/spec.js';
import { buildTestApp } from './helpers.js';

/** The names an operation takes, as an unknown one is told them: "a", "b" or "c" (its query's, or its JSON body's). */
async function namesTaken(app: FastifyInstance, method: 'get' | 'post', path: string): Promise<string> {
  await app.ready();
  type Schema = { $ref?: string; properties?: Record<string, unknown> };
  const spec = app.swagger() as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
    components: { schemas: Record<string, Schema> };
  };
  const operation = spec.paths[path]![method]!;
  const body = operation.requestBody?.content['application/json']?.schema;
  const names =
    body === undefined
      ? operation.parameters!.filter((p) => p.in === 'query').map((p) => p.name)
      : Object.keys((body.$ref ? spec.components.schemas[body.$ref.split('/').pop()!]! : body).properties!);
  return `${names.slice(0, -1).map((name) => JSON.stringify(name)).join(', ')} or ${JSON.stringify(names.at(-1))}`;
}

t.test('every kind of bad request is a problem+json 4xx, never a 5xx', async (t) => {
  const app = await buildTestApp(t);
  const cases: { method: 'GET' | 'POST' | 'DELETE' | 'PUT'; url: string; status: number }[] = [
    { method: 'GET', url: '/v1/nothing-here', status: 404 },
    { method: 'POST', url: '/v1/recommendations', status: 401 },
    { method: 'DELETE', url: '/v1/recommendations/KGZ-3-FIN-1', status: 401 },
    { method: 'PUT', url: '/v1/recommendations/KGZ-3-FIN-1', status: 405 },
    { method: 'GET', url: '/v1/recommendations/%E0%A4%A', status: 400 },
    { method: 'GET', url: `/v1/recommendations/${'x'.repeat(201)}`, status: 414 },
    { method: 'GET', url: '/v1/recommendations?limit=1&limit=2', status: 400 },
    { method: 'GET', url: `/v1/recommendations?q=${'a'.repeat(501)}`, status: 400 },
    { method: 'GET', url: `/v1/recommendations?position=${Array(101).fill('noted').join(',')}`, status: 400 },
  ];
  for (const { method, url, status } of cases) {
    const name = `${method} ${url.slice(0, 60)}`;
    const response = await app.inject({ method, url });
    t.equal(response.statusCode, status, name);
    t.match(response.headers['content-type'], /^application\/problem\+json/, name);
    const body = response.json();
    t.equal(body.status, status, name);
    t.equal(body.type, 'about:blank', name);
    t.type(body.title, 'string', name);
    t.type(body.detail, 'string', name);
  }
});

t.test('a validation problem lists every offending parameter at once', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=0&position=maybe&colour=blue' });
  t.equal(response.statusCode, 400);
  const body = response.json();
  t.same(body.errors.map((e: { name: string }) => e.name).sort(), ['colour', 'limit', 'position']);
  t.equal(body.instance, '/v1/recommendations');
  t.match(body.detail, /limit/);
});

t.test('every part of a request is checked: a bad body and a bad header are named in one answer (Fastify stops at the first part)', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({
    method: 'POST',
    url: '/v1/states',
    headers: { authorization: `Bearer ${mintKey(app, 'admin')}`, 'idempotency-key': 'has space' },
    payload: { id: 'XXA', name: 'Testland', unMember: 'no' },
  });
  t.equal(response.statusCode, 400);
  t.same(
    response.json().errors.map((e: { in: string; name: string }) => `${e.in} ${e.name}`),
    ['body unMember', 'header idempotency-key'],
    'the body first, then the header',
  );
  t.match(response.json().detail, /Invalid body field "unMember".*Invalid header parameter "idempotency-key": Use printable ASCII/);

  const headerOnly = await app.inject({
    method: 'POST',
    url: '/v1/states',
    headers: { authorization: `Bearer ${mintKey(app, 'admin')}`, 'idempotency-key': 'has space' },
    payload: { id: 'XXA', name: 'Testland', unMember: false },
  });
  t.same(headerOnly.json().errors.map((e: { name: string }) => e.name), ['idempotency-key'], 'a valid body adds nothing');
});

t.test('a body field of the wrong type, or empty, is named once, with one message (zod also ran length checks)', async (t) => {
  const app = await buildTestApp(t);
  await app.ready();
  const key = mintKey(app, 'admin');
  type Schema = { $ref?: string; properties?: Record<string, unknown> };
  const spec = app.swagger() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>; components: { schemas: Record<string, Schema> } };
  const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(spec.components.schemas[schema.$ref.split('/').pop()!]!) : schema);
  let fields = 0;
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const json = operation.requestBody?.content['application/json'];
      if (json === undefined || (method !== 'post' && method !== 'patch')) continue;
      for (const name of Object.keys(resolve(json.schema).properties ?? {})) {
        fields++;
        for (const value of ['', [], [''], 0]) {
          const response = await app.inject({
            method: method.toUpperCase() as 'POST',
            url: path.replace('{id}', 'x'),
            headers: { authorization: `Bearer ${key}`, 'if-match': '*' },
            payload: { [name]: value },
          });
          const errors = (response.json().errors ?? []).filter((e: { name: string }) => e.name === name);
          t.ok(errors.length <= 1, `${method} ${path} ${name}=${JSON.stringify(value)}: ${JSON.stringify(errors)}`);
        }
      }
    }
  }
  t.ok(fields > 50, `${fields} fields`);
  const text = await app.inject({ method: 'POST', url: '/v1/recommendations', headers: { authorization: `Bearer ${key}` }, payload: { text: [] } });
  t.same(
    text.json().errors.filter((e: { name: string }) => e.name === 'text'),
    [{ in: 'body', name: 'text', message: 'Wrong type: expected text, given a list' }],
  );
});

t.test('a required body field left out is "Required" with the type it takes (zod said "received undefined"); an unknown one is named where it is', async (t) => {
  const app = await buildTestApp(t);
  await app.ready();
  const key = mintKey(app, 'admin');
  type Schema = { $ref?: string; required?: string[] };
  const spec = app.swagger() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>; components: { schemas: Record<string, Schema> } };
  const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(spec.components.schemas[schema.$ref.split('/').pop()!]!) : schema);
  let fields = 0;
  for (const [path, item] of Object.entries(spec.paths)) {
    const json = item.post?.requestBody?.content['application/json'];
    if (json === undefined) continue;
    for (const name of resolve(json.schema).required ?? []) {
      fields++;
      const response = await app.inject({ method: 'POST', url: path.replace('{id}', 'x'), headers: { authorization: `Bearer ${key}` }, payload: {} });
      const errors = response.json().errors.filter((e: { name: string }) => e.name === name);
      t.match(errors, [{ in: 'body', message: /^Required/ }], `${path} ${name}: ${JSON.stringify(errors)}`);
    }
  }
  t.ok(fields >= 10, `${fields} required fields`);
  const created = await app.inject({
    method: 'POST',
    url: '/v1/recommendations',
    headers: { authorization: `Bearer ${key}` },
    payload: { reviewId: 'KGZ-3', text: 'Ratify the Optional Protocol', recommendingStates: ['FRA'], sources: [{ title: 'A report' }] },
  });
  t.same(created.json().errors, [
    { in: 'body', name: 'verbatim', message: 'Required: expected true or false' },
    { in: 'body', name: 'sources.0.publisher', message: 'Required: expected text' },
    { in: 'body', name: 'sources.0.url', message: 'Required: expected an http(s) URL' },
  ]);
  const DEVELOPMENT_FIELDS = await namesTaken(app, 'post', '/v1/developments');
  const nested = await app.inject({
    method: 'POST',
    url: '/v1/developments',
    headers: { authorization: `Bearer ${key}` },
    payload: { speaker: 1, sources: [{ url: 'https://example.org/a', title: 'A', publisher: 'P', pages: 3 }] },
  });
  t.same(
    nested.json().errors.filter((e: { message: string }) => e.message.startsWith('Unknown field')),
    [
      { in: 'body', name: 'sources.0.pages', message: 'Unknown field' },
      // At the top level, the fields the operation takes (once in an answer), or the one meant.
      { in: 'body', name: 'speaker', message: `Unknown field: this operation takes ${DEVELOPMENT_FIELDS}` },
    ],
    'an unknown key is named where it is (it was "pages"), a field of the body (it was "Unknown parameter")',
  );
  // A client written against an earlier openapi.yaml sends a name renamed since (docs/api-changes.md): told the new one.
  const renamed = await app.inject({
    method: 'POST',
    url: '/v1/developments',
    headers: { authorization: `Bearer ${key}` },
    payload: { state: 'KGZ', source: 'x', sources: [{ url: 'https://example.org/a', title: 'A', publisher: 'P', source: 1 }] },
  });
  t.same(
    renamed.json().errors.filter((e: { message: string }) => e.message.startsWith('Unknown field')),
    [
      { in: 'body', name: 'sources.0.source', message: 'Unknown field' },
      { in: 'body', name: 'state', message: 'Unknown field: renamed "stateUnderReview" (see docs/api-changes.md)' },
      { in: 'body', name: 'source', message: 'Unknown field: renamed "sources" (see docs/api-changes.md)' },
    ],
    "an old top-level name gets its new one (a source's own keys were never renamed)",
  );
  const wrong = await app.inject({ method: 'POST', url: '/v1/recommendations', headers: { authorization: `Bearer ${key}` }, payload: { verbatim: null } });
  t.same(
    wrong.json().errors.find((e: { name: string }) => e.name === 'verbatim'),
    { in: 'body', name: 'verbatim', message: 'Wrong type: expected true or false, given null' },
    'a value given is judged as given',
  );
});

t.test('a problem lists at most 50 invalid parameters; its detail says how many more', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  // 80,000 unknown keys (870 KB) were answered with every key named twice: 8.8 MB, in 1.6 s.
  const body = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 1]));
  const response = await app.inject({ method: 'POST', url: '/v1/recommendations', headers: { authorization: `Bearer ${key}` }, payload: body });
  t.equal(response.statusCode, 400);
  t.ok(response.body.length < 10_000, `${response.body.length} bytes`);
  const problem = response.json();
  t.equal(problem.errors.length, 50);
  t.match(problem.errors[49], { in: 'body', name: /^k\d+$/, message: 'Unknown field' });
  const [, more, all] = /; and (\d+) more \((\d+) in all\)$/.exec(problem.detail)!;
  t.equal(Number(all) - Number(more), 50);
  t.ok(Number(all) > 80_000, `${all} in all`);
  t.equal(problem.detail.split('; Invalid').length, 50, 'the detail names the 50 listed');
  const unknown = problem.errors.filter((e: { message: string }) => e.message.startsWith('Unknown field'));
  t.match(unknown[0], { name: 'k0', message: /^Unknown field: this operation takes "[a-zA-Z]+", .* or "[a-zA-Z]+"$/ }, 'the fields it takes, once');
  t.equal(unknown[1].message, 'Unknown field');
  const query = Array.from({ length: 1500 }, (_, i) => `p${i}=1`).join('&');
  const listed = (await app.inject({ url: `/v1/recommendations?${query}` })).json();
  t.equal(listed.errors.length, 50);
  t.match(listed.detail, /; and 1450 more \(1500 in all\)$/, 'was 1,500 errors, 169 KB');
  const RECOMMENDATION_PARAMETERS = await namesTaken(app, 'get', '/v1/recommendations');
  const few = (await app.inject({ url: '/v1/recommendations?a=1&b=2' })).json();
  t.equal(few.detail, `Invalid query parameter "a": Unknown parameter: this operation takes ${RECOMMENDATION_PARAMETERS}; Invalid query parameter "b": Unknown parameter`, 'a few: all, no count; the names taken said once');
  // A name close to one taken is told which (another case, a letter off); a short unknown name is not taken for another.
  t.same((await app.inject({ url: '/v1/recommendations?Limit=5&lmit=5&cursr=x&a=1' })).json().errors, [
    { in: 'query', name: 'Limit', message: 'Unknown parameter: did you mean "limit"?' },
    { in: 'query', name: 'lmit', message: 'Unknown parameter: did you mean "limit"?' },
    { in: 'query', name: 'cursr', message: 'Unknown parameter: did you mean "cursor"?' },
    { in: 'query', name: 'a', message: `Unknown parameter: this operation takes ${RECOMMENDATION_PARAMETERS}` },
  ]);
});

t.test('a path the static file servers will not read is a 404 like any path without a resource (was 403 "Forbidden")', async (t) => {
  const app = await buildTestApp(t);
  // Over HTTP: inject resolves the dots of a path before the router sees it.
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const get = (path: string) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, type: response.headers['content-type']!, body }));
      })
        .on('error', reject)
        .end();
    });
  const paths = ['/dashboard/%2e%2e/x', '/dashboard/../package.json', '/dashboard/%2e%2e/%2e%2e/package.json', '/dashboard//index.html', '/dashboard/%00', '/dashboard/a/../../x', '/docs/static/%2e%2e/x'];
  for (const path of paths) {
    const { status, type, body } = await get(path);
    t.equal(status, 404, path);
    t.match(type, /^application\/problem\+json/, path);
    t.equal(JSON.parse(body).detail, `There is no resource at GET ${path}.`, path);
  }
  t.equal((await get('/dashboard/index.html')).status, 200, 'the page itself is served');
});

t.test('a method a served path does not take is a 405 with Allow (was a 404 "no resource"); a path served for none stays 404', async (t) => {
  const app = await buildTestApp(t);
  const cases = [
    ['DELETE', '/v1/recommendations', 'GET, HEAD, POST, OPTIONS'],
    ['PUT', '/v1/reviews/KGZ-3', 'GET, HEAD, PATCH, DELETE, OPTIONS'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['HEAD', '/v1/imports', 'POST, OPTIONS'],
    ['DELETE', '/v1/recommendations/?limit=1', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/dashboard/app.js', 'GET, HEAD, OPTIONS'],
  ] as const;
  for (const [method, url, allow] of cases) {
    const response = await app.inject({ method, url });
    t.equal(response.statusCode, 405, `${method} ${url}`);
    t.equal(response.headers.allow, allow, `${method} ${url}: Allow`);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    if (method !== 'HEAD') {
      const path = url.split('?')[0];
      t.same(response.json(), {
        type: 'about:blank',
        title: 'Method Not Allowed',
        status: 405,
        detail: `${method} is not served at ${path}; ${allow} are (see Allow).`,
        instance: path,
      });
    }
  }
  // The CORS preflight route answers OPTIONS on every path: it makes no resource of one.
  for (const [method, url] of [['DELETE', '/v1/nothing'], ['GET', '/dashboard/nothing.js'], ['POST', '/v1/recommendations/KGZ-3-FIN-1/nothing']] as const) {
    const response = await app.inject({ method, url });
    t.equal(response.statusCode, 404, `${method} ${url}`);
    t.equal(response.headers.allow, undefined);
    t.equal(response.json().detail, `There is no resource at ${method} ${url}.`);
  }
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/recommendations',
    headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
  });
  t.equal(preflight.statusCode, 204, 'a preflight is answered as before');
});

t.test('a request no route answers is a 405 or 404 whatever its body (its body was parsed first, for the not-found handler)', async (t) => {
  const app = await buildTestApp(t, { bodyLimitBytes: 1000 });
  const json = { 'content-type': 'application/json' };
  const cases = [
    // [method, url, headers, payload, what it was]
    ['QUERY', '/v1/recommendations', {}, undefined, "400 Method 'QUERY' must provide a 'Content-Type' header"],
    ['PUT', '/v1/recommendations', json, '{', '400 the body is not valid JSON'],
    ['PUT', '/v1/recommendations', json, '', '400 the body is empty'],
    ['PATCH', '/v1/recommendations', json, '{"__proto__": {}}', '400 a "__proto__" key'],
    ['DELETE', '/v1/recommendations', { 'content-type': 'no media type' }, '{}', '415 "this operation takes no body"'],
    ['DELETE', '/v1/recommendations', { 'content-type': '' }, 'x', '415 "this operation takes no body"'],
    ['PUT', '/v1/recommendations', json, JSON.stringify({ text: 'x'.repeat(2000) }), '413 larger than BODY_LIMIT_BYTES'],
  ] as const;
  for (const [method, url, headers, payload, was] of cases) {
    const name = `${method} ${url} ${JSON.stringify(headers)} (was ${was})`;
    const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    t.equal(response.statusCode, 405, name);
    t.equal(response.headers.allow, 'GET, HEAD, POST, OPTIONS', name);
    t.equal(response.json().detail, `${method} is not served at /v1/recommendations; GET, HEAD, POST, OPTIONS are (see Allow).`, name);
  }
  for (const [method, headers, payload] of [['QUERY', {}, undefined], ['POST', { 'content-type': '' }, 'x'], ['POST', json, '{']] as const) {
    const response = await app.inject({ method, url: '/v1/nothing', headers, ...(payload === undefined ? {} : { payload }) });
    t.equal(response.statusCode, 404, `${method} /v1/nothing ${JSON.stringify(headers)}`);
    t.equal(response.json().detail, `There is no resource at ${method} /v1/nothing.`);
  }
  const bad = await app.inject({ method: 'POST', url: '/v1/recommendations', headers: json, payload: '{' });
  t.equal(bad.statusCode, 401, 'a route that takes the method still answers as before');
});

t.test('a range beyond a static file says the file size, in its detail and in Content-Range', async (t) => {
  const app = await buildTestApp(t);
  const whole = await app.inject({ url: '/dashboard/index.html' });
  const size = whole.rawPayload.length;
  const response = await app.inject({ url: '/dashboard/index.html', headers: { range: `bytes=${size}-` } });
  t.equal(response.statusCode, 416);
  t.equal(response.headers['content-range'], `bytes */${size}`);
  t.match(response.headers['content-type'], /^application\/problem\+json/);
  t.equal(response.json().detail, `No range asked for is within the file, which is ${size} bytes: a range starts below ${size}.`, 'was "Range Not Satisfiable"');
  t.equal((await app.inject({ url: '/dashboard/index.html', headers: { range: `bytes=${size - 1}-` } })).statusCode, 206, 'its last byte is served');
});

t.test('HEAD answers like GET without a body', async (t) => {
  const app = await buildTestApp(t);
  const response = await app.inject({ method: 'HEAD', url: '/v1/recommendations' });
  t.equal(response.statusCode, 200);
  t.equal(response.body, '');
});

t.test('a 415 names the media types the operation accepts (those of its request body in openapi.yaml), or that it takes none', async (t) => {
  const app = await buildTestApp(t);
  const authorization = `Bearer ${mintKey(app, 'admin')}`;
  const send = (method: string, url: string, contentType?: string) =>
    app.inject({ method: method as 'POST', url, headers: { authorization, ...(contentType ? { 'content-type': contentType } : {}) }, payload: 'x' });
  const operations = (await loadOperations('openapi.yaml')).filter((op) => op.secured && op.method !== 'GET');
  t.ok(operations.some((op) => op.body) && operations.some((op) => !op.body), 'write operations with and without a body');
  for (const op of operations) {
    const url = op.path.replace(/\{[^}]+\}/g, 'x');
    const response = await send(op.method, url, 'application/x-unknown; charset=utf-8');
    const name = `${op.method} ${op.path}`;
    t.equal(response.statusCode, 415, name);
    t.match(response.headers['content-type'], /^application\/problem\+json/, name);
    const accepted = op.body ? `send ${Object.keys(op.body.content).join(', ')}.` : 'this operation takes no body.';
    t.equal(response.json().detail, `The body's media type, application/x-unknown, is not one this operation accepts: ${accepted}`, name);
  }
  // The walkthrough's cases, word for word.
  const json = await send('POST', '/v1/imports', 'application/json');
  t.equal(
    json.json().detail,
    "The body's media type, application/json, is not one this operation accepts: send text/csv, text/plain, " +
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/octet-stream, multipart/form-data.',
  );
  t.equal((await send('POST', '/v1/recommendations', 'text/plain')).json().detail, "The body's media type, text/plain, is not one this operation accepts: send application/json.");
  t.equal(
    (await send('PATCH', '/v1/recommendations/KGZ-3-FIN-1', 'text/csv')).json().detail,
    "The body's media type, text/csv, is not one this operation accepts: send application/json, application/merge-patch+json.",
  );
  t.equal((await send('POST', '/v1/recommendations')).json().detail, 'The body has no media type (Content-Type): send application/json.');
  t.equal((await send('POST', '/v1/recommendations', '<x>/"y"')).json().detail, "The body's media type is not one this operation accepts: send application/json.", 'no odd text echoed');
});

t.test('a query problem says what is wrong: a parameter given twice, a bad date or number, a required one missing', async (t) => {
  const app = await buildTestApp(t);
  const errorsOf = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 400, url);
    t.match(response.headers['content-type'], /^application\/problem\+json/, url);
    return response.json() as { detail: string; errors: { in: string; name: string; message: string }[] };
  };
  const limit = await errorsOf('/v1/recommendations?limit=1&limit=2');
  t.same(limit.errors, [{ in: 'query', name: 'limit', message: 'Given 2 times: give it once' }]);
  t.equal(limit.detail, 'Invalid query parameter "limit": Given 2 times: give it once');
  t.same((await errorsOf('/v1/recommendations?q=a&q=b&q=c')).errors, [{ in: 'query', name: 'q', message: 'Given 3 times: give it once' }]);
  t.same((await errorsOf('/v1/reviews/KGZ-3/summary?top=1&top=2')).errors, [{ in: 'query', name: 'top', message: 'Given 2 times: give it once' }]);
  // Names of Object's own properties, given twice: unknown parameters like any other (a 500 before, on every route).
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    for (const path of ['/v1/recommendations', '/v1/changes', '/v1/recommendations/KGZ-3-FIN-1']) {
      t.match((await errorsOf(`${path}?${name}=1&${name}=2`)).errors, [{ in: 'query', name, message: /^Unknown parameter: this operation takes / }], `${path} ${name}`);
    }
  }
  for (const path of ['/v1/developments', '/v1/statements', '/v1/states']) {
    const old = await errorsOf(`${path}?state=KGZ&code=KGZ`);
    t.same(old.errors, [
      { in: 'query', name: 'state', message: 'Unknown parameter: renamed "stateUnderReview" (see docs/api-changes.md)' },
      { in: 'query', name: 'code', message: 'Unknown parameter: renamed "id" (see docs/api-changes.md)' },
    ], `${path}: an earlier release's name is answered with today's`);
  }
  const date = 'Not a valid date (YYYY-MM-DD) or ISO 8601 instant with offset (e.g. 2026-01-01T00:00:00Z)';
  for (const value of [
    '2026-13-01', '2026-02-30', 'yesterday', '2026-01-01T00:00:00', '2026-01-01T00:00Z', '2026-01-01t00:00:00z',
    '2016-12-31T23:59:60Z', '2026-01-01T24:00:00Z', '%2B10000-01-01T00:00:00Z', '2026-02-29T00:00:00Z', '2026-04-31T00:00:00Z',
    '2026-01-01T00:00:00%2B0000', '2026-01-01T00:00:00.1234567891Z', '2026-01-01T00:00:00.1234567891%2B00:00',
  ]) {
    const given = `, given ${JSON.stringify(decodeURIComponent(value))}`;
    t.same((await errorsOf(`/v1/recommendations?updatedSince=${value}`)).errors, [{ in: 'query', name: 'updatedSince', message: date + given }], value);
  }
  // Plain decimal digits only: Number() read 0x10 as 16, ' 50' as 50, 1e2 as 100, '' as 0 ("too small").
  const whole = 'Expected a whole number (digits 0-9)';
  for (const value of ['abc', '1.5', '0x10', '%2050', '50%20', '1e2', '50.0', '%2B5', '-1', '', '%EF%BC%95', '0b11', 'Infinity']) {
    const given = `, given ${JSON.stringify(decodeURIComponent(value))}`;
    t.same((await errorsOf(`/v1/recommendations?limit=${value}`)).errors, [{ in: 'query', name: 'limit', message: whole + given }], value);
  }
  // A list's values are the same text, spaces around its commas aside.
  for (const value of ['0x1', '2.0', '1e0', '%2B1', '-1', '', '1,,2', '0b1']) {
    t.match((await errorsOf(`/v1/recommendations?cycle=${value}`)).errors, [{ in: 'query', name: 'cycle', message: `${whole}, given ` }], `cycle ${value}`);
  }
  for (const url of ['/v1/reviews/KGZ-3/summary?top=0x10', '/v1/recommendations/KGZ-3-FIN-1/related?limit=1e1']) {
    t.match((await errorsOf(url)).errors[0]!.message, `${whole}, given "`, url);
  }
  // Out of range says so, with the range (it said "Expected a whole number", then only the bound passed: "<=500"),
  // and the value as given (a long one cut, with its length), not as read (9 × 400 was read as 2^53 - 1).
  const range = (bound: string, given: string) => [{ in: 'query', name: 'limit', message: `${bound}: expected a whole number from 1 to 500, given ${given}` }];
  t.same((await errorsOf('/v1/reviews?limit=1000')).errors, range('Too big', '"1000"'));
  t.same((await errorsOf(`/v1/reviews?limit=${'9'.repeat(400)}`)).errors, range('Too big', `"${'9'.repeat(60)}…" (400 characters)`));
  t.same((await errorsOf('/v1/recommendations?limit=0')).errors, range('Too small', '"0"'));
  // Leading zeros are digits too, in every whole-number parameter alike.
  for (const url of ['/v1/recommendations?limit=007&cycle=03', '/v1/recommendations?limit=0000000000000000000000000000050&year=02020']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/recommendations?limit=007' })).json().meta.limit, 7);
  // A required parameter left out says what it takes (it said "Required" alone).
  t.same((await errorsOf('/v1/stats/developments')).errors, [
    { in: 'query', name: 'groupBy', message: 'Required: expected one of "direction", "year", "theme" or "stateUnderReview"' },
  ]);
  // A list parameter takes repeats: its values are judged one by one, each problem said once.
  t.same((await errorsOf('/v1/recommendations?cycle=x&cycle=y&cycle=9&cycle=x')).errors, [
    { in: 'query', name: 'cycle', message: `${whole}, given "x"` },
    { in: 'query', name: 'cycle', message: `${whole}, given "y"` },
    { in: 'query', name: 'cycle', message: 'Too big: expected a whole number from 1 to 4, given "9"' },
  ]);
  for (const url of ['/v1/recommendations?position=noted&position=supported', '/v1/stats/recommendations?groupBy=position&groupBy=cycle', '/v1/sources?publisher=a&publisher=b']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
  }

  // Every query parameter of the API: repeated, it is refused as given twice exactly when openapi.yaml says it takes one value.
  let checked = 0;
  for (const op of await loadOperations('openapi.yaml')) {
    if (op.method !== 'GET' || op.secured) continue;
    // Ids that pass their path's validation (which comes before the query's).
    const path = op.path.replace(/\{[^}]+\}/g, op.path.startsWith('/v1/states/') ? 'KGZ' : 'KGZ-3');
    for (const p of op.parameters.filter((p) => p.in === 'query')) {
      const schema = p.schema as { type?: string; anyOf?: { type?: string }[] };
      const repeatable = schema.type === 'array' || (schema.anyOf ?? []).some((s) => s.type === 'array');
      const response = await app.inject({ method: 'GET', url: `${path}?${p.name}=1&${p.name}=1` });
      const once = response.statusCode === 400 && response.json().errors.some((e: { name: string; message: string }) => e.name === p.name && e.message === 'Given 2 times: give it once');
      t.equal(once, !repeatable, `${op.id} ${p.name}: ${repeatable ? 'repeats taken' : 'given once'}`);
      checked++;
    }
  }
  t.ok(checked > 100, `${checked} parameters`);
});

t.test('what a problem quotes of the input is cut as a value is: an unknown key, a path, a URL Fastify refused', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const long = 'k'.repeat(20_000);
  const cut = `${'k'.repeat(60)}…`;
  const answers = [
    await app.inject(`/v1/sources?${long}=1`),
    await app.inject({ method: 'POST', url: '/v1/assessments', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify({ [long]: 1 }) }),
    await app.inject(`/v1/nope/${long.slice(0, 3000)}`), // 404
    await app.inject(`/v1/sources/${long.slice(0, 3000)}`), // 414, Fastify's: past the longest id
  ];
  t.same(answers.map((a) => a.statusCode), [400, 400, 404, 414]);
  // A path is cut past any the API serves (SHOWN_PATH_CHARS: two ids of MAX_RECORD_ID), a name as a value is.
  const pathShown = [60, 60, SHOWN_PATH_CHARS - '/v1/nope/'.length, SHOWN_PATH_CHARS - '/v1/sources/'.length];
  for (const [answer, shown] of answers.map((a, i) => [a, pathShown[i]!] as const)) {
    t.ok(answer.body.length < 2_000, `${answer.statusCode}: ${answer.body.length} bytes`);
    t.ok(answer.body.includes('k…') && !answer.body.includes('k'.repeat(shown + 1)), `${answer.statusCode}: the input shown cut`);
  }
  t.equal(answers[2]!.json().instance, `/v1/nope/${'k'.repeat(SHOWN_PATH_CHARS - '/v1/nope/'.length)}…`);
  // A path the API serves is shown whole, however long its ids.
  const linked = `/v1/developments/${'d'.repeat(MAX_RECORD_ID)}/recommendations/${'r'.repeat(MAX_RECORD_ID)}`;
  const unknown = await app.inject({ method: 'DELETE', url: linked, headers: { authorization: `Bearer ${key}`, 'if-match': '*' } });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().instance, linked);
  t.match(answers[0]!.json(), { detail: `Invalid query parameter "${cut}": Unknown parameter: this operation takes "id"`, errors: [{ name: cut }] } as never);
  t.ok((answers[1]!.json().errors as { in: string; name: string }[]).some((e) => e.in === 'body' && e.name === cut), 'the body field named cut');
  // The router's 414 names the path parameter (src/http/path-errors.ts), as a query's length is named.
  t.match(answers[3]!.json(), {
    detail: 'Invalid path parameter "id": Too long: expected at most 200 characters as sent in the URL, given 3,000 characters',
    errors: [{ in: 'path', name: 'id' }],
  } as never);
  const badEscape = await app.inject(`/v1/sources/${long.slice(0, 150)}%E9/`);
  t.match(badEscape.json(), { status: 400, errors: [{ in: 'path', name: 'id', message: /"%E9" is not UTF-8/ }] } as never, 'a bad escape in a path names its parameter');
  // A path no route serves has no parameter to name: Fastify's message, the URL quoted cut.
  const unserved = await app.inject(`/v1/nope/${long.slice(0, 3000)}%zz`);
  t.match(unserved.json().detail, /^"\/v1\/nope\/k+…" \(3,012 characters\) is not a valid url component$/);
  // Invisible characters in a name are escaped, as in a value.
  const hidden = await app.inject(`/v1/sources?a%E2%80%8Bb=1`);
  t.equal(hidden.json().errors[0].name, 'a\\u200bb');
});
