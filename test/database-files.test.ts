import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { isDatabaseFileError } from '../src/db/database-files.js';
import { count, HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, sqliteOnly, tempDir } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

sqliteOnly(t, "the SQLite file under an operator's hands");

// The SQLite file (and its -wal and -shm) removed, moved, replaced or truncated under the running service: each
// write had been answered 201 into the open, unlinked file and lost at the next start, and /readyz answered 200.
// Now each write is refused (503, nothing written) and /readyz is a 503 that says why, until the file is back.

let n = 0;
const create = () => {
  n += 1;
  return {
    id: `kgz-2020-07-25-file-probe-${n}`,
    stateUnderReview: 'KGZ',
    title: `A probe of the database file (${n})`,
    summary: 'A development written while the database file is checked.',
    date: '2020-07-25',
    datePrecision: 'day',
    direction: 'setback',
    sources: [HRW_SOURCE],
  };
};

async function served(t: Test, path: string): Promise<{ app: FastifyInstance; key: string }> {
  const app = await buildTestApp(t, { databasePath: path });
  const key = mintKey(app);
  t.equal((await send(app, 'POST', '/v1/developments', { key, body: create() })).response.statusCode, 201, 'a write before');
  return { app, key };
}

/** A write refused and /readyz not ready, both saying `reason`; nothing written; /healthz and reads answered. */
async function refused(t: Test, app: FastifyInstance, key: string, reason: RegExp, readStatus = 200) {
  const before = count(app, 'developments');
  const write = await send(app, 'POST', '/v1/developments', { key, body: create() });
  t.equal(write.response.statusCode, 503, 'the write is refused');
  t.match(write.response.headers['content-type'], /^application\/problem\+json/);
  t.notOk(write.response.headers['retry-after'], 'no Retry-After: an operator must mend it, as on PostgreSQL');
  t.match(write.body.detail, reason);
  t.match(write.body.detail, /no longer the one at DATABASE_PATH.*This write was refused: nothing was changed/);
  t.notMatch(write.body.detail, /\//, 'no path of the host in the answer');
  t.equal(count(app, 'developments'), before, 'nothing written');
  const ready = await getJson(app, '/readyz');
  t.equal(ready.response.statusCode, 503, '/readyz');
  t.match(ready.body.detail, reason);
  t.ok(ready.response.headers['retry-after']);
  t.equal((await getJson(app, '/healthz')).response.statusCode, 200, '/healthz: the process is alive');
  const read = await getJson(app, '/v1/developments?limit=1');
  t.equal(read.response.statusCode, readStatus, 'reads are answered');
  if (readStatus === 503) t.match(read.body.detail, /The database file cannot be read or written/);
}

async function ready(t: Test, app: FastifyInstance, key: string) {
  t.equal((await getJson(app, '/readyz')).response.statusCode, 200, '/readyz 200');
  t.equal((await send(app, 'POST', '/v1/developments', { key, body: create() })).response.statusCode, 201, 'a write is made');
}

t.test('the database file removed, then put back', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'upr.sqlite');
  copyTemplateDatabase(path);
  const { app, key } = await served(t, path);
  renameSync(path, join(dir, 'aside.sqlite'));
  await refused(t, app, key, /its database file was removed or moved \(ENOENT\)/);
  renameSync(join(dir, 'aside.sqlite'), path);
  await ready(t, app, key);
});

t.test('the database file replaced by another (a restored copy moved over it)', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'upr.sqlite');
  copyTemplateDatabase(path);
  copyTemplateDatabase(join(dir, 'restored.sqlite'));
  const { app, key } = await served(t, path);
  renameSync(join(dir, 'restored.sqlite'), path);
  await refused(t, app, key, /its database file was replaced by another file/);
});

// An export's snapshot opens DATABASE_PATH anew: it read the copy moved over the file with the service's -wal
// (its writes over another database), and its closing dropped the service's locks on that -wal's -shm.
t.test('an export is refused while the file is replaced; a page of it is read from the file held open', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'upr.sqlite');
  copyTemplateDatabase(path);
  copyTemplateDatabase(join(dir, 'restored.sqlite'));
  const { app } = await served(t, path);
  renameSync(join(dir, 'restored.sqlite'), path);
  for (const url of ['/v1/developments?format=ndjson', '/v1/recommendations?format=csv']) {
    const exported = await app.inject({ method: 'GET', url });
    t.equal(exported.statusCode, 503, url);
    t.match(exported.headers['content-type'], /^application\/problem\+json/);
    t.notOk(exported.headers['retry-after']);
    t.match(exported.json().detail, /its database file was replaced by another file\. An export reads the file anew: it was refused\./);
  }
  const page = await app.inject({ method: 'GET', url: '/v1/developments?format=ndjson&limit=100' });
  t.equal(page.statusCode, 200, 'a page (limit) is read on the connection held open');
  t.equal(page.body.trim().split('\n').length, count(app, 'developments'));
});

