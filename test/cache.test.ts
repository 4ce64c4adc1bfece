import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { buildApp } from '../src/app.js';
import { writeTransaction } from '../src/db/audit.js';
import { openDatabase } from '../src/db/open.js';
import { bumpRevision, currentRevision } from '../src/db/revision.js';
import { KNOWN_TAGS, KNOWN_TAGS_BYTES, KnownTags, normaliseQuery, ResponseCache, RevisionTracker } from '../src/http/cache.js';
import { queryEtag } from '../src/http/etag.js';
import { pgMaterialize } from '../src/recommendations/pg-documents.js';
import { pgWriteTransaction } from '../src/db/pg/write-transaction.js';
import { mintKey, send } from './curation-helpers.js';
import { insertRecommendation } from './fixtures.js';
import { buildTestApp, postgresSide, sqliteOnly, tempDir, testBackend } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';
import { testSql } from './support/test-sql.js';

// HTTP caching: query ETags, 304s without running the query, and the response cache, invalidated by any
// write, in this process or another.

async function appOnFile(t: Test) {
  // On PostgreSQL a fresh database of the run's cluster (no file: `path` is for SQLite's second connections).
  if (testBackend() === 'postgres') return { app: await buildTestApp(t), path: '' };
  const path = join(tempDir(t), 'cache.sqlite');
  copyTemplateDatabase(path); // as a first start leaves it: migrated and seeded (made once for the suite)
  // No load shedding: on a busy machine, a 503 would carry no ETag.
  const app = await buildApp({ databasePath: path, logLevel: 'silent', maxEventLoopDelayMs: 0, checkResponses: true });
  t.teardown(() => app.close());
  return { app, path };
}

/**
 * Another connection to the app's database: SQLite's on the same file, PostgreSQL's the test's own. It changes a
 * text behind the cache (the stored document too, without a new revision: no write path does this), and bumps the revision.
 */
async function otherConnection(t: Test, app: FastifyInstance, path: string) {
  const side = postgresSide(app);
  const change = "update recommendations set text = 'changed behind the cache' where id = 'KGZ-3-ESP-1'";
  if (side === undefined) {
    const other = openDatabase(path, { seed: false });
    t.teardown(() => other.$client.close());
    return {
      changeBehindTheCache: async () => void other.$client.prepare(change).run(),
      bumpRevision: async () => void bumpRevision(other),
    };
  }
  return {
    changeBehindTheCache: async () => {
      await side.pool.query(change);
      await pgMaterialize(side.pool, ['KGZ-3-ESP-1']);
    },
    bumpRevision: async () => void (await side.pool.query("update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision'")),
  };
}

t.test('list, export and stats responses carry a strong query ETag and Cache-Control', async (t) => {
  const { app } = await appOnFile(t);
  const revision = await app.dataRevision.current();
  for (const url of [
    '/v1/recommendations?position=noted',
    '/v1/recommendations?format=csv',
    '/v1/developments?format=ndjson',
    '/v1/states',
    '/v1/reviews',
    '/v1/statements',
    '/v1/stats/recommendations?groupBy=position',
    '/v1/stats/developments?groupBy=year',
    '/v1/reviews/KGZ-3/summary',
    '/v1/themes',
    '/v1/affected-persons',
    '/v1/sdgs',
  ]) {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 200, url);
    t.match(response.headers.etag, new RegExp(`^"r${revision}-[A-Za-z0-9_-]{16}"$`), `${url}: strong ETag of the revision`);
    t.equal(response.headers['cache-control'], 'public, max-age=60', url);
  }
  const detail = await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-FIN-1' });
  t.notMatch(String(detail.headers.etag ?? ''), /^"r\d+-/, 'detail routes keep their own (record) ETags');
});

