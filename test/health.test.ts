import t from 'tap';
import { buildTestApp, getJson, sqliteOnly } from './helpers.js';

sqliteOnly(t, 'reads or writes the SQLite database directly (app.db)');

t.test('healthz and readyz', async (t) => {
  const app = await buildTestApp(t);
  const health = await getJson(app, '/healthz');
  t.equal(health.response.statusCode, 200);
  t.same(health.body, { status: 'ok' });

  const ready = await getJson(app, '/readyz');
  t.equal(ready.response.statusCode, 200);
  t.same(ready.body, { status: 'ok' });

  t.test('not ready when a migration is missing', async (t) => {
    const deleted = app.db.$client
      .prepare('delete from __drizzle_migrations where rowid = (select max(rowid) from __drizzle_migrations)')
      .run();
    t.equal(deleted.changes, 1);
    const { response, body } = await getJson(app, '/readyz');
    t.equal(response.statusCode, 503);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.match(body.detail, /of \d+ database migrations are applied/);
  });

  t.test('not ready when the database does not answer', async (t) => {
    app.db.$client.close();
    const { response, body } = await getJson(app, '/readyz');
    t.equal(response.statusCode, 503);
    t.equal(body.detail, 'The database does not answer.');
    const list = await getJson(app, '/v1/recommendations');
    t.equal(list.response.statusCode, 500, 'a failing database is a 500 problem, not a crash');
    t.match(list.response.headers['content-type'], /^application\/problem\+json/);
    t.notMatch(list.body.detail, /database connection is not open/, 'internals are logged, not shown');
  });
});
