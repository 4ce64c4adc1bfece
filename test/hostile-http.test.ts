import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { authenticateKey } from '../src/auth/keys.js';
import { pgAuthenticateHeader } from '../src/auth/pg-keys.js';
import { scrubKeys } from '../src/http/hardening.js';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, postgresSide } from './helpers.js';
import { testSql } from './support/test-sql.js';

// Smaller hostile-input cases at the HTTP edge (issue 14, item 9): OPTIONS without Origin, a weak ETag in
// If-Match, authenticated reads while another connection holds the write lock, percent-encoded keys in
// logged URLs, a forged Host header, and an idempotent retry of a creation deleted since.

const ASSESSMENT = {
  recommendationId: 'KGZ-3-USA-1',
  status: 'not_implemented',
  assessedOn: '2021-01-15',
  rationale: 'No investigation was opened.',
  sources: [HRW_SOURCE],
};

// Headers that describe one response (its body, caching, rate limit, CORS, request id): every other header of a normal
// response is a security header, which every response must carry too.
const PER_RESPONSE = /^(?:content-|date$|connection$|keep-alive$|etag$|cache-control$|link$|vary$|allow$|(?:x-)?ratelimit|retry-after$|access-control-|x-request-id$)/;
const securityHeaders = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_RESPONSE.test(name)));

t.test('OPTIONS without a preflight\'s headers: 204 with Allow (was a 400), a 404 where no resource is; the security headers', async (t) => {
  const app = await buildTestApp(t);
  const normal = securityHeaders((await app.inject({ method: 'GET', url: '/v1/recommendations?limit=1' })).headers);
  t.ok(Object.keys(normal).length >= 3, `a normal GET carries security headers (${Object.keys(normal).join(', ')})`);

  for (const [url, headers, allow] of [
    ['/v1/recommendations', {}, 'GET, HEAD, POST, OPTIONS'],
    ['/v1/recommendations?limit=1', { origin: 'https://dashboard.example.org' }, 'GET, HEAD, POST, OPTIONS'],
    ['/v1/states/KGZ', { 'access-control-request-method': 'GET' }, 'GET, HEAD, PATCH, DELETE, OPTIONS'],
    ['/healthz', {}, 'GET, HEAD, OPTIONS'],
  ] as const) {
    const response = await app.inject({ method: 'OPTIONS', url, headers });
    t.equal(response.statusCode, 204, `OPTIONS ${url} ${JSON.stringify(headers)}`);
    t.equal(response.headers.allow, allow, 'Allow lists what the path takes, as a 405 there says');
    t.equal(response.body, '');
    t.same(securityHeaders(response.headers), normal, 'the same security headers as a normal GET');
    const refused = await app.inject({ method: 'PUT', url });
    t.equal(refused.headers.allow, allow, "the same Allow as the path's 405");
  }
  // `OPTIONS *` (the server as a whole) over a socket: inject() makes its target a path.
  await app.listen({ port: 0, host: '127.0.0.1' });
  const socket = net.connect((app.server.address() as AddressInfo).port, '127.0.0.1');
  socket.write('OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  const server = Buffer.concat(chunks).toString('utf8');
  t.match(server, /^HTTP\/1\.1 204 No Content\r\n/, 'OPTIONS *: 204');
  t.notMatch(server, /\r\nallow:/i, 'no Allow: the server, no resource');
  const none = await app.inject({ method: 'OPTIONS', url: '/v1/nothing' });
  t.equal(none.statusCode, 404, 'no resource');
  t.match(none.headers['content-type'], /^application\/problem\+json/);
  t.match(none.json(), { status: 404, detail: 'There is no resource at OPTIONS /v1/nothing.' });

  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/states',
    headers: { origin: 'https://dashboard.example.org', 'access-control-request-method': 'GET' },
  });
  t.equal(preflight.statusCode, 204, 'a CORS preflight is answered');
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.equal(preflight.body, '');
  t.same(securityHeaders(preflight.headers), normal, 'with the same security headers');
});