t.test('equivalent queries share an ETag; different ones do not', async (t) => {
  const { app } = await appOnFile(t);
  const etag = async (url: string, accept?: string) =>
    (await app.inject({ method: 'GET', url, headers: accept ? { accept } : {} })).headers.etag;
  const base = await etag('/v1/recommendations?position=supported,noted&cycle=3');
  t.equal(await etag('/v1/recommendations?cycle=3&position=noted,supported'), base, 'order of parameters and values');
  t.equal(await etag('/v1/recommendations?position=noted&position=supported&cycle=3'), base, 'repeated parameters');
  t.equal(await etag('/v1/recommendations?position=noted,supported,noted&cycle=3'), base, 'duplicate values');
  t.equal(await etag('/v1/recommendations?position=noted,supported&cycle=3&limit=50'), base, 'the default limit');
  t.equal(await etag('/v1/recommendations?position=noted,supported&cycle=3&sort=paragraph'), base, 'the default sort');
  t.equal(await etag('/v1/recommendations?position=noted,supported&cycle=3&format=json'), base, 'format=json');
  t.equal(await etag('/v1/recommendations?position=noted,supported&cycle=3&bom=true'), base, 'bom only matters for CSV');
  t.equal(await etag('/v1/recommendations?q=torture'), await etag('/v1/recommendations?q=torture&sort=relevance'));
  const others = [
    await etag('/v1/recommendations?position=noted&cycle=3'),
    await etag('/v1/recommendations?position=noted,supported&cycle=3&limit=10'),
    await etag('/v1/recommendations?position=noted,supported&cycle=3&sort=id'),
    await etag('/v1/recommendations?position=noted,supported&cycle=3', 'text/csv'),
    await etag('/v1/recommendations?position=noted,supported&cycle=3&format=csv&bom=true'),
    await etag('/v1/recommendations?position=noted,supported&cycle=3&format=csv&limit=50'),
    await etag('/v1/recommendations?position=noted,supported&cycle=3&format=ndjson'),
    await etag('/v1/developments?cycle=3'.replace('cycle=3', 'direction=setback')),
  ];
  t.equal(new Set([base, ...others]).size, others.length + 1, 'each different representation has its own ETag');
  t.equal(
    await etag('/v1/recommendations?format=csv'),
    await etag('/v1/recommendations', 'text/csv'),
    'the same representation, by ?format= or by Accept',
  );
  t.not(
    await etag('/v1/stats/recommendations?groupBy=position,cycle'),
    await etag('/v1/stats/recommendations?groupBy=cycle,position'),
    "groupBy's order shapes the answer (columns, order of groups): it is part of the ETag",
  );
  t.equal(
    await etag('/v1/stats/recommendations?groupBy=position&position=noted,supported'),
    await etag('/v1/stats/recommendations?position=supported,noted&groupBy=position'),
  );
});

t.test('If-None-Match: 304 without running the query; a write makes it 200 again', async (t) => {
  const { app } = await appOnFile(t);
  const url = '/v1/recommendations?stateUnderReview=KGZ';
  const first = await app.inject({ method: 'GET', url });
  const etag = first.headers.etag as string;
  const csv = await app.inject({ method: 'GET', url: `${url}&format=csv` });

  // Break the query: if the 304 path touched the database for the list, it would now fail. (The list and the
  // export read the stored documents and CSV lines: recommendation_sdgs, broken before, no longer failed them.)
  const sql = testSql(app);
  const tables = ['recommendation_documents', 'recommendation_csv_lines'];
  for (const table of tables) await sql.run(`alter table ${table} rename to ${table}_away`);
  t.equal((await app.inject({ method: 'GET', url, headers: { 'cache-control': 'no-cache' } })).statusCode, 500, 'the query fails now');
  const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
  t.equal(revalidated.statusCode, 304, 'a current ETag: 304');
  t.equal(revalidated.body, '', 'no body');
  t.equal(revalidated.headers.etag, etag);
  t.equal(revalidated.headers['cache-control'], 'public, max-age=60');
  t.equal((await app.inject({ method: 'GET', url, headers: { 'if-none-match': `W/${etag}` } })).statusCode, 304, 'weak comparison');
  t.equal((await app.inject({ method: 'GET', url, headers: { 'if-none-match': `"x", ${etag}` } })).statusCode, 304, 'a list of tags');
  t.equal((await app.inject({ method: 'GET', url, headers: { 'if-none-match': '*' } })).statusCode, 304, '*');
  // The export fails now: a 500 that is no export, without its ETag, never stored by a shared cache.
  const failed = await app.inject({ method: 'GET', url: `${url}&format=csv`, headers: { 'cache-control': 'no-cache' } });
  t.equal(failed.statusCode, 500);
  t.equal(failed.headers.etag, undefined, 'a failed export carries no ETag');
  t.equal(failed.headers['cache-control'], 'no-store');
  const csvAgain = await app.inject({ method: 'GET', url: `${url}&format=csv`, headers: { 'if-none-match': csv.headers.etag as string } });
  t.equal(csvAgain.statusCode, 304, 'an export revalidates too, without running');
  t.equal(csvAgain.body, '');
  for (const table of tables) await sql.run(`alter table ${table}_away rename to ${table}`);
  t.equal((await app.inject({ method: 'GET', url, headers: { 'if-none-match': '"r1-other"' } })).statusCode, 200, 'another tag: 200');

  await insertRecommendation(app, { id: 'KGZ-3-NEW-1', text: 'A new recommendation.' });
  const after = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
  t.equal(after.statusCode, 200, 'after a write, the old ETag is stale');
  t.not(after.headers.etag, etag);
  t.equal(after.json().meta.total, 9, 'and the response shows the write');
});

