import { execFileSync, spawnSync } from 'node:child_process';
import fs, { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import t from 'tap';
import { backupDatabase } from '../src/db/backup.js';
import { openDatabase } from '../src/db/open.js';
import { currentRevision } from '../src/db/revision.js';
import { HRW_SOURCE, mintKey, send, TS_NODE_ARGS } from './curation-helpers.js';
import { buildTestApp, getJson, postgresSide, sqliteOnly, tempDir, testBackend } from './helpers.js';
import { databaseEnv } from './import-helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

// `npm run backup` copies a SQLite database file (SQLite's backup API); on PostgreSQL, backups are the server's
// tools (README, "Backups on PostgreSQL"): the command says so, and pg_dump's copy made while the app runs serves.

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
  if (sqliteOnly(t, 'copies a SQLite file with SQLite’s backup API (pages, integrity_check, dbstat); the PostgreSQL equivalent is the pg_dump test below')) return;
  const dir = tempDir(t);
  const databasePath = join(dir, 'live.sqlite');
  const app = await buildTestApp(t, { databasePath });
  const key = mintKey(app);
  const created = await writeDevelopment(app, key);
  t.equal(created.response.statusCode, 201);

  const target = join(dir, 'copies', 'backup.sqlite');
  // Each failure says its kind, the commands' (--json): `file` for a target that cannot be written, else `failed`.
  await t.rejects(backupDatabase(databasePath, target), { name: 'BackupError', kind: 'file', message: `Cannot write ${target}: its folder does not exist.` });
  await t.rejects(backupDatabase(databasePath, join(databasePath, 'x.sqlite')), { kind: 'file', message: /: a part of its path is a file, not a folder\.$/ });
  const copy = join(dir, 'backup.sqlite');
  const report = await backupDatabase(databasePath, copy);
  t.equal(report.target, copy);
  t.same(readdirSync(dir).filter((name) => name.startsWith('backup.sqlite')), ['backup.sqlite'], 'one file: no -wal or -shm beside it');
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

  await t.rejects(backupDatabase(databasePath, copy), { name: 'BackupError', kind: 'file', message: /exists already/ }, 'an existing file is never overwritten');

  // Nothing at the backup's name until the copy is whole and checked: a copy cut short (Ctrl-C, a kill) left a file
  // there whose journal rolled it back to an empty database, which a restore then served as a new one, seeded.
  const watched = join(dir, 'watched.sqlite');
  let finished = false;
  let early = false;
  const watching = backupDatabase(databasePath, watched).finally(() => (finished = true));
  while (!finished) {
    early ||= existsSync(watched);
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.equal((await watching).pages, report.pages);
  t.notOk(early, "no file at the backup's name while the copy runs");
  const raced = join(dir, 'raced.sqlite');
  const racing = backupDatabase(databasePath, raced);
  writeFileSync(raced, 'made meanwhile');
  await t.rejects(racing, { name: 'BackupError', kind: 'file', message: /was made while the copy ran/ });
  t.equal(readFileSync(raced, 'utf8'), 'made meanwhile', 'a file made meanwhile is kept');
  await t.rejects(backupDatabase(join(dir, 'missing.sqlite'), join(dir, 'x.sqlite')), { kind: 'failed', message: /There is no database/ });
  t.notOk(existsSync(join(dir, 'missing.sqlite')), 'and no empty database is created');
  writeFileSync(join(dir, 'garbage.sqlite'), 'SQLite format 3\0'.padEnd(4096, '\u0001'));
  await t.rejects(backupDatabase(join(dir, 'garbage.sqlite'), join(dir, 'garbage-copy.sqlite')), {
    kind: 'failed',
    message: `${join(dir, 'garbage.sqlite')} is no database SQLite can read: file is not a database.`,
  });

  // A damaged page is copied as it is: the check of the copy catches it. (A page of a table's data: a damaged
  // schema page would stop the database from opening at all.)
  const damaged = join(dir, 'damaged.sqlite');
  copyTemplateDatabase(damaged); // migrated and seeded once for the suite
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
    kind: 'failed',
    message: /fails its integrity check/,
  });
  t.notOk(existsSync(join(dir, 'damaged-copy.sqlite')), 'a copy that fails its check is not left at the name');
  t.same(readdirSync(dir).filter((name) => name.includes('.partial-')), [], 'nor under its own');

  // Ctrl-C under `npm run backup` aborts the copy between two steps: nothing is left, at the name or beside it.
  const interrupt = new AbortController();
  interrupt.abort(new Error('Interrupted by SIGINT: no backup written.'));
  await t.rejects(backupDatabase(databasePath, join(dir, 'interrupted.sqlite'), interrupt.signal), /Interrupted by SIGINT/);
  t.notOk(existsSync(join(dir, 'interrupted.sqlite')), 'an interrupted copy is not left at the name');
  t.same(readdirSync(dir).filter((name) => name.includes('.partial-')), [], 'nor under its own');
});