t.test('If-Match compares strongly: a weak ETag is a 412 and changes nothing', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const created = await send(app, 'POST', '/v1/assessments', { key, body: ASSESSMENT });
  const etag = created.response.headers.etag as string;
  const url = `/v1/assessments/${created.body.id}`;

  for (const ifMatch of [`W/${etag}`, `W/${etag}, W/"v9-r9"`]) {
    const weak = await send(app, 'PATCH', url, { key, body: { status: 'implemented' }, headers: { 'if-match': ifMatch } });
    t.equal(weak.response.statusCode, 412, `If-Match: ${ifMatch}`);
    t.match(weak.response.headers['content-type'], /^application\/problem\+json/);
  }
  const deleteWeak = await send(app, 'DELETE', url, { key, headers: { 'if-match': `W/${etag}` } });
  t.equal(deleteWeak.response.statusCode, 412, 'a weak ETag does not delete either');
  const unchanged = await send(app, 'GET', url);
  t.equal(unchanged.body.status, 'not_implemented', 'the record is unchanged');
  t.equal(unchanged.body.version, 1);

  const strong = await send(app, 'PATCH', url, { key, body: { status: 'implemented' }, headers: { 'if-match': `W/"v9-r9", ${etag}` } });
  t.equal(strong.response.statusCode, 200, 'the strong ETag in a list matches');
  t.equal(strong.body.version, 2);
});

t.test('If-None-Match on a write: *, or the stored version (weak or strong), is a 412 that changes nothing', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const created = await send(app, 'POST', '/v1/assessments', { key, body: ASSESSMENT });
  const etag = created.response.headers.etag as string;
  const url = `/v1/assessments/${created.body.id}`;

  // Each was applied: If-None-Match was not read on writes (RFC 9110 §13.1.2: false when it names the current
  // representation, or is * and one exists; then the method is not performed, 412).
  // `"v9-r9", *` (two header lines, joined) was applied: the * was dropped as no tag.
  for (const ifNoneMatch of ['*', etag, `W/${etag}`, `"v9-r9", W/${etag}`, '"v9-r9", *']) {
    const patch = await send(app, 'PATCH', url, {
      key,
      body: { status: 'implemented' },
      headers: { 'if-match': etag, 'if-none-match': ifNoneMatch },
    });
    t.equal(patch.response.statusCode, 412, `PATCH, If-None-Match: ${ifNoneMatch}`);
    t.match(patch.body, { status: 412, detail: /is stored, at version 1, which If-None-Match names/ });
    t.match(patch.response.headers.etag, /^"v1-r\d+-i[0-9a-f]{8}"$/, 'naming the version stored');
  }
  const remove = await send(app, 'DELETE', url, { key, headers: { 'if-match': '*', 'if-none-match': '*' } });
  t.equal(remove.response.statusCode, 412, 'DELETE, If-None-Match: *');
  const unchanged = await send(app, 'GET', url);
  t.equal(unchanged.body.status, 'not_implemented', 'the record is unchanged');
  t.equal(unchanged.body.version, 1);

  const theme = '/v1/recommendations/KGZ-3-ESP-1/themes/arbitrary-arrest-and-detention';
  const label = await send(app, 'PUT', theme, { key, headers: { 'if-none-match': '*' } });
  t.equal(label.response.statusCode, 412, 'a label PUT, whose If-Match is optional, too');
  t.equal(label.body.instance, theme, 'its instance the whole path (69 characters; it was cut at 60)');
  const record = await send(app, 'GET', '/v1/recommendations/KGZ-3-ESP-1');
  t.equal(record.body.version, 1, 'the recommendation is unchanged');

  const other = await send(app, 'PATCH', url, {
    key,
    body: { status: 'implemented' },
    headers: { 'if-match': etag, 'if-none-match': `"v2-r1-i${etag.match(/-i([0-9a-f]{8})"$/)![1]}", "v1-r1-i00000000"` },
  });
  t.equal(other.response.statusCode, 200, "another version's ETag, or another record's, lets the change through");
  t.equal(other.body.version, 2);
});

t.test("authenticated reads while another connection holds the write lock: 200, the key's last use is skipped", async (t) => {
  const app = await buildTestApp(t);
  if (postgresSide(app) !== undefined) return keyRowLockedOnPostgres(t, app);
  const key = mintKey(app, 'write', 'reader');
  const lastUsed = () => app.db.$client.prepare('select last_used_at from api_keys where name = ?').pluck().get('reader');
  const changes = () => app.db.$client.prepare('select total_changes()').pluck().get() as number;
  const get = () => app.inject({ method: 'GET', url: '/v1/states/KGZ', headers: { authorization: `Bearer ${key}` } });

  // An import in another process: a second connection that holds the write lock.
  const importer = new Database(app.db.$client.name);
  t.teardown(() => importer.close());
  importer.exec('begin immediate');
  for (let i = 0; i < 3; i++) {
    const response = await get();
    t.equal(response.statusCode, 200, 'the read is answered');
  }
  t.equal(lastUsed(), null, 'the last use could not be written, and was skipped');
  t.equal(app.db.$client.pragma('busy_timeout', { simple: true }), 5000, 'the busy timeout is restored');
  importer.exec('rollback');

  t.equal((await get()).statusCode, 200);
  const recorded = lastUsed() as string;
  t.ok(recorded, 'once the lock is free, the use is recorded');
  const before = changes();
  for (let i = 0; i < 5; i++) t.equal((await get()).statusCode, 200);
  t.equal(changes(), before, 'and not written again on every request');
  t.equal(lastUsed(), recorded);

  const later = new Date(Date.parse(recorded) + 61_000);
  t.equal(authenticateKey(app.db, key, later).status, 'ok');
  t.equal(lastUsed(), later.toISOString(), 'a minute later, it is recorded again');

  app.db.$client.pragma('query_only = 1');
  t.throws(() => authenticateKey(app.db, key, new Date(later.getTime() + 61_000)), /readonly/i, 'other errors are not hidden');
  app.db.$client.pragma('query_only = 0');
});

