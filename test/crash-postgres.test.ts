import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { tempDir } from './helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { compiledServerArgs, startServer, stopServer } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

// crash-safety.test.ts on PostgreSQL: the real server is killed with SIGKILL while concurrent writes through
// it are in flight; every write it acknowledged is there after a restart, whole (its record, stored document
// and audit entry), and the database is served again (its start checks that no document is missing or stale).
// On a cluster of its own with PostgreSQL's durable defaults (fsync and synchronous commit on), not the run's
// shared one, which turns them off to save CPU.

t.setTimeout(600_000);
const cluster = await startCluster(t, { durable: true });
const ROUNDS = 2;
const WRITERS = 4;

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  t.test(`SIGKILL during concurrent writes on PostgreSQL loses no acknowledged write (${ROUNDS} rounds)`, async (t) => {
    const sqlitePath = join(tempDir(t), 'seeded.sqlite');
    copyTemplateDatabase(sqlitePath);
    const url = await copiedDatabase(cluster.url, sqlitePath);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(() => pool.end());
    const { key } = await pgCreateApiKey(pool, 'crash-test', 'write');
    const acknowledged: { id: string; text: string }[] = [];

    for (let round = 1; round <= ROUNDS; round++) {
      // Compiled, as crash-safety.test.ts's killed servers are (a start from the sources costs seconds of CPU);
      // the restart below runs the sources, so that a start after a crash is in the coverage.
      const server = await startServer(sqlitePath, { DATABASE_URL: url }, await compiledServerArgs());
      let stop = false;
      const writer = async (w: number) => {
        for (let n = 0; !stop; n++) {
          const text = `Crash test recommendation ${round}.${w}.${n}: protect human rights defenders.`;
          try {
            const response = await fetch(`${server.baseUrl}/v1/recommendations`, {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body: JSON.stringify({ reviewId: 'KGZ-3', paragraph: `8${round}${w}.${n}`, text, verbatim: false, recommendingStates: ['FIN'] }),
            });
            if (response.status === 201) acknowledged.push({ id: ((await response.json()) as { id: string }).id, text });
            else if (response.status !== 429 && response.status !== 503) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
          } catch (error) {
            if (stop || server.child.signalCode !== null || server.child.exitCode !== null) return;
            const code = (error as { cause?: { code?: string } }).cause?.code;
            if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'ECONNREFUSED') return;
            throw error;
          }
        }
      };
      const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      // Killed once this round has had some writes acknowledged, while the others are in flight.
      const target = acknowledged.length + 2 * WRITERS;
      while (acknowledged.length < target) await new Promise((resolve) => setTimeout(resolve, 10));
      server.child.kill('SIGKILL');
      t.equal((await server.exited).signal, 'SIGKILL', `round ${round}: killed`);
      stop = true;
      await writing;
    }

    const server = await startServer(sqlitePath, { DATABASE_URL: url });
    t.teardown(() => stopServer(server));
    for (const { id, text } of acknowledged) {
      const response = await fetch(`${server.baseUrl}/v1/recommendations/${id}`);
      t.equal(response.status, 200, `${id} survived`);
      t.equal(((await response.json()) as { text: string }).text, text);
    }
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from audit_log where entity = 'recommendations' and action = 'create' and entity_id = any($1)`,
      [acknowledged.map((a) => a.id)],
    );
    t.equal(rows[0]!.n, acknowledged.length, 'each acknowledged write has its audit entry');
    const orphans = await pool.query<{ n: number }>(`select count(*)::int as n from recommendations r
      where r.id like 'KGZ-3-8%' and not exists (select 1 from audit_log a where a.entity_id = r.id)`);
    t.equal(orphans.rows[0]!.n, 0, 'no write is half there: every stored record has its audit entry');
  });
}
