import Database from 'better-sqlite3';
import pg from 'pg';
import t from 'tap';
import type { RevisionSource } from '../src/db/revision.js';
import { buildTestApp, postgresSide } from './helpers.js';

// A list's ETag names the revision its page was read at. The query cache makes an ETag before the query runs (from
// the revision read then, for the 304 that runs none); a write committed between that read and the page's was in
// the page, under the ETag of the revision before it.

const BUMP = `update meta set value = cast(cast(value as integer) + 1 as text) where key = 'revision'`;

const URLS = [
  '/v1/reviews?limit=3', // rows read by the list's query (src/db/read-store.ts, src/db/pg/record-list.ts)
  '/v1/recommendations?limit=3', // stored documents
  '/v1/recommendations?limit=3&include=assessments',
  '/v1/reviews?limit=3&format=csv', // a page of an export
  '/v1/recommendations?limit=3&format=ndjson',
];

t.test('a write committed after the ETag was made and before the page was read: the ETag names the page\'s revision', async (t) => {
  const app = await buildTestApp(t);
  const side = postgresSide(app);
  let writeAfterStamp: (() => Promise<void> | void) | undefined;
  if (side === undefined) {
    const other = new Database(app.db.$client.name);
    t.teardown(() => other.close());
    writeAfterStamp = () => void other.exec(BUMP);
  } else {
    const writer = new pg.Pool({ connectionString: (side.pool as unknown as { options: { connectionString: string } }).options.connectionString, max: 1 });
    t.teardown(() => writer.end());
    writeAfterStamp = async () => void (await writer.query(BUMP.replace('as integer', 'as bigint')));
  }
  // The revision source answers, for the whole request, the stamp it read before the write it then commits.
  const revision = app.dataRevision as RevisionSource;
  const stamp = revision.stamp.bind(revision);
  let armed = false;
  let before: string | undefined;
  revision.stamp = () => {
    if (!armed) return stamp();
    if (before !== undefined) return before;
    const read = stamp();
    const write = (at: string) => {
      before = at;
      const written = writeAfterStamp!();
      return written instanceof Promise ? written.then(() => at) : at;
    };
    return typeof read === 'string' ? write(read) : read.then(write);
  };
  t.teardown(() => void (revision.stamp = stamp));

  for (const url of URLS) {
    armed = true;
    before = undefined;
    const raced = await app.inject({ method: 'GET', url });
    armed = false;
    t.ok(before !== undefined, `${url}: a write came in between`);
    t.equal(raced.statusCode, 200, url);
    // SQLite's revision source looks for another connection's writes once per turn of the event loop (src/http/cache.ts
    // RevisionTracker); injected requests may all run in one.
    await new Promise((resolve) => setImmediate(resolve));
    const after = await app.inject({ method: 'GET', url });
    t.equal(after.body, raced.body, `${url}: the same page, no write since`);
    t.equal(raced.headers.etag, after.headers.etag, `${url}: the same ETag: the one of the revision the page holds`);
    const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': String(raced.headers.etag) } });
    t.equal(revalidated.statusCode, 304, `${url}: its ETag revalidates`);
  }
});