t.test('the database file truncated', async (t) => {
  const path = join(tempDir(t), 'upr.sqlite');
  copyTemplateDatabase(path);
  const { app, key } = await served(t, path);
  truncateSync(path, 0);
  // The records the file held are gone from under the reads too: a 503 that says so (it was a 500).
  await refused(t, app, key, /its database file was truncated \(0 bytes\)/, 503);
});

for (const [suffix, what] of [
  ['-wal', 'write-ahead log \\(-wal\\)'],
  ['-shm', 'shared-memory index \\(-shm\\)'],
]) {
  t.test(`the ${suffix} removed`, async (t) => {
    const path = join(tempDir(t), 'upr.sqlite');
    copyTemplateDatabase(path);
    const { app, key } = await served(t, path);
    rmSync(`${path}${suffix}`);
    await refused(t, app, key, new RegExp(`its ${what} was removed or moved`));
  });
}

t.test('a symlink: its target is checked, and the -wal beside it', async (t) => {
  const dir = tempDir(t);
  copyTemplateDatabase(join(dir, 'real.sqlite'));
  copyTemplateDatabase(join(dir, 'other.sqlite'));
  const link = join(dir, 'link.sqlite');
  symlinkSync(join(dir, 'real.sqlite'), link);
  const { app, key } = await served(t, link);
  t.ok(statSync(join(dir, 'real.sqlite-wal')).isFile(), 'the -wal is beside the real file');
  await ready(t, app, key);
  rmSync(link);
  symlinkSync(join(dir, 'other.sqlite'), link);
  await refused(t, app, key, /its database file was replaced by another file/);
});

// The check must never open the file: closing any descriptor of it drops this process's POSIX locks, SQLite's
// included. Another process then took the database for its own: a `sqlite3` closing it deleted the -wal and -shm
// the service was writing to (a check that read the file's header did; every write after it was refused). A
// process that asks for the file exclusively stands for it here: it is refused while the service holds its lock.
t.test("another process cannot take the database from the service after the checks (they never open the file)", async (t) => {
  const path = join(tempDir(t), 'upr.sqlite');
  copyTemplateDatabase(path);
  const { app, key } = await served(t, path);
  const identity = (file: string) => `${statSync(file).dev}:${statSync(file).ino}`;
  const files = [`${path}-wal`, `${path}-shm`].map((file) => [file, identity(file)]);
  t.equal((await getJson(app, '/readyz')).response.statusCode, 200);
  const other =
    "const db = new (require('better-sqlite3'))(process.argv[1], { timeout: 0 }); db.pragma('locking_mode = exclusive');" +
    "try { db.prepare('select count(*) from states').get(); console.log('taken') } catch (e) { console.log(e.code) } db.close()";
  const answer = execFileSync(process.execPath, ['-e', other, path], { cwd: process.cwd(), encoding: 'utf8' });
  t.equal(answer.trim(), 'SQLITE_BUSY', 'the other process is refused the database');
  for (const [file, was] of files) t.equal(identity(file!), was, `${file} is still the one the service opened`);
  await ready(t, app, key);
});

t.test('a write SQLite refuses as read-only is a 503 problem, not a 500', async (t) => {
  const path = join(tempDir(t), 'upr.sqlite');
  copyTemplateDatabase(path);
  const { app, key } = await served(t, path);
  // (As root, file permissions are not enforced: query_only has SQLite answer as for a file made read-only.)
  app.db.$client.pragma('query_only = 1');
  const before = count(app, 'developments');
  const write = await send(app, 'POST', '/v1/developments', { key, body: create() });
  t.equal(write.response.statusCode, 503);
  t.match(write.response.headers['content-type'], /^application\/problem\+json/);
  t.notOk(write.response.headers['retry-after'], 'no Retry-After: an operator must mend it, as on PostgreSQL');
  t.match(write.body.detail, /cannot be read or written \(made read-only.*nothing was changed/);
  t.equal(count(app, 'developments'), before);
  app.db.$client.pragma('query_only = 0');
  await ready(t, app, key);
});

t.test('which errors are the file’s', async (t) => {
  for (const code of ['SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR_WRITE', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_PERM']) {
    t.ok(isDatabaseFileError(Object.assign(new Error(code), { code })), code);
  }
  t.ok(isDatabaseFileError(Object.assign(new Error('Failed query'), { cause: { code: 'SQLITE_READONLY' } })), 'wrapped by drizzle');
  for (const error of [new Error('no code'), { code: 'SQLITE_FULL' }, { code: 'SQLITE_BUSY' }, { code: 'ENOENT' }, null, 'text']) {
    t.notOk(isDatabaseFileError(error), JSON.stringify(error));
  }
});