t.test('a list ETag whose base64url hash ends in "-br" revalidates: the ending is no content coding', async (t) => {
  const { app } = await appOnFile(t);
  const url = '/v1/themes';
  const key = normaliseQuery(url, {}, {}, 'json', false);
  const revision = await app.dataRevision.current();
  // The token that gives this query's ETag such an ending (one in 262,144): found here, then stored as the revision's.
  let token = 0;
  while (!queryEtag(`${revision}.${token}`, key).endsWith('-br"')) token++;
  await testSql(app).run(
    "insert into meta (key, value) values ('revision_token', ?) on conflict (key) do update set value = excluded.value",
    [String(token)],
  );
  const etag = (await app.inject({ method: 'GET', url })).headers.etag as string;
  t.equal(etag, queryEtag(`${revision}.${token}`, key), 'the ETag ends in "-br" as its hash does');
  for (const sent of [etag, `W/${etag}`, `"x", ${etag}`]) {
    // Twice: the first from the query, the second from the URL → ETag map.
    for (const round of [1, 2]) {
      const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': sent } });
      t.equal(revalidated.statusCode, 304, `${sent}: 304 (${round})`);
      t.equal(revalidated.headers.etag, sent.replace('"x", ', ''), 'the tag sent, echoed');
    }
  }
  const gzipped = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
  t.equal(gzipped.headers.etag, `${etag.slice(0, -1)}-gzip"`);
  const again = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip', 'if-none-match': gzipped.headers.etag as string } });
  t.equal(again.statusCode, 304, 'and under gzip');
  t.equal((await app.inject({ method: 'GET', url, headers: { 'if-none-match': `${etag.slice(0, -4)}"` } })).statusCode, 200, 'the tag without its "-br": another list');
});

