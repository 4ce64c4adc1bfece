import Database from 'better-sqlite3';
import pg from 'pg';
import t from 'tap';
import { pgChangeStore } from '../src/changes/pg-queries.js';
import { type Feed, sqliteChangeStore } from '../src/changes/store.js';
import { mintKey, send } from './curation-helpers.js';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { SEQ_BEFORE } from '../src/changes/queries.js';
import { buildTestApp, getJson, postgresSide, testBackend } from './helpers.js';
import { testSql } from './support/test-sql.js';

type Change = { seq: number; entity: string; id: string; action: string; actor: string; at: string; revision: number };

t.test('the change feed: every write in commit order, walked with cursors', async (t) => {
  const app = await buildTestApp(t);
  const alice = mintKey(app, 'write', 'alice');
  const bob = mintKey(app, 'admin', 'bob');

  // The seed's records come first, each created by "seed" (test/seed-changes.test.ts checks them all).
  const seeded = await getJson(app, '/v1/changes?limit=500');
  t.equal(seeded.response.statusCode, 200);
  t.ok(seeded.body.data.length > 0, 'the seed is in the feed');
  t.ok(seeded.body.data.every((c: Change) => c.actor === 'seed' && c.action === 'create'));
  t.equal(seeded.body.meta.hasMore, false);
  t.equal(seeded.body.meta.revision, await app.dataRevision.current());
  t.notOk(seeded.response.headers.link);
  const afterSeed: string = seeded.body.meta.nextCursor;

  // 30 writes by two keys over four kinds of records, deletions included.
  const expected: string[] = [];
  for (let i = 0; i < 10; i++) {
    const key = i % 2 === 0 ? alice : bob;
    const created = await send(app, 'POST', '/v1/recommendations', {
      key,
      body: { reviewId: 'KGZ-3', paragraph: `200.${i}`, text: `Recommendation ${i}.`, verbatim: false, recommendingStates: ['FIN'] },
    });
    expected.push(`create recommendations ${created.body.id}`);
    await send(app, 'PATCH', `/v1/recommendations/${created.body.id}`, { key, body: { text: `Changed ${i}.` }, headers: { 'if-match': '*' } });
    expected.push(`update recommendations ${created.body.id}`);
    if (i % 3 === 0) {
      await send(app, 'DELETE', `/v1/recommendations/${created.body.id}`, { key, headers: { 'if-match': '*' } });
      expected.push(`delete recommendations ${created.body.id}`);
    } else {
      await send(app, 'PUT', `/v1/developments/kgz-2020-anti-ngo-bill/recommendations/${created.body.id}`, { key });
      expected.push('update developments kgz-2020-anti-ngo-bill');
    }
  }
  await send(app, 'PATCH', '/v1/states/KGZ', { key: bob, body: { aliases: ['Kirghizia'] }, headers: { 'if-match': '*' } });
  expected.push('update states KGZ');
  t.equal(expected.length, 31);

  const seen: Change[] = [];
  let since = afterSeed;
  let pages = 0;
  for (;;) {
    const { response, body } = await getJson(app, `/v1/changes?limit=7&since=${since}`);
    t.equal(response.statusCode, 200);
    seen.push(...body.data);
    pages++;
    t.type(body.meta.nextCursor, 'string', 'there is always a cursor to resume from');
    since = body.meta.nextCursor;
    if (!body.meta.hasMore) {
      t.notOk(response.headers.link);
      break;
    }
    t.match(response.headers.link, /^<\/v1\/changes\?limit=7&since=[^>]+>; rel="next"$/);
  }
  t.equal(pages, 5);
  t.same(seen.map((c) => `${c.action} ${c.entity} ${c.id}`), expected, 'every write, once, in order');
  t.same(
    seen.map((c) => c.seq),
    seen.map((c) => c.seq).sort((a, b) => a - b),
    'by increasing seq',
  );
  // One format on both backends (PostgreSQL stores them as text too: no microseconds, no +00:00).
  const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  t.same(seen.filter((c) => !INSTANT.test(c.at)), [], 'every `at` to the millisecond, in UTC with Z');
  t.same(seen.map((c) => c.at), seen.map((c) => c.at).sort(), '`at` never goes back as seq grows (since=<instant> relies on it)');
  const { body: development } = await getJson(app, '/v1/developments/kgz-2020-anti-ngo-bill');
  t.match(development, { createdAt: INSTANT, updatedAt: INSTANT }, "a record's createdAt and updatedAt in the same format");
  t.equal(new Set(seen.map((c) => c.revision)).size, 31, 'each write its own revision');
  t.same(seen.map((c) => c.actor).slice(0, 4), ['alice', 'alice', 'alice', 'bob']);
  t.equal(seen.at(-1)!.revision, await app.dataRevision.current());

  const quiet = await getJson(app, `/v1/changes?since=${since}`);
  t.same(quiet.body.data, [], 'nothing new since the last cursor');
  t.equal(quiet.body.meta.nextCursor, since, 'and the cursor stays');

  await send(app, 'DELETE', '/v1/developments/kgz-2020-anti-ngo-bill', { key: alice, headers: { 'if-match': '*' } });
  const next = await getJson(app, `/v1/changes?since=${since}`);
  t.same(next.body.data.map((c: Change) => `${c.action} ${c.id}`), ['delete kgz-2020-anti-ngo-bill'], 'a later poll gets the deletion');

  const onlyStates = await getJson(app, `/v1/changes?entity=states,developments&limit=500&since=${afterSeed}`);
  t.same(
    onlyStates.body.data.map((c: Change) => c.entity),
    [...Array(6).fill('developments'), 'states', 'developments'],
  );
  const filteredEnd = await getJson(app, `/v1/changes?entity=reviews&since=${since}`);
  t.same(filteredEnd.body.data, []);
  t.not(filteredEnd.body.meta.nextCursor, since, 'a filtered poll moves past the changes it skipped');
  t.same((await getJson(app, `/v1/changes?entity=reviews&since=${filteredEnd.body.meta.nextCursor}`)).body.data, []);
  const afterSkip = await getJson(app, `/v1/changes?since=${filteredEnd.body.meta.nextCursor}`);
  t.same(afterSkip.body.data, [], 'the skipped position is the end of the log');

  const middle = seen[15]!;
  const byTime = await getJson(app, `/v1/changes?since=${encodeURIComponent(middle.at)}&limit=500`);
  t.ok(byTime.body.data.length >= 32 - 15 - 1, 'an instant starts at the changes made at or after it');
  t.ok(byTime.body.data.every((c: Change) => c.at >= middle.at));
  t.equal(byTime.body.data[0].at >= middle.at, true);
  const future = await getJson(app, '/v1/changes?since=2999-01-01T00:00:00%2B01:00');
  t.same(future.body.data, []);
  // Past the years a stored timestamp can hold (UTC: 10000-01-01T01:00Z, "+010000-…" in JavaScript).
  t.same((await getJson(app, '/v1/changes?since=9999-12-31T20:00:00-05:00')).body.data, [], 'an instant after year 9999, UTC: nothing');
  const before = await getJson(app, '/v1/changes?since=0000-01-01T00:00:00%2B01:00&limit=1');
  t.equal(before.body.data[0].seq, seeded.body.data[0].seq, 'one before year 0, UTC: everything');
  const past = await getJson(app, '/v1/changes?since=2000-01-01T00:00:00Z&limit=1');
  t.equal(past.body.data[0].seq, seeded.body.data[0].seq);

  const day = middle.at.slice(0, 10);
  t.same(
    (await getJson(app, `/v1/changes?since=${day}&limit=500`)).body,
    (await getJson(app, `/v1/changes?since=${day}T00:00:00Z&limit=500`)).body,
    'a day (YYYY-MM-DD) starts at its first instant, UTC, as updatedSince does',
  );

  for (const bad of ['garbage', 'eyJzIjoieCIsImsiOlsxXX0', '2020-13-45T00:00:00Z', '2020-02-30', '2020-1-1']) {
    const { response, body } = await getJson(app, `/v1/changes?since=${bad}`);
    t.equal(response.statusCode, 400, bad);
    t.same(body.errors.map((e: { name: string }) => e.name), ['since']);
  }
  t.equal((await getJson(app, '/v1/changes?entity=widgets')).response.statusCode, 400);
  t.equal((await getJson(app, '/v1/changes?cursor=x')).response.statusCode, 400, 'the feed takes since, not cursor');
});

