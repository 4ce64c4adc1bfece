import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { acceptedEncoding } from '../src/http/cache.js';
import { mintKey, patchText } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';

t.test('acceptedEncoding: brotli, else gzip, as Accept-Encoding allows', async (t) => {
  t.equal(acceptedEncoding(undefined), undefined);
  t.equal(acceptedEncoding(''), undefined);
  t.equal(acceptedEncoding('identity'), undefined);
  t.equal(acceptedEncoding('gzip, deflate, br'), 'br');
  t.equal(acceptedEncoding('GZIP'), 'gzip');
  t.equal(acceptedEncoding('br;q=0, gzip'), 'gzip');
  t.equal(acceptedEncoding('br;q=0.5, gzip;q=0.8'), 'gzip');
  t.equal(acceptedEncoding('br;q=0.8, gzip;q=0.8'), 'br');
  t.equal(acceptedEncoding('*'), 'gzip', '* is gzip, as @fastify/compress reads it');
  t.equal(acceptedEncoding('gzip;q=0.5, *'), 'gzip');
  t.equal(acceptedEncoding('*, br'), 'br');
  t.equal(acceptedEncoding('*;q=0.1, br;q=0'), 'gzip');
  t.equal(acceptedEncoding('gzip;q=0, br;q=0'), undefined);
  t.equal(acceptedEncoding('gzip;q=x'), undefined, 'an unreadable quality counts as 0');
  t.equal(acceptedEncoding('x-gzip'), 'gzip', 'x-gzip is gzip (RFC 9110 §8.4.1.3)');
  t.equal(acceptedEncoding('X-GZIP;q=0.5, br;q=0.4'), 'gzip');
});

t.test('Accept-Encoding: x-gzip is answered in gzip, the cached response as the first', async (t) => {
  const app = await buildTestApp(t);
  const url = '/v1/recommendations?limit=100';
  const plain = await app.inject({ method: 'GET', url });
  // The first is compressed by @fastify/compress (which read x-gzip as gzip); the second is the in-process
  // cache's hit, which was sent uncoded.
  for (const round of ['first', 'cached']) {
    const answer = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'x-gzip' } });
    t.equal(answer.headers['content-encoding'], 'gzip', `${round}: gzip`);
    t.equal(gunzipSync(answer.rawPayload).toString(), plain.body, `${round}: the same JSON`);
    t.equal(answer.headers.etag, `${(plain.headers.etag as string).slice(0, -1)}-gzip"`, `${round}: the gzip ETag`);
  }
});

t.test('Accept-Encoding: * is answered as @fastify/compress reads it (gzip), the cached response as the first', async (t) => {
  const app = await buildTestApp(t);
  const url = '/v1/recommendations?limit=100';
  const plain = await app.inject({ method: 'GET', url });
  // The cache's hit read * as any coding, brotli first: the same URL and headers went gzip, then brotli.
  for (const header of ['*', 'gzip;q=0.5, *']) {
    for (const round of ['first', 'cached']) {
      const answer = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': header } });
      t.equal(answer.headers['content-encoding'], 'gzip', `${header}, ${round}: gzip`);
      t.equal(answer.headers.etag, `${(plain.headers.etag as string).slice(0, -1)}-gzip"`, `${header}, ${round}: the gzip ETag`);
    }
  }
  const record = await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-ESP-1', headers: { 'accept-encoding': '*' } });
  t.equal(record.headers['content-encoding'], 'gzip', 'a record, which compression codes alone, as the list');
});

