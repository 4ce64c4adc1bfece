import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { BackupError, backupDatabase } from '../src/db/backup.js';
import { openDatabase } from '../src/db/open.js';
import { currentRevision } from '../src/db/revision.js';
import { HRW_SOURCE, mintKey, send, TS_NODE_ARGS } from './curation-helpers.js';
import { buildTestApp, getJson, sqliteOnly, tempDir } from './helpers.js';

sqliteOnly(t, 'reads or writes the SQLite database directly (app.db)');

const TABLES = [
  'states',
  'state_aliases',
  'sources',
  'reviews',
  'review_sources',
  'recommendations',
  'recommendation_states',
  'recommendation_themes',
  'developments',
  'development_recommendations',
  'development_sources',
  'assessments',
  'statements',
  'api_keys',
  'audit_log',
  'idempotency_keys',
  'meta',
];

t.test('a backup made while the service runs restores every row, writes included', async (t) => {
  const dir = tempDir(t);
  const databasePath = join(dir, 'live.sqlite');
  const app = await buildTestApp(t, { databasePath });
  const key = mintKey(app);
  const created = await send(app, 'POST', '/v1/developments', {
    key,
    headers: { 'idempotency-key': 'backup-test' },
    body: {
      stateUnderReview: 'KGZ',
      title: 'Backed up',
      summary: 'A development written before the backup.',
      date: '2021',
      datePrecision: 'year',
      direction: 'neutral',
      recommendationIds: ['KGZ-3-FIN-1'],
      sources: [HRW_SOURCE],
    },
  });
  t.equal(created.response.statusCode, 201);

  const target = join(dir, 'copies', 'backup.sqlite');
  await t.rejects(backupDatabase(databasePath, target), 'the target folder must exist');
  const copy = join(dir, 'backup.sqlite');
  const report = await backupDatabase(databasePath, copy);
  t.equal(report.target, copy);
  t.ok(report.pages > 0);
  t.equal(report.bytes % report.pages, 0);

  // Written after the backup: not in it.
  await send(app, 'DELETE', `/v1/developments/${created.body.id}`, { key, headers: { 'if-match': '*' } });

  const restored = openDatabase(copy, { seed: false });
  t.teardown(() => restored.$client.close());
  t.equal(restored.$client.pragma('integrity_check', { simple: true }), 'ok');
  t.equal(currentRevision(restored), currentRevision(app.db) - 1);
  const live = app.db.$client;
  for (const table of TABLES) {
    const rows = (db: typeof live) => db.prepare(`select * from ${table} order by 1, 2`).all();
    if (table === 'developments' || table === 'development_recommendations' || table === 'development_sources' || table === 'audit_log' || table === 'meta') {
      t.ok(rows(restored.$client).length >= 1, `${table} restored`);
    } else {
      t.same(rows(restored.$client), rows(live), `${table} restored as it is`);
    }
  }
  const restoredDevelopment = restored.$client.prepare('select title from developments where id = ?').get(created.body.id);
  t.same(restoredDevelopment, { title: 'Backed up' }, 'the write before the backup is in it');
  t.equal(live.prepare('select count(*) from developments where id = ?').pluck().get(created.body.id), 0);

  const restoredApp = await buildTestApp(t, { databasePath: copy });
  t.equal((await getJson(restoredApp, `/v1/developments/${created.body.id}`)).body.title, 'Backed up', 'the copy serves');
  t.same(
    (await getJson(restoredApp, `/v1/developments/${created.body.id}/history`)).body.data.map((c: { action: string }) => c.action),
    ['create'],
  );

  await t.rejects(backupDatabase(databasePath, copy), BackupError, 'an existing file is never overwritten');
  await t.rejects(backupDatabase(join(dir, 'missing.sqlite'), join(dir, 'x.sqlite')), /There is no database/);
  t.notOk(existsSync(join(dir, 'missing.sqlite')), 'and no empty database is created');
  writeFileSync(join(dir, 'garbage.sqlite'), 'SQLite format 3\0'.padEnd(4096, '\u0001'));
  await t.rejects(backupDatabase(join(dir, 'garbage.sqlite'), join(dir, 'garbage-copy.sqlite')), 'not a database');

  // A damaged page is copied as it is: the check of the copy catches it. (A page of a table's data: a damaged
  // schema page would stop the database from opening at all.)
  const damaged = join(dir, 'damaged.sqlite');
  const db = openDatabase(damaged);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  const page = db.$client
    .prepare("select pageno from dbstat where name = 'recommendations' and pagetype = 'leaf' limit 1")
    .pluck()
    .get() as number;
  db.$client.close();
  const fd = openSync(damaged, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, (page - 1) * 4096);
  closeSync(fd);
  await t.rejects(backupDatabase(damaged, join(dir, 'damaged-copy.sqlite')), {
    name: 'BackupError',
    message: /fails its integrity check/,
  });
});

t.test('npm run backup -- <file>', async (t) => {
  const dir = tempDir(t);
  const databasePath = join(dir, 'service.sqlite');
  openDatabase(databasePath).$client.close();
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/backup.ts', ...args], {
      env: { ...process.env, DATABASE_PATH: databasePath, ...env },
      encoding: 'utf8',
    });
  const made = run([join(dir, 'copy.sqlite')]);
  t.equal(made.status, 0, made.stderr);
  t.match(made.stdout, /Backed up .* integrity check ok/);
  const copy = openDatabase(join(dir, 'copy.sqlite'), { seed: false });
  t.equal(copy.$client.prepare('select count(*) from states').pluck().get(), 195);
  copy.$client.close();

  const again = run([join(dir, 'copy.sqlite')]);
  t.equal(again.status, 1);
  t.match(again.stderr, /exists already/);
  t.equal(run([]).status, 2);
  t.equal(run(['a', 'b']).status, 2);
  const badEnv = run([join(dir, 'other.sqlite')], { LOG_LEVEL: 'loud' });
  t.equal(badEnv.status, 1);
  t.match(badEnv.stderr, /LOG_LEVEL/);
});
