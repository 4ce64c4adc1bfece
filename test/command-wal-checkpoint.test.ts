import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openDatabase } from '../src/db/open.js';
import { runRelateCli } from '../src/related/cli.js';
import { WAL_LIMIT_BYTES, checkpointAndClose, walBytes } from '../src/db/wal.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

sqliteOnly(t, "SQLite's write-ahead log (-wal)");

// A command (relate, tag, import, seed) that wrote a large log beside a server holding the file open: SQLite's
// checkpoint at the last connection's close never runs, and the server's next commit copied the whole log on its
// event loop (session 39: 1.9 GB, 24.5 s). The command's close checkpoints its own log first.

const limitMib = WAL_LIMIT_BYTES / 1024 / 1024;

function beside(t: Test) {
  const path = join(tempDir(t), 'wal.sqlite');
  copyTemplateDatabase(path);
  const server = openDatabase(path);
  t.teardown(() => server.$client.close());
  server.$client.exec('create table filler (b blob)');
  const command = openDatabase(path);
  command.$client.pragma('synchronous = OFF'); // what is written, not whether it survives a power loss
  // The server's read while the command commits: the commit's own checkpoint stops before its frames.
  server.$client.exec('begin');
  server.$client.prepare('select count(*) from filler').get();
  const insert = command.$client.prepare('insert into filler values (randomblob(1048576))');
  command.$client.transaction(() => {
    for (let i = 0; i < limitMib + 8; i++) insert.run();
  })();
  server.$client.exec('commit');
  return { path, server, command };
}

t.test("a command's close copies its log into the database and truncates the -wal, the server's connection open", async (t) => {
  const { path, server, command } = beside(t);
  t.ok(walBytes(path) > WAL_LIMIT_BYTES, `the command's commit left a large log (${walBytes(path)} bytes)`);
  checkpointAndClose(command.$client);
  t.notOk(command.$client.open, 'closed');
  t.equal(walBytes(path), 0, 'the -wal truncated: no log left for the server to checkpoint');
  const [result] = server.$client.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
  t.equal(result!.log, 0, "the server's next checkpoint finds no frame to copy");
  t.equal(server.$client.prepare('select count(*) from filler').pluck().get(), limitMib + 8, 'nothing written is lost');
});

t.test("a read of the server's under way: the close neither waits nor fails, the -wal left as it is", async (t) => {
  const { path, server, command } = beside(t);
  server.$client.exec('begin');
  server.$client.prepare('select count(*) from filler').get();
  const before = walBytes(path);
  checkpointAndClose(command.$client);
  t.notOk(command.$client.open, 'closed');
  t.equal(walBytes(path), before, 'not truncated under a reader');
  server.$client.exec('commit');
  t.equal(server.$client.prepare('select count(*) from filler').pluck().get(), limitMib + 8, 'nothing written is lost');
});

t.test("npm run relate beside a server: its log is in the database when it ends, none left for the server's next commit", async (t) => {
  const path = join(tempDir(t), 'wal.sqlite');
  copyTemplateDatabase(path);
  const server = openDatabase(path);
  t.teardown(() => server.$client.close());
  server.$client.pragma('wal_checkpoint(TRUNCATE)');
  let err = '';
  const code = runRelateCli([], { DATABASE_PATH: path }, { out: () => undefined, err: (s) => (err += s) });
  t.equal(code, 0, `exit status 0 ${err.split('\n').at(-2) ?? ''}`);
  t.equal(walBytes(path), 0, 'the -wal truncated');
  const [result] = server.$client.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
  t.equal(result!.log, 0, "the server's next checkpoint finds no frame to copy");
});