t.test('If-None-Match answered from the URL → ETag map: per Accept, per revision, never for a bad query', async (t) => {
  const { app } = await appOnFile(t);
  const url = '/v1/recommendations?stateUnderReview=KGZ&limit=3';
  const json = await app.inject({ method: 'GET', url });
  const csv = await app.inject({ method: 'GET', url, headers: { accept: 'text/csv' } });
  const jsonTag = json.headers.etag as string;
  t.not(csv.headers.etag, jsonTag, 'another Accept, another representation, another ETag');

  const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': jsonTag } });
  t.equal(revalidated.statusCode, 304);
  t.equal(revalidated.headers.etag, jsonTag);
  t.equal(revalidated.headers.vary, 'Accept, accept-encoding');
  t.equal(revalidated.headers['cache-control'], 'public, max-age=60');
  t.equal(revalidated.headers['x-content-type-options'], 'nosniff', 'with the security headers');
  const asCsv = await app.inject({ method: 'GET', url, headers: { 'if-none-match': jsonTag, accept: 'text/csv' } });
  t.equal(asCsv.statusCode, 200, "the JSON's ETag does not revalidate the CSV");
  t.match(asCsv.headers['content-type'], /^text\/csv/);
  const csvAgain = await app.inject({ method: 'GET', url, headers: { 'if-none-match': csv.headers.etag as string, accept: 'text/csv' } });
  t.equal(csvAgain.statusCode, 304, "the CSV's own ETag does");
  const gzipTag = `${jsonTag.slice(0, -1)}-gzip"`;
  const compressed = await app.inject({ method: 'GET', url, headers: { 'if-none-match': gzipTag, 'accept-encoding': 'gzip' } });
  t.equal(compressed.statusCode, 304, 'the tag of a compressed representation');
  t.equal(compressed.headers.etag, gzipTag, 'echoed as the client sent it');
  t.equal((await app.inject({ method: 'GET', url, headers: { 'if-none-match': '"r1-other"' } })).statusCode, 200, 'another tag');

  // A problem the handler finds (after this cache set the list's headers) is no list: no ETag to revalidate it
  // by (that was a 304), never stored by a shared cache (it was `public, max-age=60`).
  // Nor one about a label no record has yet, which a write may add.
  const urls = ['/v1/recommendations?cursor=abc', '/v1/recommendations?q=a*', '/v1/recommendations?positionLabel=zzz', '/v1/recommendations/NONE-1'];
  for (const url of urls) {
    const refused = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    t.equal(refused.statusCode, url.includes('NONE') ? 404 : 400, url);
    t.notOk(refused.headers.etag, `${url}: no ETag`);
    t.equal(refused.headers['cache-control'], 'no-store', `${url}: no-store`);
  }

  const bad = await app.inject({ method: 'GET', url: '/v1/recommendations?position=bogus', headers: { 'if-none-match': '*' } });
  t.equal(bad.statusCode, 400, 'a query that does not validate is never revalidated');
  t.equal((await app.inject({ method: 'GET', url: '/v1/recommendations?position=bogus', headers: { 'if-none-match': '*' } })).statusCode, 400);

  await insertRecommendation(app, { id: 'KGZ-3-NEW-1', text: 'A new recommendation.' });
  const stale = await app.inject({ method: 'GET', url, headers: { 'if-none-match': jsonTag } });
  t.equal(stale.statusCode, 200, 'after a write, no 304 for the old ETag');
  t.not(stale.headers.etag, jsonTag);
  const current = await app.inject({ method: 'GET', url, headers: { 'if-none-match': stale.headers.etag as string } });
  t.equal(current.statusCode, 304, 'the new one revalidates');
});

t.test('KnownTags: one revision at a time, bounded', async (t) => {
  const tags = new KnownTags(2);
  const tag = (revision: string) => ({ revision, etag: `"r${revision}-x"`, vary: 'accept-encoding' });
  tags.set('a', tag('1.a'));
  tags.set('b', tag('1.a'));
  t.equal(tags.get('1.a', 'a')?.etag, '"r1.a-x"');
  t.equal(tags.get('2.b', 'a'), undefined, 'another revision: unknown');
  tags.set('c', tag('1.a'));
  t.equal(tags.size, 1, 'full: emptied, then the new tag kept');
  t.equal(tags.get('1.a', 'a'), undefined);
  tags.set('d', tag('2.b'));
  t.equal(tags.size, 1, 'a new revision empties the map');
  t.equal(tags.get('1.a', 'c'), undefined);
  t.equal(tags.get('2.b', 'd')?.etag, '"r2.b-x"');
});

