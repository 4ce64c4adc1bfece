import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { toTsQuery } from '../src/db/pg/fulltext.js';
import { STORED_CHUNK_ROWS } from '../src/http/export.js';
import { buildTestApp, tempDir } from './helpers.js';
import { askedAhead } from './support/both-backends.js';
import { recordExportEvents } from './support/export-events.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { startServer, stopServer } from './support/server-process.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// The recommendations read path on PostgreSQL (issue #12): the same generated database on SQLite and, copied
// by db:copy's functions, on PostgreSQL answers the same requests with the same bytes and ETags; every route
// of the API is served; the data revision is the database's, shared by every instance.

t.setTimeout(600_000);
const cluster = await startCluster(t);

/** More than one export chunk (STORED_CHUNK_ROWS), so the server-side cursor is fetched from more than once. */
const RECORDS = 1500;

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;
  const sqlitePath = join(tempDir(t), 'generated.sqlite');
  copyGeneratedDatabase(sqlitePath, RECORDS);
  const url = await copiedDatabase(clusterUrl, sqlitePath);
  const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
  const onPostgres = await buildTestApp(t, { databaseUrl: url });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  t.teardown(() => pool.end());

  // Filter values taken from the data, so that most of the requests below match something.
  const sqlite = new Database(sqlitePath, { readonly: true });
  const first = (query: string) => sqlite.prepare(query).pluck().get() as string | number;
  const theme = first('select theme_id from recommendation_themes group by 1 order by count(*) desc, 1 limit 1');
  const group = first('select group_id from recommendation_affected_persons group by 1 order by count(*) desc, 1 limit 1');
  const sdg = first('select goal from recommendation_sdgs group by 1 order by count(*) desc, 1 limit 1');
  const recommender = first('select state_code from recommendation_states group by 1 order by count(*) desc, 1 limit 1');
  const review = first('select review_id from recommendations group by 1 order by count(*) desc, 1 limit 1');
  const session = first('select wg_session from reviews where wg_session is not null group by 1 order by count(*) desc, 1 limit 1');
  const updated = first('select updated_at from recommendations order by updated_at limit 1 offset 700');
  const ids = sqlite.prepare('select id from recommendations order by id').pluck().all() as string[];
  sqlite.close();

  const filters = [
    '',
    `id=${ids[5]},${ids[900]},${ids[3]},no-such-id`,
    'stateUnderReview=KGZ',
    'stateUnderReview=Kyrgyzstan,kgz',
    `recommendingState=${recommender}`,
    'regionalGroup=WEOG,GRULAC',
    'cycle=3',
    `session=${session}`,
    `reviewId=${review}`,
    'position=supported,unknown',
    'position=noted',
    `theme=${theme}`,
    `theme=${theme}&labelSource=curated`,
    `sdg=${sdg}`,
    `affectedPersons=${group}`,
    'implementation=implemented,unknown',
    'actionCategory=unknown,3',
    'positionLabel=Supported',
    'year=2010,2019',
    'recurring=true',
    'recurring=false',
    'hasDevelopments=true',
    'hasDevelopments=false',
    `updatedSince=${encodeURIComponent(String(updated))}`,
    'q=torture',
    'q=rights&cycle=2,3',
    'q=%22human%20rights%22',
    'q=ratif*',
  ];
  const sorts = ['', 'sort=-paragraph', 'sort=updatedAt', 'sort=-updatedAt', 'sort=id', 'sort=-id'];

  async function both(path: string) {
    const [a, b] = await Promise.all([onSqlite.inject(path), onPostgres.inject(path)]);
    return { a, b };
  }

  t.test('every filter and sort: the same page, total, cursor and ETag on both backends', async (t) => {
    let matched = 0;
    const paths = filters.flatMap((filter) =>
      (filter.startsWith('q=') ? [...sorts.slice(3), 'sort=id&limit=7'] : sorts).map(
        (sort) => `/v1/recommendations?${[filter, sort, 'limit=20'].filter(Boolean).join('&')}`,
      ),
    );
    // The next paths asked while one is checked (reads: the answers do not depend on their order).
    for await (const [path, { a, b }] of askedAhead(paths, both)) {
      t.equal(b.statusCode, a.statusCode, `${path}: status`);
      t.equal(b.body, a.body, `${path}: body`);
      t.equal(b.headers.etag, a.headers.etag, `${path}: ETag`);
      t.equal(b.headers.link, a.headers.link, `${path}: Link`);
      if (a.statusCode === 200 && a.json().data.length > 0) matched += 1;
    }
    t.ok(matched >= 120, `most requests match records (${matched})`);
  });

  t.test('walking every page with its cursor gives every record once, in the same order', async (t) => {
    for (const sort of ['paragraph', '-updatedAt', '-id']) {
      const walk = async (app: FastifyInstance) => {
        const seen: string[] = [];
        for (let next: string | null = `/v1/recommendations?sort=${sort}&limit=200`; next !== null; ) {
          const response = await app.inject(next);
          const body = response.json() as { data: { id: string }[]; meta: { nextCursor: string | null } };
          seen.push(...body.data.map((r) => r.id));
          next = body.meta.nextCursor === null ? null : `/v1/recommendations?sort=${sort}&limit=200&cursor=${body.meta.nextCursor}`;
        }
        return seen;
      };
      const [a, b] = await Promise.all([walk(onSqlite), walk(onPostgres)]);
      t.equal(b.length, ids.length, `${sort}: every record`);
      t.same(b, a, `${sort}: the same order`);
    }
  });

  /** Every record of a list, page by page through its cursors. */
  async function walk(app: FastifyInstance, query: string, limit = 200): Promise<string[]> {
    const seen: string[] = [];
    for (let cursor = ''; ; ) {
      const body = (await app.inject(`/v1/recommendations?${query}&limit=${limit}${cursor}`)).json();
      seen.push(...body.data.map((r: { id: string }) => r.id));
      if (body.meta.nextCursor === null) return seen;
      cursor = `&cursor=${body.meta.nextCursor}`;
    }
  }

  t.test('full text: the same matches and totals; relevance orders by ts_rank, lower rank first', async (t) => {
    for (const q of ['torture', 'human%20rights', '%22freedom%20of%20expression%22', 'discrimin*']) {
      const [a, b] = await Promise.all([walk(onSqlite, `q=${q}`), walk(onPostgres, `q=${q}`)]);
      t.ok(a.length > 0, `${q} matches`);
      t.same([...b].sort(), [...a].sort(), `${q}: the same records`);
      const totals = await both(`/v1/recommendations?q=${q}&limit=1`);
      t.equal(totals.b.json().meta.total, totals.a.json().meta.total);
      // Relevance pages resume where they stopped: walking 5 at a time gives the 200-a-page order.
      t.same(await walk(onPostgres, `q=${q}`, 5), b, `${q}: small pages, the same order`);
      // The export in relevance order is the pages' order.
      const ndjson = (await onPostgres.inject(`/v1/recommendations?q=${q}&format=ndjson`)).body;
      t.same(ndjson.trimEnd().split('\n').map((line) => JSON.parse(line).id), b, `${q}: the export's order`);
    }
    t.equal(toTsQuery(`torture tort* "human rights" Torture`), `'tortur' & 'tort':* & ('human' <-> 'right')`, 'FTS5’s terms: stemmed');
    t.equal(toTsQuery(`it's a:b|c & !d`), `('it' <-> 's') & ('a' <-> 'b' <-> 'c') & 'd'`, 'operators typed are separators');
    for (const hostile of [`'%3A*%26%7C!()`, 'NEAR%20col%3A*%20torture', `%22'%22%20%5C%5C`]) {
      const { a, b } = await both(`/v1/recommendations?q=${hostile}&sort=id`);
      t.equal(b.statusCode, a.statusCode, `${hostile}: status`);
      t.equal(b.body, a.body, `${hostile}: the same answer`);
    }
    const tooMany = await both('/v1/recommendations?q=a%20b%20c%20d%20e%20f%20g%20h%20i');
    t.equal(tooMany.b.statusCode, 400);
    t.equal(tooMany.b.body, tooMany.a.body, 'the same limits, the same problem');
  });

  t.test('exports: the same bytes, streamed through a server-side cursor one chunk at a time', async (t) => {
    const events = recordExportEvents(t);
    for (const query of ['format=csv', 'format=ndjson', 'format=csv&bom=true&cycle=2', 'format=ndjson&q=rights&sort=-updatedAt', 'format=csv&limit=5', 'format=ndjson&limit=5&sort=-id']) {
      const { a, b } = await both(`/v1/recommendations?${query}`);
      t.equal(b.statusCode, 200, query);
      t.equal(b.headers['content-type'], a.headers['content-type']);
      t.equal(b.headers['content-disposition'], a.headers['content-disposition']);
      t.equal(b.headers.link, a.headers.link);
      t.equal(b.body, a.body, `${query}: the same bytes`);
    }
    const chunks = events.filter((e) => e.event === 'chunk');
    t.ok(chunks.every((e) => e.event === 'chunk' && e.rows <= STORED_CHUNK_ROWS), 'no chunk holds more than STORED_CHUNK_ROWS');
    const closes = events.filter((e) => e.event === 'close');
    t.ok(closes.length >= 8 && closes.every((e) => e.event === 'close' && e.complete), 'every export completes');
    const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`);
    t.equal(rows[0]!.n, 0, 'no export left its transaction open');
    const head = await onPostgres.inject({ method: 'HEAD', url: '/v1/recommendations?format=csv' });
    t.equal(head.statusCode, 200);
    t.equal(head.body, '');
  });

  t.test('an export abandoned by its client rolls back and releases its connection', async (t) => {
    const response = await onPostgres.inject({ url: '/v1/recommendations?format=ndjson', payloadAsStream: true });
    const stream = response.stream();
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and query like '%upr_export%' and state <> 'idle' and pid <> pg_backend_pid()`,
      );
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    t.pass('the cursor is gone');
  });

  t.test('an export whose connection dies ends the response early; the pool drops that connection and serves on', async (t) => {
    const url2 = await copiedDatabase(clusterUrl, sqlitePath);
    const app = await buildTestApp(t, { databaseUrl: url2 });
    const admin = new pg.Pool({ connectionString: url2, max: 2 });
    t.teardown(() => admin.end());
    const events = recordExportEvents(t);
    // Hold the documents locked, so that the export waits where it reads them; then end its connection.
    const locker = await admin.connect();
    await locker.query('begin');
    await locker.query('lock table recommendation_documents in access exclusive mode');
    const response = app.inject('/v1/recommendations?format=ndjson');
    for (;;) {
      const { rowCount } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query like 'declare upr_export%' and wait_event_type = 'Lock'
            and pid <> pg_backend_pid()`,
      );
      if (rowCount === 1) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await locker.query('rollback');
    locker.release();
    const cut = await response.catch((error: Error) => error);
    const body = cut instanceof Error ? '' : cut.body;
    t.comment(`the cut export: ${cut instanceof Error ? cut.message : `${cut.statusCode} ${JSON.stringify(body.slice(0, 200))}`}`);
    t.notOk(body.includes('"id":'), 'the export ends without its rows');
    t.match(events.at(-1), { event: 'close', complete: false });
    t.throws(() => app.db.$client, /the SQLite database was asked for \(\$client\) while serving from PostgreSQL/);
    const again = await app.inject('/v1/recommendations?format=ndjson&cycle=1');
    t.equal(again.body, (await onSqlite.inject('/v1/recommendations?format=ndjson&cycle=1')).body, 'the next export is whole');
    t.equal((await app.inject('/v1/recommendations?format=csv&cycle=2')).statusCode, 200);
  });

  t.test('one record: the same body and ETag, 304 on revalidation, 404 for none', async (t) => {
    for (const id of [ids[0]!, ids[700]!, 'KGZ-3-FIN-1', ids.at(-1)!]) {
      const { a, b } = await both(`/v1/recommendations/${id}`);
      t.equal(b.statusCode, 200);
      t.equal(b.body, a.body, `${id}: the same body`);
      t.equal(b.headers.etag, a.headers.etag);
      const again = await onPostgres.inject({ url: `/v1/recommendations/${id}`, headers: { 'if-none-match': b.headers.etag as string } });
      t.equal(again.statusCode, 304);
    }
    const { a, b } = await both('/v1/recommendations/NOPE-1');
    t.equal(b.statusCode, 404);
    t.equal(b.body, a.body);
  });

  t.test('every route of the API is served on PostgreSQL; include on an export is refused', async (t) => {
    const paths = (onPostgres.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
    let routes = 0;
    for (const [path, operations] of Object.entries(paths)) {
      for (const method of Object.keys(operations)) {
        const url = path.replace(/\{[^}]+\}/g, 'NOPE-1');
        // Not a Bearer key: ignored by reads, a 401 for writes (a wrong Bearer key would be a 401 for every route).
        const authorization = `Basic ${Buffer.from('user:nope').toString('base64')}`;
        const response = await onPostgres.inject({ method: method.toUpperCase() as 'GET', url, headers: { authorization } });
        t.ok(response.statusCode < 500, `${method.toUpperCase()} ${path}: ${response.statusCode}`);
        t.match(response.headers['content-type'], /json|csv/, `${method.toUpperCase()} ${path} answers`);
        routes += 1;
      }
    }
    t.ok(routes >= 50, `${routes} operations asked`);
    const exportWithInclude = await both('/v1/recommendations?include=assessments&format=csv');
    t.equal(exportWithInclude.b.statusCode, 400, 'an export with include is refused on both');
    t.equal(exportWithInclude.b.body, exportWithInclude.a.body);
    for (const path of ['/openapi.json', '/docs/', '/dashboard/', '/healthz', '/readyz']) {
      t.equal((await onPostgres.inject(path)).statusCode, 200, `${path} needs no port`);
    }
    t.equal((await onPostgres.inject({ method: 'OPTIONS', url: '/v1/states', headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } })).statusCode, 204);
    t.equal((await onPostgres.inject('/v1/nothing-here')).statusCode, 404);
  });

  t.test('state names resolve from PostgreSQL, and a renamed state is seen at the next revision', async (t) => {
    const unknown = await both('/v1/recommendations?stateUnderReview=Kyrgystan');
    t.equal(unknown.b.statusCode, 400);
    t.equal(unknown.b.body, unknown.a.body, 'the same suggestions');
    const url2 = await copiedDatabase(clusterUrl, sqlitePath);
    const app = await buildTestApp(t, { databaseUrl: url2 });
    t.equal((await app.inject('/v1/recommendations?stateUnderReview=Kirghizia')).statusCode, 400);
    const other = new pg.Pool({ connectionString: url2, max: 1 });
    t.teardown(() => other.end());
    await other.query(`insert into state_aliases (key, alias, state_code) values ('kirghizia', 'Kirghizia', 'KGZ')`);
    await other.query(`update meta set value = (cast(value as bigint) + 1)::text where key = 'revision'`);
    const known = await app.inject('/v1/recommendations?stateUnderReview=Kirghizia');
    t.equal(known.statusCode, 200);
    t.ok(known.json().data.every((r: { stateUnderReview: { id: string } }) => r.stateUnderReview.id === 'KGZ'));
  });

  t.test('two instances on one database: another instance\'s write is seen at once, with a new ETag, never from a stale cache', async (t) => {
    const url2 = await copiedDatabase(clusterUrl, sqlitePath);
    const one = await buildTestApp(t, { databaseUrl: url2 });
    const two = await buildTestApp(t, { databaseUrl: url2 });
    const path = '/v1/recommendations?stateUnderReview=KGZ&limit=3';
    const before = await two.inject(path);
    t.equal(before.statusCode, 200);
    t.equal((await two.inject({ url: path, headers: { 'if-none-match': before.headers.etag as string } })).statusCode, 304);
    const id = before.json().data[0].id as string;

    // The write instance one would make (PATCH is not ported yet): the record's document and the revision, in one transaction.
    const writer = new pg.Pool({ connectionString: url2, max: 1 });
    t.teardown(() => writer.end());
    const client = await writer.connect();
    await client.query('begin');
    await client.query(`update recommendation_documents set json = jsonb_set(json::jsonb, '{text}', '"Rewritten."')::text where recommendation_id = $1`, [id]);
    const { rows } = await client.query<{ value: string }>(
      `update meta set value = (cast(value as bigint) + 1)::text where key = 'revision' returning value`,
    );
    t.equal((await two.inject({ url: path, headers: { 'if-none-match': before.headers.etag as string } })).statusCode, 304, 'not before the commit');
    await client.query('commit');
    client.release();

    const after = await two.inject({ url: path, headers: { 'if-none-match': before.headers.etag as string } });
    t.equal(after.statusCode, 200, 'the old ETag no longer matches');
    t.not(after.headers.etag, before.headers.etag);
    t.match(after.headers.etag, new RegExp(`^"r${rows[0]!.value}-`), 'the ETag names the new revision');
    t.equal(after.json().data[0].text, 'Rewritten.', 'the cached page was not served');
    t.equal((await one.inject(path)).body, after.body, 'both instances answer the same');
  });

  t.test('a stored document listed stale is rebuilt at start', async (t) => {
    const url2 = await copiedDatabase(clusterUrl, sqlitePath);
    const other = new pg.Pool({ connectionString: url2, max: 1 });
    t.teardown(() => other.end());
    const document = 'select json from recommendation_documents where recommendation_id = $1';
    const before = (await other.query(document, [ids[0]])).rows;
    await other.query(`update recommendation_documents set json = '{}' where recommendation_id = $1`, [ids[0]]);
    await other.query(`insert into recommendation_documents_stale (recommendation_id) values ($1)`, [ids[0]]);
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: url2, logLevel: 'silent' });
    t.teardown(() => app.close());
    t.same((await other.query(document, [ids[0]])).rows, before, 'rebuilt as it was');
    t.equal((await other.query('select count(*)::int as n from recommendation_documents_stale')).rows[0].n, 0, 'nothing left stale');
  });

  t.test('the revision read per request: its cost', async (t) => {
    const { PgRevision } = await import('../src/db/pg/revision.js');
    const revision = new PgRevision(pool);
    const reads = 500;
    // stamp() is what ETags and the caches read (the revision and its token); current(), the number alone.
    for (const read of ['current', 'stamp'] as const) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < reads; i++) await revision[read]();
      const micros = Number(process.hrtime.bigint() - started) / 1000 / reads;
      t.comment(`PgRevision.${read}(): ${micros.toFixed(0)} µs per read (${reads} reads, one connection round trip each)`);
    }
    t.ok(Number.isInteger(await revision.current()));
    t.match(await revision.stamp(), /^\d+\.[0-9a-f]*$/);
  });

  t.test('the server with DATABASE_URL serves the recommendations, and a write asks for a key', async (t) => {
    // A password in the URL (the test cluster trusts its local connections, and ignores it): never in the log.
    const withPassword = url.replace('://upr@', '://upr:pg-secret-pw@');
    t.not(withPassword, url);
    const server = await startServer(join(tempDir(t), 'unused.sqlite'), { DATABASE_URL: withPassword, LOG_LEVEL: 'info' });
    t.teardown(() => stopServer(server));
    const response = await fetch(`${server.baseUrl}/v1/recommendations?limit=2`);
    t.equal(response.status, 200);
    t.equal(((await response.json()) as { meta: { total: number } }).meta.total, ids.length);
    t.equal((await fetch(`${server.baseUrl}/v1/imports`, { method: 'POST' })).status, 401);
    await stopServer(server);
    t.match(server.output(), /"databaseUrl":"postgres:\/\/upr:\*\*\*@127\.0\.0\.1:\d+\/[^"]+".*"msg":"configuration in effect: PostgreSQL, log level info"/);
    t.notOk(server.output().includes('pg-secret-pw'), 'the password is nowhere in the log');
  });
}
