import t from 'tap';
import { openPostgres } from '../src/db/pg/open.js';
import { createDatabase, startCluster } from './support/postgres.js';

// The service's pool keeps one connection while it is idle (src/db/pg/open.ts): node-postgres ends idle ones
// after its idle timeout (10 s), and the first request after every such quiet spell connected anew, to a backend
// whose caches were cold. The others still end. The idle timeout is shortened here (node-postgres reads it at
// each release) so that the test need not wait 10 s.

t.setTimeout(120_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const url = await createDatabase(cluster.url);

  t.test('an idle pool ends its connections but one, and the next query runs on that one', async (t) => {
    const { $client: pool } = await openPostgres(url, { poolMax: 3 });
    t.teardown(() => pool.end());
    const idleMs = 100;
    pool.options.idleTimeoutMillis = idleMs;
    let connected = 0;
    pool.on('connect', () => void (connected += 1));
    // Three at once: three connections.
    const busy = await Promise.all([1, 2, 3].map(() => pool.query<{ pid: number }>('select pg_backend_pid() as pid, pg_sleep(0.1)')));
    const pids = busy.map(({ rows }) => rows[0]!.pid);
    t.equal(new Set(pids).size, 3, 'three backends');
    // Every idle timer was set at a release, before the queries above answered; this one, of the same length and
    // set after them, fires after them (Node's timers of one duration fire in the order they were set): not a
    // guess at how long the pool takes, the moment its timers have all fired.
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    t.equal(pool.totalCount, 1, 'the others ended, one kept');
    const before = connected;
    const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
    t.ok(pids.includes(rows[0]!.pid), 'the next query runs on a backend that served before');
    t.equal(connected, before, 'without connecting anew');
  });
}