t.test('KnownTags: bounded in bytes too; 10,000 revalidations with 15 KB Accept headers keep 8 MiB at most', async (t) => {
  // A URL and its Accept header are up to 16 KiB together: 10,000 of them, all kept, held 150 MB.
  const tags = new KnownTags();
  const tag = { revision: '1.a', etag: '"r1-abc"', vary: 'accept, accept-encoding', key: '["/v1/recommendations",[["limit",1]]]' };
  let most = 0;
  for (let i = 0; i < KNOWN_TAGS; i++) {
    tags.set(`/v1/recommendations?limit=1\napplication/json, ${String(i).padEnd(15_000, 'x')}`, tag);
    most = Math.max(most, tags.bytes);
  }
  t.ok(most <= KNOWN_TAGS_BYTES, `${most} bytes at most`);
  t.ok(tags.size < KNOWN_TAGS / 10, `${tags.size} entries kept`);

  const ordinary = new KnownTags();
  const url = (i: number) => `/v1/recommendations?stateUnderReview=KGZ&cycle=${i}\napplication/json`;
  for (let i = 0; i < KNOWN_TAGS - 1; i++) ordinary.set(url(i), tag);
  const size = ordinary.bytes;
  ordinary.set(url(0), { ...tag, etag: '"r1-def"' });
  t.equal(ordinary.bytes, size, 'a URL known already is counted once');
  t.equal(ordinary.get('1.a', url(0))?.etag, '"r1-def"');
  ordinary.set(url(KNOWN_TAGS), tag);
  t.equal(ordinary.size, KNOWN_TAGS, 'ordinary URLs fill every entry');
});

t.test('the response cache serves repeated queries and never an old revision', async (t) => {
  const { app, path } = await appOnFile(t);
  const url = '/v1/recommendations?stateUnderReview=KGZ&limit=2';
  const first = await app.inject({ method: 'GET', url });
  t.equal(first.json().meta.total, 8);

  // A change that bypasses the revision (no write path does this) is not seen: the answer comes from the cache.
  const other = await otherConnection(t, app, path);
  await other.changeBehindTheCache();
  const cached = await app.inject({ method: 'GET', url });
  t.equal(cached.body, first.body, 'same revision: the cached body');
  t.equal(cached.headers.link, first.headers.link, 'with its Link header');
  const equivalent = await app.inject({ method: 'GET', url: '/v1/recommendations?limit=2&stateUnderReview=KGZ' });
  t.equal(equivalent.body, first.body, 'an equivalent query: the cached body');
  t.equal(
    equivalent.headers.link,
    `</v1/recommendations?limit=2&stateUnderReview=KGZ&cursor=${first.json().meta.nextCursor}>; rel="next"`,
    'with a Link header made from its own URL',
  );
  t.match(cached.headers['content-type'], /^application\/json/);
  const reloaded = await app.inject({ method: 'GET', url, headers: { 'cache-control': 'no-cache' } });
  t.match(reloaded.body, /changed behind the cache/, 'Cache-Control: no-cache bypasses the response cache');
  t.equal(reloaded.headers.etag, first.headers.etag, '(the revision, hence the ETag, is the same)');
  const refreshed = await app.inject({ method: 'GET', url });
  t.equal(refreshed.body, reloaded.body, 'and refreshes it');

  // Another connection (the import CLI, the seed script) bumps the revision: fresh data.
  // (seen from the next turn of the event loop: RevisionTracker reads data_version once per turn)
  await other.bumpRevision();
  await new Promise(setImmediate);
  const fresh = await app.inject({ method: 'GET', url });
  t.not(fresh.headers.etag, first.headers.etag, 'a new ETag');
  t.match(fresh.body, /changed behind the cache/, "the other connection's write is visible");

  // A write in this process, through the write API.
  const written = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-ESP-1', {
    key: mintKey(app),
    body: { text: 'changed in process' },
    headers: { 'if-match': '*' },
  });
  t.equal(written.response.statusCode, 200, written.response.body);
  const again = await app.inject({ method: 'GET', url });
  t.match(again.body, /changed in process/);
  t.not(again.headers.etag, fresh.headers.etag);
});

