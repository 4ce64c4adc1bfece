import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { ConfigError, loadEnv } from '../src/config.js';
import { isDatabaseBusy } from '../src/db/busy.js';
import { count, HRW_SOURCE, mintKey, patchText, send } from './curation-helpers.js';
import { buildTestApp, getJson, sqliteOnly, tempDir } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

sqliteOnly(t, 'SQLite busy timeouts and locks');

// Another process holding the SQLite write lock (an `npm run import` on the command line, say): a write
// through the API waits DATABASE_BUSY_TIMEOUT_MS (asynchronously: src/db/write-gate.ts), then is answered 503
// with Retry-After, not 500, and leaves nothing behind; reads go on (WAL); once the lock is released the same
// write succeeds.

/** An app whose database another connection (as another process would) holds the write lock of. */
async function lockedByAnotherProcess(t: Test, busyTimeoutMs: number) {
  const databasePath = join(tempDir(t), 'busy.sqlite');
  copyTemplateDatabase(databasePath);
  const app = await buildTestApp(t, { databasePath, databaseBusyTimeoutMs: busyTimeoutMs });
  const key = mintKey(app);
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  const importer = new Database(databasePath);
  t.teardown(() => importer.close());
  importer.exec('begin immediate');
  return { app, key, before, importer };
}

t.test('a write that finds the database locked by another process is a 503 with Retry-After', async (t) => {
  const { app, key, before, importer } = await lockedByAnotherProcess(t, 20);
  const audited = count(app, 'audit_log');

  const write = await patchText(app, key, 'KGZ-3-FIN-1', before.response.headers.etag, 'Written while another process holds the lock.');
  t.equal(write.response.statusCode, 503);
  t.match(write.response.headers['content-type'], /^application\/problem\+json/);
  t.equal(write.response.headers['retry-after'], '5');
  t.equal(write.response.headers['access-control-allow-origin'], '*', 'CORS: a browser script may read the 503');
  t.match(write.response.headers['access-control-expose-headers'], /\bRetry-After\b/, 'and its Retry-After');
  t.match(write.body, { status: 503, title: 'Service Unavailable', detail: /busy with another write.*nothing was changed/ });

  const read = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(read.response.statusCode, 200, 'reads are served while another process writes');
  t.same(read.body, before.body, 'the refused write changed nothing');
  t.equal(count(app, 'audit_log'), audited, 'and audited nothing');

  const recommendations = count(app, 'recommendations');
  const created = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: {
      reviewId: 'KGZ-3',
      paragraph: '121.10',
      text: 'Guarantee the independence of the judiciary.',
      verbatim: true,
      recommendingStates: ['FIN'],
      sources: [HRW_SOURCE],
    },
  });
  t.equal(created.response.statusCode, 503, 'a create is refused the same way');
  t.equal(count(app, 'recommendations'), recommendations, 'and creates nothing');
  const tagged = await send(app, 'PUT', '/v1/recommendations/KGZ-3-GBR-1/themes/human-rights-defenders', { key });
  t.equal(tagged.response.statusCode, 503, 'a theme write too (its 503 is declared: test/openapi)');
  t.equal(tagged.response.headers['retry-after'], '5');

  importer.exec('rollback');
  const retried = await patchText(app, key, 'KGZ-3-FIN-1', before.response.headers.etag, 'Written while another process holds the lock.');
  t.equal(retried.response.statusCode, 200, 'the same write succeeds once the lock is released');
  t.equal(retried.body.text, 'Written while another process holds the lock.');
});

t.test('a write waiting for another process’s lock does not stall the service: reads are answered, then it is made', async (t) => {
  // A wait long enough that only the lock's release ends it (better-sqlite3's own busy handler would have held
  // this thread, the test's included, for all of it).
  const { app, key, before, importer } = await lockedByAnotherProcess(t, 60_000);
  let settled = false;
  const write = patchText(app, key, 'KGZ-3-FIN-1', before.response.headers.etag, 'Written once the other process let go.').finally(
    () => (settled = true),
  );
  while (app.writeGate!.waiting === 0) await once(app.writeGate!, 'change');
  const read = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(read.response.statusCode, 200, 'a read is answered while the write waits');
  t.same(read.body, before.body);
  t.equal((await getJson(app, '/v1/stats/recommendations?groupBy=position')).response.statusCode, 200);
  t.notOk(settled, 'the write still waits');

  importer.exec('rollback');
  const written = await write;
  t.equal(written.response.statusCode, 200, 'made once the lock is free');
  t.equal(written.body.text, 'Written once the other process let go.');
});

t.test('which database errors are a busy database', async (t) => {
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', '40001', '40P01', '55P03']) {
    t.ok(isDatabaseBusy(Object.assign(new Error('busy'), { code })), code);
  }
  for (const error of [new Error('no code'), Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT' }), null, 'text', { code: 23505 }]) {
    t.notOk(isDatabaseBusy(error), String((error as { code?: unknown } | null)?.code ?? error));
  }
});

t.test('DATABASE_BUSY_TIMEOUT_MS is bounded', async (t) => {
  t.equal(loadEnv({ DATABASE_BUSY_TIMEOUT_MS: '250' }).DATABASE_BUSY_TIMEOUT_MS, 250);
  t.throws(() => loadEnv({ DATABASE_BUSY_TIMEOUT_MS: '60001' }), ConfigError);
  t.throws(() => loadEnv({ DATABASE_BUSY_TIMEOUT_MS: '-1' }), ConfigError);
});
