import { readFileSync } from 'node:fs';
import t from 'tap';
import { DASHBOARD_DIR } from '../src/dashboard/routes.js';
import { mintKey, patchText, send } from './curation-helpers.js';
import { buildTestApp } from './helpers.js';

// If-Match on GET and HEAD (RFC 9110 §13.1.1, §13.2.2 step 1): evaluated before the answer, a false one a 412.
// Reads did not read it: a client holding an old list or record was sent the new one as if its tag named it.

const RECORD = '/v1/recommendations/KGZ-3-ESP-1';

t.test('a list, an export and stats: 412 for a tag of another revision, before any query', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  for (const url of ['/v1/recommendations?limit=20', '/v1/states?format=csv', '/v1/stats/recommendations?groupBy=position']) {
    const first = await app.inject({ method: 'GET', url });
    const etag = first.headers.etag as string;
    t.equal(first.statusCode, 200, url);
    for (const held of [etag, '*', `"other", ${etag}`, `${etag.slice(0, -1)}-gzip"`]) {
      t.equal((await app.inject({ method: 'GET', url, headers: { 'if-match': held } })).statusCode, 200, `${url} If-Match ${held}: holds`);
    }
    const weak = await app.inject({ method: 'GET', url, headers: { 'if-match': `W/${etag}` } });
    t.equal(weak.statusCode, 412, `${url}: a weak tag never matches (strong comparison)`);
    // The URL → ETag map and the response cache answer before the query: they must not answer past If-Match.
    const both = await app.inject({ method: 'GET', url, headers: { 'if-match': '"r0-old"', 'if-none-match': etag } });
    t.equal(both.statusCode, 412, `${url}: If-Match is evaluated before If-None-Match (not a 304)`);
    t.equal(both.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.notOk(both.headers.etag, 'a problem names no list ETag');
    t.match(both.json(), { status: 412, detail: /If-Match does not name the current representation/ });
    const head = await app.inject({ method: 'HEAD', url, headers: { 'if-match': '"r0-old"' } });
    t.equal(head.statusCode, 412, `${url}: HEAD as GET`);
  }
  const url = '/v1/recommendations?limit=20';
  const before = (await app.inject({ method: 'GET', url })).headers.etag as string;
  const record = await app.inject({ method: 'GET', url: RECORD });
  t.equal((await patchText(app, key, 'KGZ-3-ESP-1', record.headers.etag, 'A text changed.')).response.statusCode, 200);
  const stale = await app.inject({ method: 'GET', url, headers: { 'if-match': before } });
  t.equal(stale.statusCode, 412, 'the list changed since its ETag: 412');
  t.notMatch(stale.body, /A text changed/, 'and no list');
});

t.test('a record: 412 for an older version, 404 before it', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  const first = await app.inject({ method: 'GET', url: RECORD, headers: { 'accept-encoding': 'gzip' } });
  const etag = first.headers.etag as string;
  t.match(etag, /-gzip"$/);
  t.equal((await app.inject({ method: 'GET', url: RECORD, headers: { 'if-match': etag } })).statusCode, 200, 'a coded tag names the plain body too');
  t.equal((await app.inject({ method: 'GET', url: '/v1/states/KGZ', headers: { 'if-match': '*' } })).statusCode, 200, '*: any');
  t.equal((await app.inject({ method: 'GET', url: '/v1/states/KGZ', headers: { 'if-match': etag } })).statusCode, 412, "another record's tag");
  t.equal((await patchText(app, key, 'KGZ-3-ESP-1', etag, 'A text changed.')).response.statusCode, 200);
  const stale = await app.inject({ method: 'GET', url: RECORD, headers: { 'if-match': etag } });
  t.equal(stale.statusCode, 412, 'the record changed since');
  t.equal(stale.headers['cache-control'], 'no-store');
  t.notMatch(stale.body, /A text changed/);
  const missing = await app.inject({ method: 'GET', url: '/v1/developments/none-yet', headers: { 'if-match': '*' } });
  t.equal(missing.statusCode, 404, 'no record: 404, as on writes');
});