const backupCommand = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/backup.ts', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

t.test("the backup's name is synced into its folder: the folder is fsynced after the rename", async (t) => {
  if (sqliteOnly(t, 'the command copies a SQLite file')) return;
  const dir = tempDir(t);
  const source = join(dir, 'service.sqlite');
  copyTemplateDatabase(source);
  const folder = join(dir, 'backups');
  mkdirSync(folder);
  // Every fsync of a folder, by its inode; the copy's folder must be among them, once its entry is there.
  const synced: { ino: number; entries: string[] }[] = [];
  const fsync = fs.fsyncSync;
  fs.fsyncSync = (fd: number) => {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) synced.push({ ino: stat.ino, entries: readdirSync(folder) });
    return fsync(fd);
  };
  syncBuiltinESMExports();
  t.teardown(() => {
    fs.fsyncSync = fsync;
    syncBuiltinESMExports();
  });
  await backupDatabase(source, join(folder, 'copy.sqlite'));
  const ino = fs.statSync(folder).ino;
  t.same(synced.filter((s) => s.ino === ino).map((s) => s.entries), [['copy.sqlite']], 'the folder synced once, holding the copy under its name');
});

t.test('npm run backup -- <file>', async (t) => {
  if (sqliteOnly(t, 'the command copies the SQLite file at DATABASE_PATH')) return;
  const dir = tempDir(t);
  const databasePath = join(dir, 'service.sqlite');
  copyTemplateDatabase(databasePath); // as openDatabase leaves a new file: migrated and seeded (once for the suite)
  const run = (args: string[], env: Record<string, string> = {}) => backupCommand(args, { DATABASE_PATH: databasePath, ...env });
  const made = run([join(dir, 'copy.sqlite')]);
  t.equal(made.status, 0, made.stderr);
  t.match(made.stdout, /Backed up .* integrity check ok/);
  const copy = openDatabase(join(dir, 'copy.sqlite'), { seed: false });
  t.equal(copy.$client.prepare('select count(*) from states').pluck().get(), 195);
  copy.$client.close();

  const again = run([join(dir, 'copy.sqlite')]);
  t.equal(again.status, 1);
  t.match(again.stderr, /exists already/);
  // Each wrong usage says what is wrong, then the usage (it printed the usage alone).
  t.match(run([]), { status: 2, stderr: /^Give the file to write the backup to\.\nUsage: / });
  t.match(run(['a', 'b']), { status: 2, stderr: /^Give one file, not 2: "a", "b"\.\nUsage: / });
  const help = run(['--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /^Usage: npm run backup -- <file>/);
  t.match(run(['--target=x.sqlite']), { status: 2, stderr: /^"--target=x\.sqlite" is an option, and this command takes none but --json: give a file \(\.\/--target=x\.sqlite for a file named so\)\./ }, 'an option is no file name');
  t.notOk(existsSync('--help') || existsSync('--target=x.sqlite'), 'and no file is made for it');
  const badEnv = run([join(dir, 'other.sqlite')], { LOG_LEVEL: 'loud' });
  t.equal(badEnv.status, 1);
  t.match(badEnv.stderr, /LOG_LEVEL/);
});

t.test('npm run backup -- <file> --json: one JSON document on stdout, the backup or why none was made', async (t) => {
  if (sqliteOnly(t, 'the command copies the SQLite file at DATABASE_PATH; its refusal on PostgreSQL is the next test')) return;
  const dir = tempDir(t);
  const databasePath = join(dir, 'service.sqlite');
  copyTemplateDatabase(databasePath);
  const run = (args: string[]) => {
    const result = backupCommand(args, { DATABASE_PATH: databasePath });
    t.equal(result.stdout.split('\n').length, 2, `one line on stdout: ${args.join(' ')}`);
    return { status: result.status, document: JSON.parse(result.stdout), stderr: result.stderr };
  };
  const target = join(dir, 'copy.sqlite');
  const made = run(['--json', target]);
  t.match(made, { status: 0, stderr: '' });
  const copy = new Database(target, { readonly: true });
  const pages = copy.pragma('page_count', { simple: true }) as number;
  const bytes = pages * (copy.pragma('page_size', { simple: true }) as number);
  copy.close();
  t.same(made.document, { database: databasePath, target, pages, bytes, integrity: 'ok' });

  const again = run([target, '--json']);
  t.same(again.document, { error: { kind: 'file', message: `${target} exists already; give a new file name.`, exitStatus: 1 } });
  const nowhere = join(dir, 'missing', 'copy.sqlite');
  t.match(run([nowhere, '--json']), { status: 1, document: { error: { kind: 'file', message: `Cannot write ${nowhere}: its folder does not exist.`, exitStatus: 1 } } });
  t.match(again, { status: 1, stderr: /exists already/ });
  t.match(run(['--json']), { status: 2, document: { error: { kind: 'usage', message: 'Give the file to write the backup to.', exitStatus: 2 } }, stderr: /\nUsage: / });
  t.match(run(['--json', '-x']), { status: 2, document: { error: { kind: 'usage', message: /^"-x" is an option/ } } });
});

t.test('with DATABASE_URL set, npm run backup copies no SQLite file left beside it and names pg_dump', async (t) => {
  const dir = tempDir(t);
  // A PostgreSQL deployment with an old SQLite database still at DATABASE_PATH (say, the one it was copied from).
  const stale = join(dir, 'stale.sqlite');
  copyTemplateDatabase(stale);
  const url = testBackend() === 'postgres' ? databaseEnv(await buildTestApp(t)).DATABASE_URL! : 'postgres://127.0.0.1:1/upr';
  const refused = backupCommand([join(dir, 'copy.sqlite')], { DATABASE_PATH: stale, DATABASE_URL: url });
  t.equal(refused.status, 1, refused.stdout);
  t.match(refused.stderr, /DATABASE_URL names a PostgreSQL database/);
  t.match(refused.stderr, /pg_dump --format=custom/);
  t.equal(refused.stdout, '', 'no backup is reported');
  const json = backupCommand([join(dir, 'copy.sqlite'), '--json'], { DATABASE_PATH: stale, DATABASE_URL: url });
  t.match(json, { status: 1, stderr: /DATABASE_URL names a PostgreSQL database/ });
  t.match(JSON.parse(json.stdout), { error: { kind: 'environment', message: /^DATABASE_URL names a PostgreSQL database.*pg_dump --format=custom/, exitStatus: 1 } }, 'with --json, the refusal on stdout');
  t.notOk(existsSync(join(dir, 'copy.sqlite')), 'and no copy is made');
});

/** The PostgreSQL client programs beside the server the tests run (scripts/pg-cluster.sh finds them the same way). */
function pgProgram(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  return join('/usr/lib/postgresql', versions.at(-1)!, 'bin', name);
}

t.test('on PostgreSQL, a pg_dump made while the service runs restores every write made before it', async (t) => {
  if (testBackend() !== 'postgres') {
    t.plan(0, 'PostgreSQL only: the SQLite backup is the first test');
    return;
  }
  const dir = tempDir(t);
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const created = await writeDevelopment(app, key);
  t.equal(created.response.statusCode, 201);
  const url = databaseEnv(app).DATABASE_URL!;
  const dump = join(dir, 'upr.dump');
  execFileSync(pgProgram('pg_dump'), ['--format=custom', `--file=${dump}`, url]);

  // Written after the backup: not in it.
  const deleted = await send(app, 'DELETE', `/v1/developments/${created.body.id}`, { key, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204);

  const restoredName = `restored_${process.pid}`;
  await postgresSide(app)!.pool.query(`create database ${restoredName} template template0`);
  const restoredUrl = url.replace(/\/[^/?]+(\?|$)/, `/${restoredName}$1`);
  execFileSync(pgProgram('pg_restore'), ['--clean', '--if-exists', `--dbname=${restoredUrl}`, dump]);
  const restoredApp = await buildTestApp(t, { databaseUrl: restoredUrl });
  t.equal((await getJson(restoredApp, `/v1/developments/${created.body.id}`)).body.title, 'Backed up', 'the copy serves the write before it');
  t.same(
    (await getJson(restoredApp, `/v1/developments/${created.body.id}/history`)).body.data.map((c: { action: string }) => c.action),
    ['create'],
  );
  t.equal((await getJson(app, `/v1/developments/${created.body.id}`)).response.statusCode, 404, 'the live database has the later delete');
  const restored = new pg.Client({ connectionString: restoredUrl });
  await restored.connect();
  t.teardown(() => restored.end());
  const live = postgresSide(app)!.pool;
  for (const table of TABLES) {
    const rows = async (db: pg.Client | pg.Pool) => (await db.query(`select * from ${table} order by 1, 2`)).rows;
    if (['developments', 'development_recommendations', 'development_sources', 'audit_log', 'meta'].includes(table)) {
      t.ok((await rows(restored)).length >= 1, `${table} restored`);
    } else {
      t.same(await rows(restored), await rows(live), `${table} restored as it is`);
    }
  }
});

t.test('a restore never brings back an ETag for other data: a client that saw a later page gets the restored one', async (t) => {
  // The revision number goes back with the data, and the writes after the restore number their revisions
  // again: the token each bump draws (src/db/revision.ts) keeps their ETags from matching the ones seen before.
  const dir = tempDir(t);
  const onPostgres = testBackend() === 'postgres';
  const databasePath = join(dir, 'live.sqlite');
  const app = await buildTestApp(t, onPostgres ? {} : { databasePath });
  const key = mintKey(app);
  const list = '/v1/developments?stateUnderReview=KGZ';
  const titles = (response: { json(): { data: { title: string }[] } }) => response.json().data.map((d) => d.title);
  const atBackup = await app.inject({ method: 'GET', url: list });
  // The change feed's position now: an instant past every change gives the position after the last one.
  const feedPosition = async (server: FastifyInstance) => (await getJson(server, '/v1/changes?since=9999-12-31')).body.meta.nextCursor as string;
  const cursorAtBackup = await feedPosition(app);
  // Backed up, then restored, as the README says: pg_dump and pg_restore into the live database (the running
  // instance answers from it), or `npm run backup` and a service started on the copy.
  let restore: () => Promise<FastifyInstance>;
  if (onPostgres) {
    const url = databaseEnv(app).DATABASE_URL!;
    const dump = join(dir, 'upr.dump');
    execFileSync(pgProgram('pg_dump'), ['--format=custom', `--file=${dump}`, url]);
    restore = async () => {
      execFileSync(pgProgram('pg_restore'), ['--clean', '--if-exists', `--dbname=${url}`, dump]);
      return app;
    };
  } else {
    const copy = join(dir, 'backup.sqlite');
    await backupDatabase(databasePath, copy);
    restore = () => buildTestApp(t, { databasePath: copy });
  }
  t.equal((await writeDevelopment(app, key, 'Written after the backup')).response.statusCode, 201);
  const afterBackup = await app.inject({ method: 'GET', url: list });
  t.not(afterBackup.headers.etag, atBackup.headers.etag);
  const revisionAfterBackup = await app.dataRevision.current();
  const seenAfterBackup = { 'if-none-match': afterBackup.headers.etag as string };
  const cursorAfterBackup = await feedPosition(app);

  const restored = await restore();
  const back = await restored.inject({ method: 'GET', url: list, headers: seenAfterBackup });
  t.equal(back.statusCode, 200, 'the ETag seen after the backup: the restored page');
  t.same(titles(back), titles(atBackup));
  const unchanged = await restored.inject({ method: 'GET', url: list, headers: { 'if-none-match': atBackup.headers.etag as string } });
  t.equal(unchanged.statusCode, 304, 'the ETag seen at the backup names the restored data');

  t.equal((await writeDevelopment(restored, key, 'Written after the restore')).response.statusCode, 201);
  t.equal(await restored.dataRevision.current(), revisionAfterBackup, 'the write after the restore has the number the one after the backup had');
  const again = await restored.inject({ method: 'GET', url: list, headers: seenAfterBackup });
  t.equal(again.statusCode, 200, 'yet the ETag seen after the backup does not match: the data differ');
  t.ok(titles(again).includes('Written after the restore') && !titles(again).includes('Written after the backup'));
  t.not(again.headers.etag, afterBackup.headers.etag);
  const current = await restored.inject({ method: 'GET', url: list, headers: { 'if-none-match': again.headers.etag as string } });
  t.equal(current.statusCode, 304, 'the current ETag revalidates');

  // A mirror that had read the feed past the backup: the change after the restore has the position the one
  // after the backup had, so its cursor would skip it (200, nothing new). It is told to copy again instead.
  const gone = await restored.inject({ method: 'GET', url: `/v1/changes?since=${cursorAfterBackup}` });
  t.equal(gone.statusCode, 410, gone.body.slice(0, 300));
  t.match(gone.headers['content-type'], /^application\/problem\+json/);
  t.match(gone.json().detail, /restored from a backup/);
  // One that had read up to the backup goes on: its cursor names a change the restored log holds.
  const onward = await getJson(restored, `/v1/changes?entity=developments&since=${cursorAtBackup}`);
  t.equal(onward.response.statusCode, 200);
  t.same(onward.body.data.map((change: { changes: { title?: { after: string } } }) => change.changes.title?.after), ['Written after the restore']);
  // A cursor of an earlier release (the position alone) is still read.
  const position = JSON.parse(Buffer.from(cursorAtBackup, 'base64url').toString()).k[0] as number;
  const old = Buffer.from(JSON.stringify({ s: 'seq', k: [position] })).toString('base64url');
  t.same((await getJson(restored, `/v1/changes?entity=developments&since=${old}`)).body.data.length, 1, 'an old cursor');
});

/** A development written through the API before a backup: the write the backup must hold. */
function writeDevelopment(app: FastifyInstance, key: string, title = 'Backed up') {
  return send(app, 'POST', '/v1/developments', {
    key,
    headers: { 'idempotency-key': `backup-test-${title.replace(/\W+/g, '-')}` },
    body: {
      stateUnderReview: 'KGZ',
      title,
      summary: 'A development written before the backup.',
      date: '2021',
      datePrecision: 'year',
      direction: 'neutral',
      recommendationIds: ['KGZ-3-FIN-1'],
      sources: [HRW_SOURCE],
    },
  });
}