// PostgreSQL has no database-wide write lock: what another transaction may hold is the key's row (an import, a
// revocation). The read is answered, the last use skipped (src/auth/pg-keys.ts: skip locked), then recorded.
async function keyRowLockedOnPostgres(t: Test, app: FastifyInstance) {
  const sql = testSql(app);
  const key = mintKey(app, 'write', 'reader');
  const lastUsed = async () => (await sql.get<{ last_used_at: string | null }>('select last_used_at from api_keys where name = ?', ['reader']))!.last_used_at;
  const rowVersion = async () => (await sql.get<{ v: string }>('select xmin::text as v from api_keys where name = ?', ['reader']))!.v;
  const get = () => app.inject({ method: 'GET', url: '/v1/states/KGZ', headers: { authorization: `Bearer ${key}` } });

  const { default: pg } = await import('pg');
  const other = new pg.Client({ connectionString: postgresSide(app)!.pool.options.connectionString });
  await other.connect();
  t.teardown(() => other.end());
  t.equal(await lastUsed(), null, 'a new key, never used');
  await other.query('begin');
  await other.query("select id from api_keys where name = 'reader' for update");
  for (let i = 0; i < 3; i++) {
    const response = await get();
    t.equal(response.statusCode, 200, 'the read is answered');
  }
  t.equal(await lastUsed(), null, 'the last use could not be written, and was skipped');
  await other.query('rollback');

  t.equal((await get()).statusCode, 200);
  const recorded = (await lastUsed())!;
  t.ok(recorded, 'once the row is free, the use is recorded');
  const before = await rowVersion();
  for (let i = 0; i < 5; i++) t.equal((await get()).statusCode, 200);
  t.equal(await rowVersion(), before, 'and not written again on every request');
  t.equal(await lastUsed(), recorded);

  const later = new Date(Date.parse(recorded) + 61_000);
  t.equal((await pgAuthenticateHeader(postgresSide(app)!.pool, `Bearer ${key}`, later)).status, 'ok');
  t.equal(await lastUsed(), later.toISOString(), 'a minute later, it is recorded again');

  // A database that lets the service only read skips the last use (write-refused.ts); any other error is not hidden.
  await other.query('begin read only');
  t.equal((await pgAuthenticateHeader(other, `Bearer ${key}`, new Date(later.getTime() + 61_000))).status, 'ok', 'read only: skipped');
  await other.query('rollback');
  await other.query('begin');
  await other.query('alter table api_keys add constraint last_use_refused check (last_used_at is null) not valid');
  await t.rejects(pgAuthenticateHeader(other, `Bearer ${key}`, new Date(later.getTime() + 61_000)), /last_use_refused/, 'other errors are not hidden');
  await other.query('rollback');
}

t.test('a percent-encoded API key in a query string is redacted from the log', async (t) => {
  let log = '';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  const app = await buildTestApp(t, { logLevel: 'info', logStream });
  const key = mintKey(app);
  const secret = key.slice(18);
  const escape = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  const variants = [
    key.replaceAll('_', '%5F'),
    key.replaceAll('_', '%5f').replace('u', '%75'),
    [...key].map(escape).join(''),
    [...key].map((c, i) => (i % 2 ? escape(c) : c)).join(''),
  ];
  for (const encoded of variants) {
    const response = await app.inject({ method: 'GET', url: `/v1/states/KGZ?api_key=${encoded}` });
    t.equal(response.statusCode, 400, 'an unknown parameter is refused');
  }
  t.match(log, /"msg":"request completed"/, 'the requests were logged');
  t.equal(log.match(/\/v1\/states\/KGZ\?api_key=\[redacted\]/g)?.length, variants.length, 'every URL logged is redacted');
  t.notOk(log.includes(secret.slice(0, 12)), 'the secret appears nowhere');
  for (const encoded of variants) t.notOk(log.includes(encoded.slice(-30)), 'nor its encoded form');
  t.equal(scrubKeys('/a?b=%2F%20%7E&c=%5F'), '/a?b=%2F%20%7E&c=_', 'other escapes are left as they are');
});