t.test('a cached response of a URL already answered is served before validation, after the rate limiter', async (t) => {
  const app = await buildTestApp(t, { rateLimitMax: 4, rateLimitWindowMs: 60_000 });
  let validated = 0;
  app.addHook('preValidation', (_request, _reply, done) => {
    validated += 1;
    done();
  });
  const url = '/v1/recommendations?stateUnderReview=kgz&limit=2';
  const get = (request: { url: string; headers?: Record<string, string> }) =>
    app.inject({ method: 'GET', remoteAddress: '203.0.113.7', ...request });
  // On PostgreSQL every request is validated first: the revision is a database read, made once per request
  // by the handler's cache lookup (src/http/cache.ts serveKnown); the cached body is sent all the same.
  const early = testBackend() === 'sqlite';
  const first = await get({ url });
  t.equal(validated, 1);
  const again = await get({ url });
  t.equal(validated, early ? 1 : 2, 'the same URL again: the cached body is sent, without validation on SQLite');
  t.equal(again.body, first.body);
  t.equal(again.headers['ratelimit-remaining'], '2', 'counted by the rate limiter');
  for (const name of ['etag', 'vary', 'cache-control', 'link', 'content-type', 'content-length', 'x-content-type-options']) {
    t.equal(again.headers[name], first.headers[name], name);
  }
  const head = await app.inject({ method: 'HEAD', url, remoteAddress: '203.0.113.8' });
  t.equal(head.statusCode, 200, 'HEAD of a cached URL');
  t.equal(head.body, '', 'HEAD: no body');
  t.equal(head.headers['content-length'], first.headers['content-length'], "HEAD: the cached body's length");
  t.equal(head.headers.etag, first.headers.etag, 'HEAD: the same ETag');
  const br = await get({ url, headers: { 'accept-encoding': 'br' } });
  t.equal(br.headers['content-encoding'], 'br', 'compressed as the client asks');
  t.equal(br.headers.etag, `${(first.headers.etag as string).slice(0, -1)}-br"`, 'with the ETag of that coding');
  t.equal(brotliDecompressSync(br.rawPayload).toString(), first.body);
  const csv = await get({ url, headers: { accept: 'text/csv' } });
  t.match(csv.headers['content-type'], /^text\/csv/, 'another Accept: not the cached JSON');
  const reload = await get({ url, headers: { 'cache-control': 'no-cache' } });
  t.equal(reload.body, first.body, 'no-cache: made afresh');
  t.equal(validated, early ? 3 : 6, 'the CSV and the reload were validated (on PostgreSQL every request)');
  const limited = await get({ url });
  t.equal(limited.statusCode, 429, 'the fifth JSON request: the rate limiter counts cached answers too');
});

t.test('a second connection writing through the database layer invalidates ETags', async (t) => {
  const { app, path } = await appOnFile(t);
  const url = '/v1/stats/recommendations?groupBy=position';
  const before = await app.inject({ method: 'GET', url });
  const update = `update recommendations set position = 'supported', position_source = 'A/HRC/44/9/Add.1' where id = 'KGZ-3-FIN-1'`;
  const entry = { entity: 'recommendations', entityId: 'KGZ-3-FIN-1', action: 'update', before: { position: null }, after: { position: 'supported' } } as const;
  const side = postgresSide(app);
  if (side === undefined) {
    const importer = openDatabase(path);
    t.teardown(() => importer.$client.close());
    writeTransaction(importer, 'import', ({ tx, audit }) => {
      tx.run(sql.raw(update));
      audit(entry);
    });
  } else {
    // Another instance's (or the import command's) write: PostgreSQL's write transaction on another pool.
    await pgWriteTransaction(side.pool, 'import', async ({ tx, audit, stale }) => {
      await tx.query(update);
      audit(entry);
      stale(['KGZ-3-FIN-1']);
    });
  }
  await new Promise(setImmediate); // the next turn of the event loop, where the server looks for other connections' commits
  const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': before.headers.etag as string } });
  t.equal(revalidated.statusCode, 200, 'the old ETag no longer matches');
  const supported = revalidated.json().data.find((g: { position: string }) => g.position === 'supported');
  t.equal(supported.count, 4, 'the stats show the import');
});

