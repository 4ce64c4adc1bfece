import pg from 'pg';
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { copyDatabase } from '../src/db/copy/copy.js';
import { openDatabase } from '../src/db/open.js';
import { newKeyId, newKeySecret } from '../src/auth/keys.js';
import { warnOfConnectionLimit } from '../src/db/pg/connection-limit.js';
import { READ_REFUSED_DETAIL } from '../src/db/write-refused.js';
import { tempDir } from './helpers.js';
import { TERMAN_STYLE_CSV } from './import-helpers.js';
import { createDatabase, seededDatabase, startCluster } from './support/postgres.js';

// PostgreSQL as operators configure it (session 37, docs/reliability-probes.md): settings a role or a database
// carries (ALTER DATABASE/ROLE … SET) that the service's connections override (src/db/pg/session-settings.ts), and
// a database that refuses the service's writes (src/db/write-refused.ts). The settings are the database's here, as
// a role's would be: both are session defaults a start-up packet overrides.

t.setTimeout(300_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;
  /** A seeded database, a pool on it as its owner, and an admin key stored in it. */
  async function keyed(t: Test) {
    const url = await seededDatabase(clusterUrl);
    const side = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(() => side.end());
    const keyId = newKeyId();
    const { key, hash } = newKeySecret(keyId);
    await side.query('insert into api_keys (id, name, scope, hash, created_at) values ($1, $2, $3, $4, $5)', [keyId, 'roles', 'admin', hash, new Date().toISOString()]);
    return { url, side, key };
  }

  /** A seeded database with `settings` as its defaults, an admin key stored in it, and the service on it. */
  async function configured(t: Test, settings: Record<string, string>) {
    const { url, side, key } = await keyed(t);
    const name = new URL(url).pathname.slice(1);
    for (const [setting, value] of Object.entries(settings)) await side.query(`alter database ${name} set ${setting} = '${value}'`);
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: url, pgPoolMax: 4, logLevel: 'silent', maxEventLoopDelayMs: 0 });
    t.teardown(() => app.close());
    return { app, side, key };
  }

  const development = (id: string) => ({
    id,
    stateUnderReview: 'KGZ',
    reviewId: 'KGZ-3',
    title: 'A development written at once with others',
    summary: 'Each cites the same new source.',
    date: '2020-07-25',
    datePrecision: 'day',
    direction: 'setback',
    recommendationIds: ['KGZ-3-FIN-1'],
    sources: [{ title: 'A report', publisher: 'Example NGO', url: 'https://example.org/reports/shared', publishedOn: '2020-07-26' }],
  });

  t.test('repeatable read by default: concurrent writes are made as on the defaults', async (t) => {
    const { app, side, key } = await configured(t, { default_transaction_isolation: 'repeatable read' });
    // Each writer waits for the write lock; under repeatable read its snapshot was taken while it waited, and it
    // did not see the source the one before it had just stored (a 500: its URL inserted twice).
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.inject({ method: 'POST', url: '/v1/developments', headers: { authorization: `Bearer ${key}` }, payload: development(`settings-${i}`) }),
      ),
    );
    t.same(
      answers.map((response) => response.statusCode),
      Array(6).fill(201),
      answers.map((response) => response.body).join('\n'),
    );
    const { rows } = await side.query(`select count(distinct source_id)::int as sources, count(*)::int as n from development_sources where development_id like 'settings-%'`);
    t.same(rows[0], { sources: 1, n: 6 }, 'each cites the one source');
  });

  t.test('an idle-in-transaction timeout of 1 ms: the service starts, writes and imports as on the defaults', async (t) => {
    const { app, side, key } = await configured(t, { idle_in_transaction_session_timeout: '1ms' });
    const created = await app.inject({ method: 'POST', url: '/v1/developments', headers: { authorization: `Bearer ${key}` }, payload: development('idle') });
    t.equal(created.statusCode, 201, created.body);
    // An import's transaction stays open while it runs on its scratch copy: a role's 200 ms ended each (a 503 at every retry).
    const imported = await app.inject({
      method: 'POST',
      url: '/v1/imports?format=terman-csv',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      payload: Buffer.from(TERMAN_STYLE_CSV),
    });
    t.equal(imported.statusCode, 200, imported.body);
    t.equal((await side.query(`select count(*)::int as n from recommendations where review_id = 'KGZ-1'`)).rows[0].n, 3);
  });

  t.test('a database that refuses the service’s writes: reads are served, keyed ones too; a write is a 503 problem saying why, nothing written', async (t) => {
    const { app, side, key } = await configured(t, { default_transaction_read_only: 'on' });
    const before = (await side.query('select value from meta where key = $1', ['revision'])).rows[0].value;
    const read = await app.inject({ method: 'GET', url: '/v1/developments?limit=2', headers: { authorization: `Bearer ${key}` } });
    t.equal(read.statusCode, 200, 'a keyed read, whose key’s last use is not recorded');
    const write = await app.inject({ method: 'POST', url: '/v1/developments', headers: { authorization: `Bearer ${key}` }, payload: development('read-only') });
    t.equal(write.statusCode, 503, write.body);
    t.match(write.headers['content-type'], /^application\/problem\+json/);
    t.equal(write.headers['retry-after'], undefined, 'only an operator can change it');
    t.match(write.json(), { status: 503, detail: /refuses this service's writes \(it is read only, or the service's database role lacks the privilege\); nothing was changed/ });
    t.equal((await side.query(`select count(*)::int as n from developments where id = 'read-only'`)).rows[0].n, 0);
    t.equal((await side.query('select value from meta where key = $1', ['revision'])).rows[0].value, before);
  });

  t.test('a role granted SELECT only: the same; on a database to migrate, the start says who may', async (t) => {
    const { url, side, key } = await keyed(t);
    const role = `reader_${process.pid}`;
    await side.query(`create role ${role} login`);
    t.teardown(async () => {
      await side.query(`drop owned by ${role}`);
      await side.query(`drop role ${role}`);
    });
    await side.query(`grant select on all tables in schema public to ${role}`);
    const asReader = new URL(url);
    asReader.username = role;
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: asReader.href, logLevel: 'silent', maxEventLoopDelayMs: 0 });
    t.teardown(() => app.close());
    t.equal((await app.inject({ method: 'GET', url: '/v1/states?limit=2', headers: { authorization: `Bearer ${key}` } })).statusCode, 200);
    const write = await app.inject({ method: 'POST', url: '/v1/developments', headers: { authorization: `Bearer ${key}` }, payload: development('no-privilege') });
    t.equal(write.statusCode, 503, write.body);
    t.match(write.json(), { status: 503, detail: /refuses this service's writes/ });

    // A database still to migrate (new here; a new release's likewise): the start says who may migrate it.
    const unmigrated = new URL(await createDatabase(clusterUrl));
    unmigrated.username = role;
    await t.rejects(buildApp({ databasePath: ':memory:', databaseUrl: unmigrated.href, logLevel: 'silent', maxEventLoopDelayMs: 0 }), {
      message: /the database needs this release's migrations, and this role may not apply them \(permission denied for database \w+\): start this release once as the database's owner/,
    });
  });

  t.test('a role without SELECT on a table a read needs: a 503 problem saying the database refused the read, not a write', async (t) => {
    const { url, side, key } = await keyed(t);
    const role = `noselect_${process.pid}`;
    await side.query(`create role ${role} login`);
    t.teardown(async () => {
      await side.query(`drop owned by ${role}`);
      await side.query(`drop role ${role}`);
    });
    await side.query(`grant select, insert, update, delete on all tables in schema public to ${role}`);
    await side.query(`grant usage on all sequences in schema public to ${role}`);
    await side.query(`revoke select on audit_log from ${role}`); // the change feed's and histories' table; no start reads it
    const asRole = new URL(url);
    asRole.username = role;
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: asRole.href, logLevel: 'silent', maxEventLoopDelayMs: 0 });
    t.teardown(() => app.close());
    t.equal((await app.inject({ method: 'GET', url: '/v1/states?limit=2' })).statusCode, 200, 'what it may read is served');
    for (const [method, headers] of [['GET', {}], ['GET', { authorization: `Bearer ${key}` }], ['HEAD', {}]] as const) {
      const read = await app.inject({ method, url: '/v1/changes?limit=2', headers });
      t.equal(read.statusCode, 503, `${method} ${read.body}`);
      t.equal(read.headers['retry-after'], undefined, 'only an operator can change it');
      if (method === 'GET') {
        t.match(read.headers['content-type'], /^application\/problem\+json/);
        t.match(read.json(), { status: 503, detail: /^The database refuses this service's reads of what this request needs .*grant the role SELECT/ });
        t.notMatch(read.body, /write/);
      }
    }
    t.equal((await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-FIN-1/history' })).json().detail, READ_REFUSED_DETAIL);
  });

  t.test('a search_path without public stops the start, naming it; one with a schema named after the role first migrates into public', async (t) => {
    const url = new URL(await createDatabase(clusterUrl));
    const elsewhere = new URL(url);
    elsewhere.searchParams.set('options', '-c search_path=elsewhere');
    const options = { databasePath: ':memory:', logLevel: 'silent', maxEventLoopDelayMs: 0 } as const;
    await t.rejects(buildApp({ ...options, databaseUrl: elsewhere.href }), {
      message: /the service's tables are in the schema public, which this connection's search_path \(elsewhere\) leaves out/,
    });
    // The default path, "$user", public: the cluster's user has a schema of its name in this database.
    const side = new pg.Pool({ connectionString: url.href, max: 1 });
    t.teardown(() => side.end());
    await side.query(`create schema "${decodeURIComponent(url.username)}"`);
    const app = await buildApp({ ...options, databaseUrl: url.href });
    t.teardown(() => app.close());
    t.equal((await app.inject({ method: 'GET', url: '/v1/states?limit=1' })).statusCode, 200);
    const { rows } = await side.query(`select count(*)::int as n from pg_tables where tablename = 'recommendations' and schemaname = 'public'`);
    t.equal(rows[0].n, 1, 'the tables are in public');
  });

  t.test('PG_POOL_MAX past the connections the role may open: the start warns, naming both', async (t) => {
    const url = new URL(await seededDatabase(clusterUrl));
    const side = new pg.Pool({ connectionString: url.href, max: 1 });
    t.teardown(() => side.end());
    const role = `limited_${process.pid}`;
    await side.query(`create role ${role} login connection limit 3`);
    t.teardown(() => side.query(`drop role ${role}`));
    const warnings = async (as: string, poolMax: number) => {
      const asRole = new URL(url);
      asRole.username = as;
      const pool = new pg.Pool({ connectionString: asRole.href, max: 1 });
      const said: string[] = [];
      const returned = await warnOfConnectionLimit(pool, poolMax, { warn: (_fields, message) => said.push(message) });
      await pool.end();
      t.equal(returned, said[0]);
      return said;
    };
    t.match(await warnings(role, 10), [/^PG_POOL_MAX \(10\) is more than the connections PostgreSQL allows this service \(role: 3\): requests .* answered 503/]);
    t.same(await warnings(role, 3), [], 'a pool within the limit');
    t.same(await warnings(decodeURIComponent(url.username), 10), [], 'no limit but the server’s');
    t.match(await warnings(decodeURIComponent(url.username), 100_000), [/\(server: \d+\)/]);
  });

  t.test('a statement_timeout of 1 ms (the role’s or the database’s): db:copy copies both ways', async (t) => {
    const dir = tempDir(t);
    const seeded = join(dir, 'seeded.sqlite');
    openDatabase(seeded).$client.close();
    const url = await createDatabase(clusterUrl);
    const side = new pg.Pool({ connectionString: url, max: 1 });
    await side.query(`alter database ${new URL(url).pathname.slice(1)} set statement_timeout = '1ms'`);
    await side.end();
    const there = await copyDatabase({ kind: 'sqlite', path: seeded }, { kind: 'postgres', url });
    const back = await copyDatabase({ kind: 'postgres', url }, { kind: 'sqlite', path: join(dir, 'back.sqlite') });
    t.same(back, there, 'the same rows per table each way');
    t.ok(there.states! > 100);
  });
}
