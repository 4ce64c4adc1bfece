import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { newKeyId, newKeySecret } from '../src/auth/keys.js';
import { runCopy } from '../src/db/copy/cli.js';
import { isReadTimeout } from '../src/db/pg/read-timeout.js';
import { isDatabaseUnreachable } from '../src/db/unreachable.js';
import { runImportCli } from '../src/import/cli.js';
import { runTagCli } from '../src/tagging/cli.js';
import { patchText } from './curation-helpers.js';
import { tempDir, unlessHanging } from './helpers.js';
import { seededDatabase, startCluster } from './support/postgres.js';
import { copyTemplateDatabase } from './support/template-db.js';

// PostgreSQL gone under a running service (a restart, a failover): requests meanwhile are a 503 problem with
// Retry-After, not a 500, and the service answers again once the database does, without a restart. The
// database is reached through a TCP relay this test closes and reopens on the same port, as a restart would.

t.setTimeout(300_000);
const cluster = await startCluster(t);

/**
 * A relay from a port of its own to PostgreSQL's: `close` refuses new connections and cuts the open ones;
 * `blackHole` cuts the open ones and accepts new ones that it never answers (a host that does not answer).
 */
async function relay(target: URL, port = 0): Promise<{ port: number; close: () => Promise<void>; blackHole: () => void }> {
  const sockets = new Set<Socket>();
  let answering = true;
  const server: Server = createServer((client) => {
    if (!answering) {
      sockets.add(client.on('error', () => undefined).on('close', () => sockets.delete(client)));
      return;
    }
    const upstream = new (client.constructor as typeof Socket)().connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    blackHole: () => {
      answering = false;
      for (const socket of sockets) socket.destroy();
    },
  };
}

t.test('a start against a host that accepts and never answers gives up after PG_CONNECT_TIMEOUT_MS, saying so', async (t) => {
  const silent = new Set<Socket>();
  const blackHole = createServer((socket) => void silent.add(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of silent) socket.destroy();
    blackHole.close();
  });
  const url = `postgres://upr@127.0.0.1:${(blackHole.address() as { port: number }).port}/upr`;
  const started = performance.now();
  const start = buildApp({ databasePath: ':memory:', databaseUrl: url, pgConnectTimeoutMs: 200, logLevel: 'silent', maxEventLoopDelayMs: 0 });
  await t.rejects(unlessHanging(start, 60_000, 'the start'), /^no connection within PG_CONNECT_TIMEOUT_MS \(200 ms\): the host did not answer as PostgreSQL$/);
  t.ok(silent.size > 0, 'the host was reached');
  t.comment(`gave up after ${Math.round(performance.now() - started)} ms`);
});

t.test('the commands against such a host give up after PG_CONNECT_TIMEOUT_MS too: nothing written, exit 1', async (t) => {
  const silent = new Set<Socket>();
  const blackHole = createServer((socket) => void silent.add(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of silent) socket.destroy();
    blackHole.close();
  });
  const env = { DATABASE_URL: `postgres://upr@127.0.0.1:${(blackHole.address() as { port: number }).port}/upr`, PG_CONNECT_TIMEOUT_MS: '200' };
  const io = () => {
    const said = { out: '', err: '' };
    return { said, io: { out: (text: string) => void (said.out += text), err: (text: string) => void (said.err += text) } };
  };
  const tag = io();
  t.equal(await unlessHanging(runTagCli(['--all'], env, tag.io), 60_000, 'npm run tag'), 1);
  t.match(tag.said.err, /^Not tagged: postgres:\/\/\S+: no connection within PG_CONNECT_TIMEOUT_MS \(200 ms\)\n$/);
  const imported = io();
  const file = join(tempDir(t), 'one.csv');
  writeFileSync(file, 'text,to,decision,From,year,notes\n"Ratify the Convention. (Spain);",kyrgyzstan,support,Spain,2010,\n');
  t.equal(await unlessHanging(runImportCli([file], env, imported.io), 60_000, 'npm run import'), 1);
  t.match(imported.said.err, /no connection within PG_CONNECT_TIMEOUT_MS \(200 ms\)/);
  // db:copy in both directions (from PostgreSQL it waited for good; to it, 10 s whatever the variable said).
  const sink = () => {
    const said = { text: '' };
    return { said, output: { write: (text: string) => (said.text += text) } };
  };
  const dir = tempDir(t);
  const source = join(dir, 'source.sqlite');
  copyTemplateDatabase(source);
  for (const [from, to] of [
    [env.DATABASE_URL, join(dir, 'copy.sqlite')],
    [source, env.DATABASE_URL],
  ] as const) {
    const out = sink();
    const err = sink();
    t.equal(await unlessHanging(runCopy(['--from', from, '--to', to], out.output, err.output, env), 60_000, 'npm run db:copy'), 1);
    t.match(err.said.text, /copy failed, nothing written: no connection within PG_CONNECT_TIMEOUT_MS \(200 ms\)/);
  }
  t.notOk(existsSync(join(dir, 'copy.sqlite')), 'no SQLite file is made');
});