t.test('a response without an ETag (a history, the change feed, /openapi.json): no tag matches, * does', async (t) => {
  const app = await buildTestApp(t);
  for (const url of [`${RECORD}/history`, '/v1/changes?limit=5', '/openapi.json', '/healthz']) {
    for (const method of ['GET', 'HEAD'] as const) {
      const tagged = await app.inject({ method, url, headers: { 'if-match': '"v1-r1"' } });
      t.equal(tagged.statusCode, 412, `${method} ${url}: a tag names no representation of it`);
      t.equal(tagged.headers['content-type'], 'application/problem+json; charset=utf-8');
      if (method === 'GET') t.match(tagged.json(), { status: 412, detail: /this resource has none/ });
      t.equal((await app.inject({ method, url, headers: { 'if-match': '*' } })).statusCode, 200, `${method} ${url}: *`);
    }
  }
  // A write's answer carries its ETag, and a write evaluates If-Match itself: the hook leaves both.
  const key = mintKey(app, 'write');
  const etag = (await app.inject({ method: 'GET', url: RECORD })).headers.etag;
  t.equal((await patchText(app, key, 'KGZ-3-ESP-1', etag, 'Changed once.')).response.statusCode, 200);
});

t.test('an If-Match that is not its syntax is a 400 naming it, on reads and writes; valid ones that match nothing stay 412', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  const etag = (await app.inject({ method: 'GET', url: RECORD })).headers.etag as string;
  const malformed = ['*, "a"', '"a", *', '*,', ' , * ', '"a" *', 'garbage', `${etag} "b"`, `w/${etag}`, `W/ ${etag}`, `"a"b`, `"unclosed`, `'single'`];
  for (const header of malformed) {
    for (const [method, url] of [
      ['GET', '/v1/recommendations?limit=2'],
      ['HEAD', '/v1/recommendations?limit=2'],
      ['GET', RECORD],
      ['GET', `${RECORD}/history`],
      ['GET', '/v1/recommendations/none-such'],
    ] as const) {
      const answer = await app.inject({ method, url, headers: { 'if-match': header } });
      t.equal(answer.statusCode, 400, `${method} ${url} If-Match: ${header}`);
      t.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.notOk(answer.headers.etag, 'no ETag on the problem');
      if (method === 'GET') t.match(answer.json(), { status: 400, detail: /"if-match"/, errors: [{ in: 'header', name: 'if-match' }] });
    }
    const patched = await send(app, 'PATCH', RECORD, { key, body: { text: 'Never stored.' }, headers: { 'if-match': header } });
    t.equal(patched.response.statusCode, 400, `PATCH If-Match: ${header}`);
    t.equal((await send(app, 'DELETE', RECORD, { key, headers: { 'if-match': header } })).response.statusCode, 400, `DELETE If-Match: ${header}`);
  }
  const star = await app.inject({ method: 'GET', url: RECORD, headers: { 'if-match': '*, "a"' } });
  t.match(star.json().detail, /\* alone or a list of entity tags, not both/);
  const unquoted = await app.inject({ method: 'GET', url: RECORD, headers: { 'if-match': `${etag}, garbage` } });
  t.match(unquoted.json().detail, /lists "garbage", which is no entity tag/);
  t.notMatch((await app.inject({ method: 'GET', url: RECORD })).body, /Never stored/, 'no write was made');
  // Valid syntax: a weak tag (never matches, compared strongly), empty list elements, a comma inside a tag.
  for (const header of [`W/${etag}`, '"a", , "b"', '"a,b"', `W/"x",${etag.replace(/-i/, '-x')}`]) {
    t.equal((await app.inject({ method: 'GET', url: RECORD, headers: { 'if-match': header } })).statusCode, 412, `GET If-Match: ${header}`);
  }
  t.equal((await app.inject({ method: 'GET', url: RECORD, headers: { 'if-match': ` , ${etag} ,` } })).statusCode, 200, 'empty elements around the tag');
  t.equal((await app.inject({ method: 'GET', url: RECORD, headers: { 'if-match': ' * ' } })).statusCode, 200, '* with spaces');
});