t.test('CORS: any origin may read, without credentials, with the useful headers exposed', async (t) => {
  const app = await buildTestApp(t);
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/recommendations?stateUnderReview=KGZ',
    headers: {
      origin: 'https://dashboard.example.org',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'if-none-match, accept',
    },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.equal(preflight.headers['access-control-allow-methods'], 'GET, HEAD, OPTIONS');
  t.match(preflight.headers['access-control-allow-headers'], /if-none-match/);
  t.notOk(preflight.headers['access-control-allow-credentials'], 'no credentials');
  t.ok(Number(preflight.headers['access-control-max-age']) > 0, 'preflights are cached');

  const simple = await app.inject({
    method: 'GET',
    url: '/v1/recommendations?limit=1',
    headers: { origin: 'https://dashboard.example.org' },
  });
  t.equal(simple.headers['access-control-allow-origin'], '*');
  const exposed = String(simple.headers['access-control-expose-headers']).split(', ');
  for (const header of ['Link', 'ETag', 'Content-Disposition', 'Retry-After', 'Allow', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']) {
    t.ok(exposed.includes(header), `exposes ${header}`);
  }
  // A request a browser sends without a preflight (a GET, a POST of text/plain) can meet a 405: its script reads Allow.
  const notAllowed = await app.inject({ method: 'GET', url: '/v1/imports', headers: { origin: 'https://dashboard.example.org' } });
  t.equal(notAllowed.statusCode, 405);
  t.equal(notAllowed.headers['access-control-allow-origin'], '*');
  t.equal(notAllowed.headers.allow, 'POST, OPTIONS');
  t.ok(String(notAllowed.headers['access-control-expose-headers']).split(', ').includes('Allow'), 'exposes Allow (was not exposed)');
  const notModified = await app.inject({
    method: 'GET',
    url: '/v1/recommendations?limit=1',
    headers: { origin: 'https://dashboard.example.org', 'if-none-match': simple.headers.etag as string },
  });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.headers['access-control-allow-origin'], '*', 'a 304 carries CORS headers too');
});