t.test('what says the database could not be reached', async (t) => {
  const coded = (code: string) => Object.assign(new Error('x'), { code });
  for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '53300', '08006']) t.ok(isDatabaseUnreachable(coded(code)), code);
  t.ok(isDatabaseUnreachable(new Error('Connection terminated unexpectedly')));
  t.ok(isDatabaseUnreachable(new Error('timeout expired')), 'a connection given up after PG_CONNECT_TIMEOUT_MS');
  t.ok(isDatabaseUnreachable(new Error('Failed query: select 1', { cause: coded('ECONNREFUSED') })), "drizzle's wrapping");
  for (const error of [coded('23505'), coded('SQLITE_BUSY'), coded('55P03'), new Error('boom'), 'ECONNREFUSED', null]) {
    t.notOk(isDatabaseUnreachable(error), String((error as { code?: unknown } | null)?.code ?? error));
  }
});

t.test('what says a statement ran out of the read timeout (query_canceled)', async (t) => {
  const canceled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
  t.ok(isReadTimeout(canceled));
  t.ok(isReadTimeout(new Error('Failed query: select 1', { cause: canceled })), "drizzle's wrapping");
  for (const error of [Object.assign(new Error('x'), { code: '55P03' }), new Error('boom'), null]) t.notOk(isReadTimeout(error), String(error));
});

