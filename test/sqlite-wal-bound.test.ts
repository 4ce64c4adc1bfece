import { join } from 'node:path';
import t, { type Test } from 'tap';
import { type Db, openDatabase } from '../src/db/open.js';
import { openSnapshot } from '../src/db/snapshot.js';
import { WAL_LIMIT_BYTES, walBytes } from '../src/db/wal.js';
import { sqliteOnly, tempDir } from './helpers.js';
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