t.test('compression: gzip and brotli for JSON, CSV and NDJSON when asked; ETags per encoding', async (t) => {
  const app = await buildTestApp(t);
  const plain = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=500' });
  t.notOk(plain.headers['content-encoding'], 'not asked: not compressed');

  const gz = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=500', headers: { 'accept-encoding': 'gzip' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.match(gz.headers.vary, /accept-encoding/i);
  t.same(JSON.parse(gunzipSync(gz.rawPayload).toString()), plain.json(), 'the same JSON, gzipped');
  t.equal(gz.headers.etag, `${String(plain.headers.etag).slice(0, -1)}-gzip"`, 'the ETag names the encoding');

  const br = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=500', headers: { 'accept-encoding': 'br, gzip' } });
  t.equal(br.headers['content-encoding'], 'br', 'brotli preferred');
  t.same(JSON.parse(brotliDecompressSync(br.rawPayload).toString()), plain.json());

  // Cached responses are compressed once per coding, then served as they are.
  for (let i = 0; i < 2; i++) {
    const cachedBr = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=500', headers: { 'accept-encoding': 'gzip, br' } });
    t.equal(cachedBr.headers['content-encoding'], 'br', `cached, brotli (${i})`);
    t.equal(brotliDecompressSync(cachedBr.rawPayload).toString(), plain.body);
    t.equal(cachedBr.headers.etag, br.headers.etag, 'the same tag as the first brotli response');
    const cachedGz = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=500', headers: { 'accept-encoding': 'gzip;q=1, br;q=0.5' } });
    t.equal(cachedGz.headers['content-encoding'], 'gzip', `cached, gzip preferred (${i})`);
    t.equal(gunzipSync(cachedGz.rawPayload).toString(), plain.body);
    t.equal(cachedGz.headers.etag, gz.headers.etag);
  }
  const identity = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=500', headers: { 'accept-encoding': 'identity' } });
  t.notOk(identity.headers['content-encoding'], 'identity: not compressed');
  t.equal(identity.body, plain.body);
  const cachedSmall = await app.inject({ method: 'GET', url: '/v1/states?limit=1', headers: { 'accept-encoding': 'br' } });
  const cachedSmallAgain = await app.inject({ method: 'GET', url: '/v1/states?limit=1', headers: { 'accept-encoding': 'br' } });
  t.notOk(cachedSmall.headers['content-encoding'] ?? cachedSmallAgain.headers['content-encoding'], 'a small cached body is sent as it is');

  const csv = await app.inject({ method: 'GET', url: '/v1/states?format=csv', headers: { 'accept-encoding': 'gzip' } });
  t.equal(csv.headers['content-encoding'], 'gzip', 'a streamed CSV export is compressed');
  t.equal((parse(gunzipSync(csv.rawPayload), { columns: true }) as unknown[]).length, 195);
  const nd = await app.inject({ method: 'GET', url: '/v1/states?format=ndjson', headers: { 'accept-encoding': 'br' } });
  t.equal(nd.headers['content-encoding'], 'br', 'NDJSON too');
  t.equal(brotliDecompressSync(nd.rawPayload).toString().split('\n').filter(Boolean).length, 195);

  // If-None-Match with the tag of a compressed representation: 304, echoing that tag.
  const revalidated = await app.inject({
    method: 'GET',
    url: '/v1/recommendations?limit=500',
    headers: { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag as string },
  });
  t.equal(revalidated.statusCode, 304);
  t.equal(revalidated.headers.etag, gz.headers.etag);
  t.match(revalidated.headers.vary, /accept-encoding/i, 'the 304 varies like the 200');

  const small = await app.inject({ method: 'GET', url: '/v1/states?limit=1', headers: { 'accept-encoding': 'gzip' } });
  t.notOk(small.headers['content-encoding'], 'a small body is not worth compressing');
  t.notMatch(String(small.headers.etag), /-gzip"$/);

  const problem = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=9999', headers: { 'accept-encoding': 'gzip' } });
  t.equal(problem.statusCode, 400);
  t.equal((await getJson(app, '/v1/recommendations?limit=9999')).body.status, 400);
});

t.test("a record's representations: an ETag per coding, Vary on 200s and 304s, HEAD as GET, If-Match of a coded ETag", async (t) => {
  const app = await buildTestApp(t);
  const url = '/v1/recommendations/KGZ-3-ESP-1';
  const plain = await app.inject({ method: 'GET', url });
  const gz = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.equal(gunzipSync(gz.rawPayload).toString(), plain.body);
  // One strong ETag named both bodies (RFC 9110 §8.8.3); the plain body said no Vary, so a shared cache that
  // stored it answered it to every client, and a 304 said none either (§15.4.5).
  t.equal(gz.headers.etag, `${(plain.headers.etag as string).slice(0, -1)}-gzip"`, 'a strong ETag per representation');
  t.equal(plain.headers.vary, 'accept-encoding', 'the plain body varies on Accept-Encoding too');
  t.equal(gz.headers.vary, 'accept-encoding');
  for (const held of [gz.headers.etag as string, `W/${plain.headers.etag as string}`]) {
    const revalidated = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip', 'if-none-match': held } });
    t.equal(revalidated.statusCode, 304, `${held}: the same representation, compressed or not`);
    t.equal(revalidated.headers.etag, held, 'the tag held, echoed');
    t.equal(revalidated.headers.vary, 'accept-encoding', 'the 304 varies like the 200');
    t.equal(revalidated.headers['cache-control'], 'public, max-age=60');
  }

  // HEAD said the plain body's Content-Length and no coding, under the GET's ETag, where GET answered gzip.
  const headers = ['content-type', 'content-encoding', 'content-length', 'etag', 'vary', 'cache-control', 'link'];
  for (const [path, coding] of [
    [url, 'gzip'],
    [url, 'br'],
    [url, undefined],
    ['/v1/recommendations?limit=20', 'gzip'],
    ['/v1/states?format=csv&limit=60', 'br'],
  ] as const) {
    // no-cache: the in-process cache's hit always answered HEAD as GET; its miss did not.
    const request = { url: path, headers: { 'cache-control': 'no-cache', ...(coding ? { 'accept-encoding': coding } : {}) } };
    const get = await app.inject({ method: 'GET', ...request });
    const head = await app.inject({ method: 'HEAD', ...request });
    t.equal(get.headers['content-encoding'], coding, `${path} ${coding}: GET's coding`);
    for (const name of headers) t.equal(head.headers[name], get.headers[name], `${path} ${coding}: HEAD's ${name} is GET's`);
    t.equal(head.body, '', 'HEAD: headers only');
  }

  // A weak ETag (a static file's) may name both codings: it is left as @fastify/static compares it.
  const page = await app.inject({ method: 'GET', url: '/dashboard/', headers: { 'accept-encoding': 'gzip' } });
  t.equal(page.headers['content-encoding'], 'gzip');
  t.match(page.headers.etag, /^W\//, 'weak');
  t.notMatch(page.headers.etag, /-gzip"$/, 'without a coding');
  const pageAgain = await app.inject({ method: 'GET', url: '/dashboard/', headers: { 'accept-encoding': 'gzip', 'if-none-match': page.headers.etag as string } });
  t.equal(pageAgain.statusCode, 304, 'and revalidates');

  // A client whose GET was compressed sends back the coded ETag: it names the version as well.
  const key = mintKey(app, 'write');
  const patched = await patchText(app, key, 'KGZ-3-ESP-1', gz.headers.etag, 'Ensure the primacy of international human rights law.');
  t.equal(patched.response.statusCode, 200, 'If-Match with a coded ETag');
  const stale = await patchText(app, key, 'KGZ-3-ESP-1', gz.headers.etag, 'Another text.');
  t.equal(stale.response.statusCode, 412, 'and a stale one is still refused');
  t.equal((await patchText(app, key, 'KGZ-3-ESP-1', `W/${patched.response.headers.etag as string}`, 'x')).response.statusCode, 412, 'weak: never');
});

t.test('every response says how a shared cache may keep it', async (t) => {
  const app = await buildTestApp(t);
  // Without Cache-Control, Varnish kept a record's history and a 404 for its default 120 s: a write, or a
  // record created since, was not seen through it.
  for (const url of ['/v1/recommendations/KGZ-3-ESP-1/history', '/v1/changes?limit=1', '/healthz', '/readyz', '/openapi.json']) {
    t.equal((await app.inject({ method: 'GET', url })).headers['cache-control'], 'no-cache', `${url}: revalidated every time`);
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/developments/none-yet' })).headers['cache-control'], 'no-store', 'a 404');
  t.equal((await app.inject({ method: 'GET', url: '/v1/recommendations?limit=1' })).headers['cache-control'], 'public, max-age=60', 'a list');
  t.equal((await app.inject({ method: 'GET', url: '/v1/states/KGZ' })).headers['cache-control'], 'public, max-age=60', 'a record');
  // The dashboard's page revalidated (it names the build's files), those files kept: their names change with them.
  t.equal((await app.inject({ method: 'GET', url: '/dashboard/' })).headers['cache-control'], 'no-cache', 'the dashboard page');
  const page = (await app.inject({ method: 'GET', url: '/dashboard/' })).body;
  const script = /src="(app-[^"]+\.js)"/.exec(page)![1];
  t.equal((await app.inject({ method: 'GET', url: `/dashboard/${script}` })).headers['cache-control'], 'public, max-age=31536000, immutable', 'its script');
});

t.test('a response the coding may change says Vary: accept-encoding whether compressed or not', async (t) => {
  const app = await buildTestApp(t);
  // A history, the change feed and the OpenAPI document said it only when compressed: a cache that kept their
  // plain copy (after a revalidation: they are no-cache) handed it to a client that asked for gzip, and the
  // other way round a gzip copy to one that cannot read it.
  for (const url of ['/v1/recommendations/KGZ-3-ESP-1/history', '/v1/changes?limit=50', '/openapi.json', '/healthz']) {
    for (const coding of [undefined, 'gzip']) {
      const answer = await app.inject({ method: 'GET', url, headers: coding ? { 'accept-encoding': coding } : {} });
      t.equal(answer.statusCode, 200);
      t.equal(answer.headers.vary, 'accept-encoding', `${url} (${coding ?? 'no coding asked'}): Vary`);
    }
  }
  const list = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=1' });
  t.equal(list.headers.vary, 'Accept, accept-encoding', 'a list: as before, once');
  const problem = await app.inject({ method: 'GET', url: '/v1/developments/none-yet' });
  t.equal(problem.headers.vary, 'accept-encoding', 'a problem too (a long one is compressed)');
});