t.test("PostgreSQL's revision: another connection's commit is seen at once", async (t) => {
  const { app } = await appOnFile(t);
  const side = postgresSide(app);
  if (side === undefined) return t.pass('SQLite: the test below');
  const start = await app.dataRevision.current();
  await side.pool.query("update meta set value = cast(cast(value as integer) + 5 as text) where key = 'revision'");
  t.equal(await app.dataRevision.current(), start + 5, 'read from the database on each request');
});

t.test('RevisionTracker re-reads the revision only when the database may have changed', async (t) => {
  if (sqliteOnly(t, 'SQLite\'s RevisionTracker (total_changes, data_version); PostgreSQL: the test above')) return;
  const { app, path } = await appOnFile(t);
  const tracker = new RevisionTracker(app.db);
  const start = tracker.current();
  t.equal(start, currentRevision(app.db));
  t.equal(tracker.current(), start, 'unchanged');
  bumpRevision(app.db);
  t.equal(tracker.current(), start + 1, 'a write on this connection');
  const other = new Database(path);
  t.teardown(() => other.close());
  other.prepare("update meta set value = cast(value as integer) + 5 where key = 'revision'").run();
  t.equal(tracker.current(), start + 1, "another connection's commit: not looked for again in the same turn");
  await new Promise(setImmediate);
  t.equal(tracker.current(), start + 6, 'a commit by another connection, seen from the next turn of the event loop');
  bumpRevision(app.db);
  t.equal(tracker.current(), start + 7, 'a write on this connection, seen at once');
});

t.test("another connection's planner statistics are read from the next turn on, not kept from the start", async (t) => {
  if (sqliteOnly(t, "SQLite's planner statistics, loaded by each connection; PostgreSQL's are the server's own")) return;
  const { app, path } = await appOnFile(t);
  const client = app.db.$client;
  // The `recurring` filter's and grouping's condition (src/related/recurrence.ts).
  const plan = () =>
    (client.prepare(`explain query plan select count(*) from recommendations r where exists (select 1
      from recommendation_relations rl where rl.recommendation_id = r.id and rl.relation = 'earlier' and rl.score >= 0.5)`)
      .all() as { detail: string }[]).map((row) => row.detail).join(' | ');
  // As a server started on a just-seeded database, whose `pragma optimize` at open analysed its 2 relations.
  client.exec('analyze recommendations; analyze recommendation_relations');
  t.match(plan(), /SCAN rl/, 'statistics of a few rows: the relations scanned for each recommendation');

  // `npm run import` in another process: 480,000 relations, then its `pragma optimize`.
  const importer = new Database(path);
  t.teardown(() => importer.close());
  importer.exec(`update sqlite_stat1 set stat = '480000 7 1' where idx = 'sqlite_autoindex_recommendation_relations_1';
    update sqlite_stat1 set stat = '40000 1' where idx = 'sqlite_autoindex_recommendations_1'`);
  importer.exec('begin immediate'); // and it writes again, holding the write lock
  await new Promise(setImmediate);
  await app.dataRevision.current();
  t.match(plan(), /SCAN rl/, 'not read while another connection holds the write lock');
  importer.exec('rollback');
  await new Promise(setImmediate);
  await app.dataRevision.current();
  t.match(plan(), /SEARCH rl (EXISTS )?USING INDEX sqlite_autoindex_recommendation_relations_1 \(recommendation_id=\?\)/, 'read at the next turn');
  const stats = await app.inject({ method: 'GET', url: '/v1/stats/recommendations?groupBy=recurring' });
  t.equal(stats.statusCode, 200);
  t.same(stats.json().meta.total, 8);
});