t.test('absolute URLs come from PUBLIC_URL, never from the Host header', async (t) => {
  const app = await buildTestApp(t, { publicUrl: 'https://upr.example.org/api' });
  const csv = async (host: string) => {
    const response = await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv', headers: { host } });
    t.equal(response.statusCode, 200);
    return response;
  };
  const honest = await csv('upr.example.org');
  const forged = await csv('evil.example');
  t.equal(forged.body, honest.body, 'a forged Host changes nothing in the body');
  t.equal(forged.headers.etag, honest.headers.etag, 'which its ETag (blind to Host) rightly says');
  const urls = (parse(honest.body, { columns: true }) as { id: string; url: string }[]).map((row) => [row.id, row.url]);
  t.ok(urls.length > 0);
  for (const [id, url] of urls) t.equal(url, `https://upr.example.org/api/v1/recommendations/${encodeURIComponent(id!)}`);

  const byDefault = await buildTestApp(t);
  const body = (await byDefault.inject({ method: 'GET', url: '/v1/states?format=csv', headers: { host: 'evil.example' } })).body;
  t.match(body, /,http:\/\/127\.0\.0\.1:3000\/v1\/states\/KGZ,/, 'without PUBLIC_URL: http://HOST:PORT');
  t.notMatch(body, /evil/);
});

t.test("Link and Location follow PUBLIC_URL's path: a client behind https://upr.example.org/api stays under /api", async (t) => {
  const app = await buildTestApp(t, { publicUrl: 'https://upr.example.org/api' });
  const link = async (url: string) => (await app.inject({ method: 'GET', url })).headers.link;
  t.match(await link('/v1/states?limit=1'), /^<\/api\/v1\/states\?limit=1&cursor=[^>]+>; rel="next"$/, 'a list');
  t.match(await link('/v1/states?limit=1'), /^<\/api\/v1\/states\?/, 'the same list from the response cache');
  t.match(await link('/v1/recommendations?limit=1'), /^<\/api\/v1\/recommendations\?/, 'stored documents');
  t.match(await link('/v1/recommendations?limit=1&format=csv'), /^<\/api\/v1\/recommendations\?/, 'an export page');
  t.match(await link('/v1/recommendations?limit=1&include=assessments'), /^<\/api\/v1\/recommendations\?/, 'include');
  t.match(await link('/v1/changes?limit=1'), /^<\/api\/v1\/changes\?limit=1&since=[^>]+>; rel="next"$/, 'the change feed');
  const key = mintKey(app);
  const headers = { 'idempotency-key': 'behind-a-path' };
  const created = await send(app, 'POST', '/v1/assessments', { key, body: ASSESSMENT, headers });
  t.equal(created.response.statusCode, 201);
  t.equal(created.response.headers.location, `/api/v1/assessments/${created.body.id}`, 'a create');
  const replayed = await send(app, 'POST', '/v1/assessments', { key, body: ASSESSMENT, headers });
  t.equal(replayed.response.headers.location, `/api/v1/assessments/${created.body.id}`, 'its replay');

  const byDefault = await buildTestApp(t);
  t.match((await byDefault.inject({ method: 'GET', url: '/v1/states?limit=1' })).headers.link, /^<\/v1\/states\?/, 'no path: as before');
});

t.test('an idempotent retry of a creation deleted since is a 409, not a replayed 201', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const headers = { 'idempotency-key': 'create-then-delete' };
  const first = await send(app, 'POST', '/v1/assessments', { key, body: ASSESSMENT, headers });
  t.equal(first.response.statusCode, 201);
  const deleted = await send(app, 'DELETE', `/v1/assessments/${first.body.id}`, { key, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204);
  const sql = testSql(app);
  const assessments = await sql.count('assessments');

  const retry = await send(app, 'POST', '/v1/assessments', { key, body: ASSESSMENT, headers });
  t.equal(retry.response.statusCode, 409);
  t.match(retry.response.headers['content-type'], /^application\/problem\+json/);
  t.match(retry.body.detail, new RegExp(`"${first.body.id}" created with this Idempotency-Key has been deleted`));
  t.notOk(retry.response.headers['idempotency-replayed']);
  t.equal(await sql.count('assessments'), assessments, 'nothing is created');

  const fresh = await send(app, 'POST', '/v1/assessments', { key, body: ASSESSMENT, headers: { 'idempotency-key': 'again' } });
  t.equal(fresh.response.statusCode, 201, 'a new key creates it again');
});
