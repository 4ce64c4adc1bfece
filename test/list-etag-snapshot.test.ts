import Database from 'better-sqlite3';
import pg from 'pg';
import t, { type Test } from 'tap';
import type { RevisionSource } from '../src/db/revision.js';
import { buildTestApp, postgresSide } from './helpers.js';
import { openExportSnapshots } from './support/pgconv-d-exports.js';

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
  '/v1/stats/recommendations?groupBy=position', // stats and a summary, each read in a snapshot of its own
  '/v1/stats/developments?groupBy=year&format=csv',
  '/v1/reviews/KGZ-3/summary',
  '/v1/themes', // a vocabulary and a recommendation's related ones, in a snapshot of their own too
  '/v1/sdgs',
  '/v1/affected-persons',
  '/v1/recommendations/KGZ-3-ESP-1/related',
];

/** Commits a write right after the revision source answers its first stamp of a request, while `armed()`. */
async function writeAfterStamp(t: Test, app: Awaited<ReturnType<typeof buildTestApp>>) {
  const side = postgresSide(app);
  let write: () => Promise<void> | void;
  if (side === undefined) {
    const other = new Database(app.db.$client.name);
    t.teardown(() => other.close());
    write = () => void other.exec(BUMP);
  } else {
    const writer = new pg.Pool({ connectionString: (side.pool as unknown as { options: { connectionString: string } }).options.connectionString, max: 1 });
    t.teardown(() => writer.end());
    write = async () => void (await writer.query(BUMP.replace('as integer', 'as bigint')));
  }
  // The revision source answers, for the whole request, the stamp it read before the write it then commits.
  const revision = app.dataRevision as RevisionSource;
  const stamp = revision.stamp.bind(revision);
  const race = { armed: false, before: undefined as string | undefined };
  revision.stamp = () => {
    if (!race.armed) return stamp();
    if (race.before !== undefined) return race.before;
    const read = stamp();
    const writeAfter = (at: string) => {
      race.before = at;
      const written = write();
      return written instanceof Promise ? written.then(() => at) : at;
    };
    return typeof read === 'string' ? writeAfter(read) : read.then(writeAfter);
  };
  t.teardown(() => void (revision.stamp = stamp));
  return {
    async inject(request: { url: string; headers?: Record<string, string> }) {
      race.armed = true;
      race.before = undefined;
      const raced = await app.inject({ method: 'GET', ...request });
      race.armed = false;
      t.ok(race.before !== undefined, `${request.url}: a write came in between`);
      // SQLite's revision source looks for another connection's writes once per turn of the event loop
      // (src/http/cache.ts RevisionTracker); injected requests may all run in one.
      await new Promise((resolve) => setImmediate(resolve));
      return raced;
    },
  };
}

t.test('a write committed after the ETag was made and before the page was read: the ETag names the page\'s revision', async (t) => {
  const app = await buildTestApp(t);
  const race = await writeAfterStamp(t, app);
  for (const url of URLS) {
    const raced = await race.inject({ url });
    t.equal(raced.statusCode, 200, url);
    const after = await app.inject({ method: 'GET', url });
    t.equal(after.body, raced.body, `${url}: the same page, no write since`);
    t.equal(raced.headers.etag, after.headers.etag, `${url}: the same ETag: the one of the revision the page holds`);
    const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': String(raced.headers.etag) } });
    t.equal(revalidated.statusCode, 304, `${url}: its ETag revalidates`);
  }
});

t.test('If-Match held for the revision before the write, not for the page read after it: a 412 (RFC 9110 §13.1.1)', async (t) => {
  const app = await buildTestApp(t);
  const race = await writeAfterStamp(t, app);
  for (const url of URLS) {
    const held = String((await app.inject({ method: 'GET', url })).headers.etag);
    // no-cache: the page held is in the response cache, which would answer it, at the revision read first.
    const raced = await race.inject({ url, headers: { 'if-match': held, 'cache-control': 'no-cache' } });
    t.equal(raced.statusCode, 412, `${url}: the page read is of a revision the tag does not name`);
    t.equal(raced.headers['content-type'], 'application/problem+json; charset=utf-8', url);
    t.equal(raced.headers.etag, undefined, `${url}: no ETag on the problem`);
    // * holds for whatever page is read.
    const current = String((await app.inject({ method: 'GET', url })).headers.etag);
    t.not(current, held, `${url}: the write made a new revision`);
    t.equal((await race.inject({ url, headers: { 'if-match': '*', 'cache-control': 'no-cache' } })).statusCode, 200, `${url}: * holds for any page`);
  }
});

t.test("a streamed export under If-Match is checked against its snapshot's revision, opened before the headers", async (t) => {
  const app = await buildTestApp(t);
  const race = await writeAfterStamp(t, app);
  for (const url of ['/v1/reviews?format=csv', '/v1/recommendations?format=ndjson']) {
    const held = String((await app.inject({ method: 'GET', url })).headers.etag);
    t.equal((await app.inject({ method: 'GET', url, headers: { 'if-match': held } })).statusCode, 200, `${url}: its current tag holds`);
    // The write lands after the hook read the revision and before the export's snapshot: the rows are a later revision's.
    const raced = await race.inject({ url, headers: { 'if-match': held } });
    t.equal(raced.statusCode, 412, `${url}: was a 200 with the rows of the revision after the write`);
    t.equal(raced.headers['content-type'], 'application/problem+json; charset=utf-8', url);
    t.notOk(raced.headers['content-disposition'], `${url}: no attachment`);
    t.equal(raced.headers.etag, undefined, `${url}: no ETag on the problem`);
    await until(async () => app.exportLimits.active === 0 && (await openExportSnapshots(app)) === 0);
    t.pass(`${url}: the 412 left no export slot or snapshot held`);
    const any = await race.inject({ url, headers: { 'if-match': '*' } });
    t.equal(any.statusCode, 200, `${url}: * holds for any snapshot`);
    t.ok(any.body.length > 0, `${url}: rows sent`);
    const after = await app.inject({ method: 'GET', url });
    t.equal(any.headers.etag, after.headers.etag, `${url}: labelled with the snapshot's revision (no write since)`);
    t.equal(any.body, after.body, url);
    const plain = await race.inject({ url });
    t.equal(plain.statusCode, 200, `${url}: without If-Match, as before`);
    t.ok(plain.body.length > 0, url);
  }
  t.equal(app.exportLimits.active, 0, 'no slot held');
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}