t.test('record history: paginated, for live, deleted and seeded records', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  for (let i = 0; i < 5; i++) {
    await send(app, 'PATCH', '/v1/statements/KGZ-3-HRW-adoption', { key, body: { summary: `Summary ${i}.` }, headers: { 'if-match': '*' } });
  }
  const first = await getJson(app, '/v1/statements/KGZ-3-HRW-adoption/history?limit=2');
  t.equal(first.body.meta.total, 6, "the seed's creation, then the five updates");
  t.equal(first.body.data.length, 2);
  t.match(first.body.data[0], { action: 'create', actor: 'seed', changes: { version: { before: null, after: 1 } } }, 'oldest first');
  t.same(first.body.data[1].changes.version, { before: 1, after: 2 });
  const second = await getJson(app, first.response.headers.link!.toString().match(/^<([^>]+)>/)![1]!);
  t.same(second.body.data.map((c: Change) => c.action), ['update', 'update']);
  t.same(second.body.data[0].changes.summary, { before: 'Summary 0.', after: 'Summary 1.' });
  const third = await getJson(app, `/v1/statements/KGZ-3-HRW-adoption/history?limit=2&cursor=${second.body.meta.nextCursor}`);
  t.equal(third.body.data.length, 2);
  t.equal(third.body.meta.nextCursor, null);

  const review = (await getJson(app, '/v1/reviews/KGZ-3/history')).body;
  t.same(review.data.map((c: Change) => `${c.action} ${c.actor}`), ['create seed'], 'a seeded record has its creation');
  t.equal(review.meta.total, 1);
  t.equal((await getJson(app, '/v1/recommendations/never/history')).response.statusCode, 404);
  t.equal((await getJson(app, '/v1/developments/never/history')).response.statusCode, 404);
  t.equal((await getJson(app, '/v1/reviews/KGZ-3/history?cursor=nonsense')).response.statusCode, 400);
  t.equal((await getJson(app, '/v1/reviews/KGZ-3/history?colour=red')).response.statusCode, 400);
});