if ('skip' in cluster) {
  t.test('PostgreSQL restarted under a running service', (t) => {
    t.plan(0, cluster.skip);
    t.end();
  });
} else {
  t.test('PostgreSQL restarted under a running service: 503 with Retry-After meanwhile, then served again', async (t) => {
    const database = new URL(await seededDatabase(cluster.url));
    let open = await relay(database);
    const url = new URL(database);
    url.port = String(open.port);
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: url.href, pgPoolMax: 2, logLevel: 'silent', maxEventLoopDelayMs: 0 });
    t.teardown(async () => {
      await app.close();
      await open.close();
    });
    const list = (path: string) => app.inject({ method: 'GET', url: path });
    t.equal((await list('/v1/recommendations?limit=1')).statusCode, 200, 'served through the relay');

    await open.close();
    // Uncached paths: one that finds the pool's connection cut, then one that finds the port refusing.
    for (const path of ['/v1/recommendations?limit=2', '/v1/states?limit=2', '/v1/stats/recommendations?groupBy=position']) {
      const response = await list(path);
      t.equal(response.statusCode, 503, `${path}: ${response.body}`);
      t.match(response.headers['content-type'], /^application\/problem\+json/);
      t.equal(response.headers['retry-after'], '5');
      t.match(response.json(), { status: 503, detail: /cannot be reached/ });
    }

    open = await relay(database, open.port);
    t.equal((await list('/v1/recommendations?limit=3')).statusCode, 200, 'served again, without a restart');
  });

  t.test('PG_READ_TIMEOUT_MS: a read running longer is cancelled, a 503 with Retry-After; a write waiting as long is not', async (t) => {
    const url = await seededDatabase(cluster.url);
    const readTimeoutMs = 1_000;
    // The lock timeout well past the read timeout: what cancels the read is the read timeout.
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: url, pgReadTimeoutMs: readTimeoutMs, databaseBusyTimeoutMs: 60_000, logLevel: 'silent', maxEventLoopDelayMs: 0 });
    const side = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(async () => {
      await app.close();
      await side.end();
    });
    const keyId = newKeyId();
    const { key, hash } = newKeySecret(keyId);
    await side.query('insert into api_keys (id, name, scope, hash, created_at) values ($1, $2, $3, $4, $5)', [keyId, 'timeout', 'write', hash, new Date().toISOString()]);
    const recommendation = (await app.inject({ method: 'GET', url: '/v1/recommendations?limit=1' })).json().data[0].id as string;
    const { etag } = (await app.inject({ method: 'GET', url: `/v1/recommendations/${recommendation}` })).headers;
    const state = (await app.inject({ method: 'GET', url: '/v1/states?limit=1' })).json().data[0].id as string;

    // A read held up (here by a lock; in use by its own cost) past the timeout.
    const holder = await side.connect();
    t.teardown(() => holder.release(true));
    await holder.query('begin');
    await holder.query('lock table states, recommendations in access exclusive mode');
    // A list, and a record read in one snapshot (pgSnapshot).
    for (const path of ['/v1/states?limit=2', `/v1/states/${state}`]) {
      const response = await unlessHanging(app.inject({ method: 'GET', url: path }), 20_000, path);
      t.equal(response.statusCode, 503, `${path}: ${response.body}`);
      t.match(response.headers['content-type'], /^application\/problem\+json/);
      t.equal(response.headers['retry-after'], '10');
      t.match(response.json(), { status: 503, detail: /read timeout \(PG_READ_TIMEOUT_MS\)/ });
    }

    // A write waits for its locks as long as the lock timeout says, past the read timeout, and is done.
    let settled = false;
    const write = patchText(app, key, recommendation, etag, 'Ratify the Convention, after a wait.').finally(() => (settled = true));
    const waited = `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
      and now() - query_start > make_interval(secs => $1)`;
    while (!settled && (await side.query<{ n: number }>(waited, [(readTimeoutMs * 1.5) / 1000])).rows[0]!.n === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50)); // polled: the write has waited longer than the read timeout
    }
    await holder.query('commit');
    const { response } = await unlessHanging(write, 20_000, 'the write');
    t.equal(response.statusCode, 200, response.body);
    t.equal((await side.query('select text from recommendations where id = $1', [recommendation])).rows[0].text, 'Ratify the Convention, after a wait.');
  });

  t.test('PG_READ_TIMEOUT_MS does not cut the start: its checks of migrations, stale records and seeding wait as its writes do', async (t) => {
    const url = await seededDatabase(cluster.url);
    const readTimeoutMs = 300;
    const side = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(() => side.end());
    // What the start reads first (is it migrated? is anything stale? is it seeded?), held up past the read timeout: a start
    // beside another instance's migration or a slow cold count failed on the raw statement_timeout error.
    for (const table of ['public.__drizzle_migrations', 'recommendation_documents_stale', 'states']) {
      const holder = await side.connect();
      await holder.query(`begin; lock table ${table} in access exclusive mode`);
      let settled = false;
      const start = buildApp({ databasePath: ':memory:', databaseUrl: url, pgReadTimeoutMs: readTimeoutMs, databaseBusyTimeoutMs: 60_000, logLevel: 'silent', maxEventLoopDelayMs: 0 });
      const outcome = start.then(
        (app) => ({ app }),
        (error: Error) => ({ error }),
      );
      void outcome.finally(() => (settled = true));
      const waited = `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
        and now() - query_start > make_interval(secs => $1)`;
      while (!settled && (await side.query<{ n: number }>(waited, [(readTimeoutMs * 2) / 1000])).rows[0]!.n === 0) {
        await new Promise((resolve) => setTimeout(resolve, 50)); // polled: the start has waited past the read timeout
      }
      await holder.query('commit');
      holder.release();
      const started = await unlessHanging(outcome, 20_000, 'the start');
      if ('error' in started) {
        t.fail(`${table} held: the start failed: ${started.error.message}`);
        continue;
      }
      t.teardown(() => started.app.close());
      t.equal((await started.app.inject({ method: 'GET', url: '/v1/states?limit=1' })).statusCode, 200, `${table} held past the read timeout: started, and serves`);
    }
  });

  t.test('PostgreSQL not answering under a running service: each connection gives up after PG_CONNECT_TIMEOUT_MS, a 503', async (t) => {
    const database = new URL(await seededDatabase(cluster.url));
    const open = await relay(database);
    const url = new URL(database);
    url.port = String(open.port);
    // Not tiny: the start connects through the relay on a machine that may be busy (CI shares 2 cores).
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: url.href, pgPoolMax: 2, pgConnectTimeoutMs: 5_000, logLevel: 'silent', maxEventLoopDelayMs: 0 });
    t.teardown(async () => {
      await app.close();
      await open.close();
    });
    const list = (path: string) => app.inject({ method: 'GET', url: path });
    t.equal((await list('/v1/recommendations?limit=1')).statusCode, 200, 'served through the relay');

    open.blackHole();
    // More requests than the pool has connections: those after the first find no connection left to reuse.
    for (const path of ['/v1/recommendations?limit=2', '/v1/states?limit=2', '/v1/stats/recommendations?groupBy=position']) {
      const response = await unlessHanging(list(path), 60_000, path);
      t.equal(response.statusCode, 503, `${path}: ${response.body}`);
      t.match(response.headers['content-type'], /^application\/problem\+json/);
      t.equal(response.headers['retry-after'], '5');
      t.match(response.json(), { status: 503, detail: /cannot be reached/ });
    }
  });
}