t.test('ResponseCache: bounded in bytes, least recently used out first, one revision at a time', async (t) => {
  const cache = new ResponseCache(4500);
  const body = (n: number) => Buffer.from('x'.repeat(n));
  cache.set('1.a', 'a', { body: body(900), nextCursor: null });
  cache.set('1.a', 'b', { body: body(900), nextCursor: 'abc' });
  cache.set('1.a', 'c', { body: body(900), nextCursor: null });
  t.equal(cache.size, 3);
  t.ok(cache.get('1.a', 'a'), 'a is used, so b is now the least recently used');
  cache.set('1.a', 'd', { body: body(900), nextCursor: null });
  t.equal(cache.size, 4);
  t.ok(cache.bytes <= 4500);
  cache.set('1.a', 'e', { body: body(900), nextCursor: null });
  t.notOk(cache.get('1.a', 'b'), 'the least recently used entry went first');
  t.ok(cache.get('1.a', 'a'));
  t.ok(cache.bytes <= 4500, `bounded: ${cache.bytes} bytes`);
  cache.set('1.a', 'a', { body: body(100), nextCursor: null });
  t.equal(cache.get('1.a', 'a')!.body.length, 100, 'replacing an entry');
  cache.set('1.a', 'huge', { body: body(1500), nextCursor: null });
  t.notOk(cache.get('1.a', 'huge'), 'an entry over a quarter of the cache is not kept');
  t.equal(cache.get('1.a', 'b'), undefined);
  t.notOk(cache.get('2.b', 'a'), 'another revision: a miss');
  cache.set('2.b', 'z', { body: body(10), nextCursor: null });
  t.equal(cache.size, 1, 'a new revision empties the cache');
  t.notOk(cache.get('1.a', 'a'), 'the old revision is never served');
  const z = cache.get('2.b', 'z')!;
  t.same(z.body, body(10));

  const before = cache.bytes;
  cache.addEncoded(z, 'br', Buffer.alloc(100));
  t.equal(cache.bytes, before + 100, 'a compressed variant counts towards the bound');
  t.equal(cache.get('2.b', 'z')!.encoded.br!.length, 100);
  cache.set('2.b', 'y', { body: body(1040), nextCursor: null });
  cache.set('2.b', 'x', { body: body(1040), nextCursor: null });
  cache.set('2.b', 'w', { body: body(1040), nextCursor: null });
  cache.set('2.b', 'v', { body: body(1040), nextCursor: null });
  t.notOk(cache.get('2.b', 'z'), 'evicted');
  const used = cache.bytes;
  cache.addEncoded(z, 'gzip', Buffer.alloc(100));
  t.equal(cache.bytes, used, 'a variant of an evicted entry is not kept');
  cache.addEncoded(cache.get('2.b', 'v')!, 'gzip', Buffer.alloc(2000));
  t.ok(cache.bytes <= 4500, 'adding a variant evicts to stay bounded');
  t.notOk(cache.get('2.b', 'y'));
});

t.test('normaliseQuery', async (t) => {
  const key = (query: Record<string, unknown>, format: 'json' | 'csv' = 'json', limitGiven = false) =>
    normaliseQuery('/v1/x', {}, query, format, limitGiven);
  t.not(
    normaliseQuery('/v1/s', {}, { groupBy: ['a', 'b'] }, 'json', false, { ordered: ['groupBy'] }),
    normaliseQuery('/v1/s', {}, { groupBy: ['b', 'a'] }, 'json', false, { ordered: ['groupBy'] }),
  );
  t.equal(key({ b: ['2', '1'], a: 'x' }), key({ a: 'x', b: ['1', '2', '1'] }));
  t.equal(key({ a: undefined, b: 1 }), key({ b: 1 }));
  t.not(key({ limit: 50 }, 'csv', true), key({ limit: 50 }, 'csv', false), 'an export without limit is complete');
  t.equal(key({ limit: 50 }, 'csv', false), key({ limit: 10 }, 'csv', false));
  t.equal(key({ bom: true }), key({}), 'bom is ignored for JSON');
  t.not(key({ bom: true }, 'csv'), key({}, 'csv'));
  t.equal(key({ bom: false }, 'csv'), key({}, 'csv'));
  t.not(normaliseQuery('/v1/x/:id', { id: 'a' }, {}, 'json', false), normaliseQuery('/v1/x/:id', { id: 'b' }, {}, 'json', false));
});
