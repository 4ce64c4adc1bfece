import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import t from 'tap';
import { buildTestApp, unlessHanging } from './helpers.js';
import { seededDatabase, startCluster } from './support/postgres.js';

// A read whose client leaves is cancelled on PostgreSQL (src/db/pg/client-left.ts), over a real socket. The
// request's query is held on a lock the test takes (the table locked in access exclusive mode) with no read or
// lock timeout to end it; once its client has gone, PostgreSQL runs no query of the service's any more while
// the lock is still held, and the pool's one connection serves the next request.

t.setTimeout(120_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const url = await seededDatabase(cluster.url);
  const app = await buildTestApp(t, { databaseUrl: url, pgPoolMax: 1, pgReadTimeoutMs: 0, databaseBusyTimeoutMs: 60_000 });
  // Which requests the service has begun (their first hook has run): a test waits for one before it leaves.
  const arrived = new Set<string>();
  app.addHook('onRequest', async (request) => void arrived.add(request.url));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  t.teardown(() => watcher.end());

  /** The service's backends running a query, but for `except` (the test's own). */
  const running = async (except: number[]) =>
    (
      await watcher.query<{ pid: number; wait: string | null }>(
        `select pid, wait_event_type as wait from pg_stat_activity
         where datname = current_database() and state = 'active' and pid <> pg_backend_pid() and pid <> all($1)`,
        [except],
      )
    ).rows;

  const until = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> =>
    unlessHanging(
      (async () => {
        for (;;) {
          const found = await check();
          if (found !== undefined) return found;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(),
      30_000,
      what,
    );

  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      http.get(base + path, { agent: false }, (response) => response.resume().on('end', () => resolve(response.statusCode!))).on('error', reject);
    });

  for (const path of ['/v1/stats/recommendations?groupBy=position,recommendingState&q=custody', '/v1/recommendations?format=csv', '/v1/recommendations?q=custody&limit=50']) {
    await t.test(`${path}: its query is cancelled when its client leaves`, async (t) => {
      const locker = new pg.Client({ connectionString: url });
      await locker.connect();
      t.teardown(() => locker.end());
      await locker.query('begin; lock table recommendations in access exclusive mode');
      const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

      const request = http.get(base + path, { agent: false });
      request.on('error', () => undefined);
      const waiting = await until('the request waiting for the lock', async () => (await running([lockerPid])).find((row) => row.wait === 'Lock'));
      request.destroy();

      // The lock is still held: nothing but a cancel ends the waiting query.
      t.same(await until('no query of the service running', async () => ((await running([lockerPid])).length === 0 ? [] : undefined)), []);
      t.notOk((await running([lockerPid])).some((row) => row.pid === waiting.pid), 'the abandoned query no longer runs');
      // The pool's one connection is free: another read is answered while the lock is held.
      t.equal(await get('/v1/states?limit=5'), 200);
      await locker.query('commit');
      t.equal(await get(path), 200, 'answered once the lock is gone');
    });
  }

  await t.test('a request that left while it waited for a connection sends no query', async (t) => {
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    t.teardown(() => locker.end());
    await locker.query('begin; lock table recommendations in access exclusive mode');
    const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

    // The first holds the pool's one connection, waiting for the lock; the second waits for that connection.
    const holding = http.get(`${base}/v1/recommendations?q=detention&limit=5`, { agent: false }).on('error', () => undefined);
    await until('the first request waiting for the lock', async () => (await running([lockerPid])).find((row) => row.wait === 'Lock'));
    const queued = http.get(`${base}/v1/states?limit=3`, { agent: false }).on('error', () => undefined);
    await until('the second request begun', async () => (arrived.has('/v1/states?limit=3') ? true : undefined));
    queued.destroy();
    holding.destroy();

    // The first's connection is closed with its query; the second gets a new one and sends nothing on it.
    const service = async () =>
      (
        await watcher.query<{ state: string; query: string }>(
          `select state, query from pg_stat_activity where datname = current_database() and backend_type = 'client backend'
           and pid <> pg_backend_pid() and pid <> $1`,
          [lockerPid],
        )
      ).rows;
    const [connection] = await until('one idle connection in the pool', async () => {
      const rows = await service();
      return rows.length === 1 && rows[0]!.state === 'idle' ? rows : undefined;
    });
    t.equal(connection!.query, '', 'no query was sent on it');
    await locker.query('commit');
  });
}
