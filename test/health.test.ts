import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getJson, postgresSide } from './helpers.js';
import { testSql } from './support/test-sql.js';

/** The app's database stops answering: its SQLite connection closed, or its PostgreSQL database gone away. */
async function cutOff(app: FastifyInstance): Promise<void> {
  const side = postgresSide(app);
  if (side === undefined) {
    app.db.$client.close();
    return;
  }
  // No new connection to it, and the app's open ones ended (waiting for each to be gone; the test's own
  // stays), from the cluster's maintenance database (a database cannot refuse connections to itself).
  const { pid } = (await testSql(app).get<{ pid: number }>('select pg_backend_pid() as pid'))!;
  const url = new URL(side.pool.options.connectionString!);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new (await import('pg')).default.Client({ connectionString: url.href });
  await admin.connect();
  try {
    await admin.query(`alter database "${name}" allow_connections false`);
    await admin.query('select pg_terminate_backend(pid, 60000) from pg_stat_activity where datname = $1 and pid <> $2', [name, pid]);
  } finally {
    await admin.end();
  }
}

t.test('healthz and readyz', async (t) => {
  const app = await buildTestApp(t, { pressureRetryAfterSeconds: 7 });
  const health = await getJson(app, '/healthz');
  t.equal(health.response.statusCode, 200);
  t.same(health.body, { status: 'ok' });

  const ready = await getJson(app, '/readyz');
  t.equal(ready.response.statusCode, 200);
  t.same(ready.body, { status: 'ok' });

  t.test('not ready when a migration is missing', async (t) => {
    const sql = testSql(app);
    const key = sql.backend === 'sqlite' ? 'rowid' : 'id';
    const deleted = await sql.run(`delete from __drizzle_migrations where ${key} = (select max(${key}) from __drizzle_migrations)`);
    t.equal(deleted, 1);
    const { response, body } = await getJson(app, '/readyz');
    t.equal(response.statusCode, 503);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.match(body.detail, /of \d+ database migrations are applied/);
    t.equal(response.headers['retry-after'], '7', 'Retry-After, as openapi.yaml declares on every 503 (PRESSURE_RETRY_AFTER_S)');
    t.equal(response.headers['access-control-allow-origin'], '*');
  });

  t.test('not ready when the database does not answer', async (t) => {
    await cutOff(app);
    const { response, body } = await getJson(app, '/readyz');
    t.equal(response.statusCode, 503);
    t.equal(body.detail, 'The database does not answer.');
    t.equal(response.headers['retry-after'], '7', 'Retry-After');
    const list = await getJson(app, '/v1/recommendations');
    t.equal(list.response.statusCode, 500, 'a failing database is a 500 problem, not a crash');
    t.match(list.response.headers['content-type'], /^application\/problem\+json/);
    t.notMatch(list.body.detail, /database connection is not open|not currently accepting connections|terminating connection/, 'internals are logged, not shown');
  });
});