t.test("a static file's failed If-Match or If-Unmodified-Since: the API's 412 problem, saying which and why", async (t) => {
  const app = await buildTestApp(t);
  // The page's script is named by its content (app-<hash>.js): the one this build's page names.
  const script = /src="(app-[^"]+\.js)"/.exec(readFileSync(`${DASHBOARD_DIR}index.html`, 'utf8'))![1];
  for (const url of ['/dashboard/', `/dashboard/${script}`, '/docs/static/swagger-ui.css']) {
    const file = await app.inject({ method: 'GET', url });
    const etag = file.headers.etag as string;
    t.match(etag, /^W\//, `${url}: a weak ETag`);
    const cases: [string, Record<string, string>, RegExp][] = [
      ['another tag', { 'if-match': '"nope"' }, /its ETag is weak .* only \* matches it/],
      // `send` compared weakly: the file's own tag, W/ or not, matched and the file was sent.
      ['its own weak tag', { 'if-match': etag }, /its ETag is weak/],
      ['its tag made strong', { 'if-match': etag.slice(2) }, /its ETag is weak/],
      ['its tag, and If-None-Match naming it', { 'if-match': etag, 'if-none-match': etag }, /its ETag is weak/],
      ['a date before it', { 'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' }, /modified after the date in If-Unmodified-Since/],
    ];
    for (const [what, headers, detail] of cases) {
      for (const method of ['GET', 'HEAD'] as const) {
        const answer = await app.inject({ method, url, headers });
        t.equal(answer.statusCode, 412, `${method} ${url}, ${what}`);
        t.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8', `${url}, ${what}: was text/plain or "Precondition Failed"`);
        t.equal(answer.headers['cache-control'], 'no-store');
        t.notOk(answer.headers.etag, 'no ETag on the problem');
        t.notOk(answer.headers['last-modified'], 'nor the Last-Modified of the file it is not');
        if (method === 'GET') t.match(answer.json(), { status: 412, title: 'Precondition Failed', detail }, `${url}, ${what}`);
      }
    }
    t.equal((await app.inject({ method: 'GET', url, headers: { 'if-match': '*' } })).statusCode, 200, `${url}: * holds`);
    const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-match': '*', 'if-none-match': etag } });
    t.equal(revalidated.statusCode, 304, `${url}: *, then If-None-Match`);
    // RFC 9110 §13.2.2: If-Unmodified-Since is evaluated only without If-Match (`send` evaluated both: a 412).
    const before = 'Thu, 01 Jan 1970 00:00:00 GMT';
    for (const method of ['GET', 'HEAD'] as const) {
      const served = await app.inject({ method, url, headers: { 'if-match': '*', 'if-unmodified-since': before } });
      t.equal(served.statusCode, 200, `${method} ${url}: *, and a date before the file's: the date is skipped`);
      t.equal(served.headers.etag, etag, `${method} ${url}: the file`);
      const unchanged = await app.inject({ method, url, headers: { 'if-match': '*', 'if-unmodified-since': before, 'if-none-match': etag } });
      t.equal(unchanged.statusCode, 304, `${method} ${url}: *, a date before, then If-None-Match`);
    }
    const weakMatch = await app.inject({ method: 'GET', url, headers: { 'if-match': etag, 'if-unmodified-since': before } });
    t.match(weakMatch.json(), { status: 412, detail: /its ETag is weak/ }, `${url}: a tag and a date: the tag's 412, not the date's`);
  }
  t.equal((await app.inject({ method: 'GET', url: '/dashboard/none.js', headers: { 'if-match': '"nope"' } })).statusCode, 404, 'no file: 404');
});

t.test('the OpenAPI document names the 412 of every read, and a 400 on each', async (t) => {
  const app = await buildTestApp(t);
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  for (const path of ['/v1/recommendations', '/v1/recommendations/{id}', '/v1/changes', '/v1/stats/recommendations']) {
    t.ok(document.paths[path]!.get!.responses['412'], `GET ${path}: 412`);
  }
  t.match(document.paths['/healthz']!.get!.responses['400'], { description: /If-Match is not/ }, "a malformed If-Match's 400 where no other is listed");
});
