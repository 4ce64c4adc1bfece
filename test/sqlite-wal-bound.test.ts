import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { type Db, openDatabase } from '../src/db/open.js';
import { openSnapshot } from '../src/db/snapshot.js';
import { WAL_LIMIT_BYTES, walBytes } from '../src/db/wal.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { TS_NODE_ARGS } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

sqliteOnly(t, "SQLite's write-ahead log (-wal)");

// The -wal's size is bounded (session 38's soak: 78 MB under exports read slowly while writes went on, and the
// file kept that size): a log that snapshots pinned is truncated when the last of them closes, and a log that
// starts over is cut to WAL_LIMIT_BYTES.

function database(t: Test): { db: Db; path: string } {
  const path = join(tempDir(t), 'wal.sqlite');
  copyTemplateDatabase(path);
  const db = openDatabase(path);
  t.teardown(() => db.$client.close());
  db.$client.pragma('synchronous = OFF'); // what is written, not whether it survives a power loss
  db.$client.exec('create table filler (b blob)');
  return { db, path };
}

/** `mib` MiB written, in commits of up to 4 MiB. */
function fill(db: Db, mib: number): void {
  const insert = db.$client.prepare('insert into filler values (randomblob(1048576))');
  const commit = db.$client.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run();
  });
  for (let left = mib; left > 0; left -= 4) commit(Math.min(4, left));
}

const limitMib = WAL_LIMIT_BYTES / 1024 / 1024;

t.test('a log that snapshots pinned past the limit is truncated when the last of them closes, not before', async (t) => {
  const { db, path } = database(t);
  const first = openSnapshot(db); // reads from the log the table's creation left in it: no checkpoint passes it
  fill(db, limitMib + 4);
  const second = openSnapshot(db);
  fill(db, 2);
  t.ok(walBytes(path) > WAL_LIMIT_BYTES, `the pinned log grew past the limit (${walBytes(path)} bytes)`);

  first.close();
  t.ok(walBytes(path) > WAL_LIMIT_BYTES, 'another snapshot still reads from it: left as it is');
  second.close();
  t.equal(walBytes(path), 0, 'the last snapshot closed: the log is in the database and the -wal truncated');
  t.equal(db.$client.prepare('select count(*) from filler').pluck().get(), limitMib + 6, 'nothing written is lost');
});

t.test('an export that ends while another process reads leaves the log to the next checkpoint, without waiting', async (t) => {
  const { db, path } = database(t);
  const pin = openSnapshot(db);
  fill(db, limitMib + 2);
  const reader = openDatabase(path);
  t.teardown(() => reader.$client.close());
  reader.$client.exec('begin');
  reader.$client.prepare('select count(*) from filler').get(); // another process's read transaction
  pin.close();
  t.ok(walBytes(path) > WAL_LIMIT_BYTES, 'not truncated under a reader');
  t.equal(db.$client.pragma('busy_timeout', { simple: true }), 5000, 'the busy timeout is given back');
});

t.test('a log that starts over is cut to the limit (journal_size_limit)', async (t) => {
  const { db, path } = database(t);
  db.$client.transaction(() => fill(db, limitMib + 4))(); // one commit: nested, fill's are savepoints
  t.ok(walBytes(path) > WAL_LIMIT_BYTES, `one large write grew the log (${walBytes(path)} bytes)`);
  fill(db, 1); // the next commits start the log over, once checkpointed
  fill(db, 1);
  t.ok(walBytes(path) <= WAL_LIMIT_BYTES, `cut to the limit (${walBytes(path)} bytes)`);
});

t.test('a checkpoint that fails when the last export ends (a write error) leaves the log to the next commit: nothing thrown', async (t) => {
  // A process whose files may not grow past 17 MiB (ulimit -f; as a full disk, whose checkpoint fails with
  // SQLITE_FULL, probed on a 30 MB tmpfs): the log of 16 MiB fits, the database it is copied into does not.
  // Thrown from the snapshot's close, the error came out of the export stream's destroy, after its last chunk.
  const path = join(tempDir(t), 'wal.sqlite');
  copyTemplateDatabase(path);
  const child = `
    process.on('SIGXFSZ', () => {}); // the write fails (EFBIG) rather than the process
    const { openDatabase } = await import('./src/db/open.js');
    const { openSnapshot } = await import('./src/db/snapshot.js');
    const { walBytes } = await import('./src/db/wal.js');
    const db = openDatabase(${JSON.stringify(path)});
    db.$client.pragma('synchronous = OFF');
    db.$client.exec('create table filler (b blob)');
    const insert = db.$client.prepare('insert into filler values (randomblob(1048576))');
    for (let i = 0; i < 4; i++) insert.run();
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    const pin = openSnapshot(db);
    for (let i = 0; i < 16; i++) insert.run();
    const before = walBytes(${JSON.stringify(path)});
    let thrown = null;
    try { pin.close(); } catch (error) { thrown = error.code; }
    console.log(JSON.stringify({ before, after: walBytes(${JSON.stringify(path)}), thrown }));
    db.$client.close(); // its checkpoint fails too, while the signal is still handled`;
  const run = spawnSync(
    'bash',
    ['-c', 'ulimit -f "$1"; shift; exec "$@"', 'bash', String(17 * 1024), process.execPath, ...TS_NODE_ARGS, '--input-type=module', '-e', child],
    { encoding: 'utf8' },
  );
  t.equal(run.status, 0, run.stderr);
  const { before, after, thrown } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { before: number; after: number; thrown: string | null };
  t.ok(before > WAL_LIMIT_BYTES, `the pinned log grew past the limit (${before} bytes)`);
  t.equal(thrown, null, 'the last snapshot closed without an error (before: SQLITE_IOERR_WRITE)');
  t.equal(after, before, 'the log is left as it is, for the next checkpoint');
});