t.test('since an instant: every change written at or after it, whatever the order of the clocks that wrote them', async (t) => {
  // Instances of one PostgreSQL database each stamp `at` with their own clock: a change committed later can
  // carry an earlier instant than one before it. Two changes stamped as two clocks 10 ms apart would.
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'clocks');
  for (const title of ['A fast clock', 'A slow clock']) {
    const { response } = await send(app, 'PATCH', '/v1/developments/kgz-2016-hrc-askarov-decision', { key, body: { title }, headers: { 'if-match': '*' } });
    t.equal(response.statusCode, 200);
  }
  const [fast, slow] = ((await getJson(app, '/v1/changes?entity=developments&limit=500')).body.data as Change[]).slice(-2) as [Change, Change];
  const at = (ms: number) => new Date(Date.parse('2099-06-01T12:00:00.000Z') + ms).toISOString();
  const sql = testSql(app);
  await sql.run('update audit_log set at = ? where seq = ?', [at(5), fast.seq]);
  await sql.run('update audit_log set at = ? where seq = ?', [at(-5), slow.seq]);
  const since = await getJson(app, `/v1/changes?entity=developments&since=${at(0)}`);
  t.same(since.body.data.map((c: Change) => c.seq), [fast.seq, slow.seq], 'the change stamped after the instant, and the one committed after it');
  t.same((await getJson(app, `/v1/changes?entity=developments&since=${at(6)}`)).body.data, [], 'none at or after a later instant');
  if (testBackend() === 'sqlite') {
    // Those stamped at or after it are read by audit_log_at_idx: the primary key read in order walked every change
    // stamped before the instant (a recent one: the whole log, 37 ms a request at 1,000,000 changes).
    // As the statistics of a log of 1,000,000 changes say (a test's few hundred are read by any plan).
    app.db.$client.exec(`analyze; delete from sqlite_stat1 where tbl = 'audit_log';
      insert into sqlite_stat1 (tbl, idx, stat) values ('audit_log', 'audit_log_at_idx', '1000000 1 1'),
        ('audit_log', 'audit_log_entity_idx', '1000000 100000 1 1'); analyze sqlite_schema;`);
    const plan = app.db.$client.prepare(`explain query plan ${new SQLiteSyncDialect().sqlToQuery(SEQ_BEFORE(at(0))).sql}`).all(at(0));
    t.match(JSON.stringify(plan), /audit_log_at_idx/, 'the instant looked up by its index');
  }
});

t.test('the feed reads its page and meta.revision in one snapshot: a write committed in between is in neither', async (t) => {
  const app = await buildTestApp(t);
  const bump = `update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision'`;
  const side = postgresSide(app);
  let feed: Feed;
  let before: number;
  if (side === undefined) {
    // Another connection to the file commits a write right after the page is read.
    const other = new Database(app.db.$client.name);
    t.teardown(() => other.close());
    before = Number(other.prepare("select value from meta where key = 'revision'").pluck().get());
    let written = false;
    const db = new Proxy(app.db, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'all') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          const rows = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!written) other.exec(bump);
          written = true;
          return rows;
        };
      },
    });
    feed = await sqliteChangeStore(db).feed(0, undefined, 5);
    t.ok(written, 'a write came in between');
  } else {
    const writer = new pg.Pool({ connectionString: (side.pool as unknown as { options: { connectionString: string } }).options.connectionString, max: 1 });
    t.teardown(() => writer.end());
    before = Number((await side.pool.query("select value from meta where key = 'revision'")).rows[0].value);
    let written = false;
    const pool = {
      query: side.pool.query.bind(side.pool),
      connect: async () => {
        const client = await side.pool.connect();
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        (client as unknown as { query: unknown }).query = async (...args: unknown[]) => {
          const result = await query(...args);
          if (!written && JSON.stringify(args[0]).includes('from audit_log')) {
            written = true;
            await writer.query(bump.replace('as integer', 'as bigint'));
          }
          return result;
        };
        return client;
      },
    } as unknown as pg.Pool;
    feed = await pgChangeStore(pool).feed(0, undefined, 5);
    t.ok(written, 'a write came in between');
  }
  t.equal(feed.revision, before, 'meta.revision is the one the page was read at');
  t.ok(feed.changes.length > 0 && feed.resumeAt !== undefined, 'the page and when its last change was written');
});
