import { once } from 'node:events';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { type Db, openDatabase } from '../src/db/open.js';
import { openSnapshot } from '../src/db/snapshot.js';
import { type Checkpointed, WAL_LIMIT_BYTES, walBytes } from '../src/db/wal.js';
import { WalCheckpointThread } from '../src/db/wal-thread.js';
import { mintKey, patchText, send } from './curation-helpers.js';
import { buildTestApp, sqliteOnly, tempDir } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

sqliteOnly(t, "SQLite's write-ahead log (-wal) and its checkpoints");

// The server's connection commits without SQLite's automatic checkpoint, which runs in the committing thread: after
// another process's long transaction, the server's next commit copied its whole log into the database on the
// event loop (session 39: 1.9 GB after `npm run relate` at 300,000 records, 24.5 s, every read waiting). The log
// is checkpointed in a thread of its own (src/db/wal-thread.ts) when past the bound SQLite's checkpoint kept.

const MIB = 1024 * 1024;
const dbBytes = (path: string) => statSync(path).size;

/** Another connection (a command's) commits `mib` MiB in one transaction while `server` reads: its commit cannot checkpoint them. */
function commandCommits(path: string, server: Db, mib: number): void {
  const command = openDatabase(path);
  command.$client.pragma('synchronous = OFF'); // what is written, not whether it survives a power loss
  command.$client.exec('create table if not exists filler (b blob)');
  server.$client.exec('begin');
  server.$client.prepare('select count(*) from states').get();
  const insert = command.$client.prepare('insert into filler values (randomblob(1048576))');
  command.$client.transaction(() => {
    for (let i = 0; i < mib; i++) insert.run();
  })();
  server.$client.exec('commit');
  command.$client.close(); // (not the last connection: its close checkpoints nothing)
}

/** A server on a copy of the template; `before` adds what it needs to its app before the first request. */
/** A database of `t`'s own with its checkpoint thread (closed when `t` ends), and an insert of 1 MiB into `filler`. */
function ownThread(t: Test, thread = (client: Database.Database) => new WalCheckpointThread(client)) {
  const path = join(tempDir(t), 'wal.sqlite');
  copyTemplateDatabase(path);
  const db = openDatabase(path);
  const checkpoints = thread(db.$client);
  t.teardown(async () => {
    await checkpoints.close();
    db.$client.close();
  });
  db.$client.pragma('synchronous = OFF');
  db.$client.exec('create table filler (b blob)');
  return { path, db, checkpoints, insert: db.$client.prepare('insert into filler values (randomblob(1048576))') };
}

/** Another connection's read, begun now (committed by the test, or closed when `t` ends). */
function readerBegun(t: Test, path: string): Db {
  const reader = openDatabase(path);
  t.teardown(() => reader.$client.close());
  reader.$client.exec('begin');
  reader.$client.prepare('select count(*) from filler').get();
  return reader;
}

async function app(t: Test, before?: (app: FastifyInstance) => void) {
  const path = join(tempDir(t), 'wal.sqlite');
  copyTemplateDatabase(path);
  const app = await buildTestApp(t, { databasePath: path });
  before?.(app);
  const key = mintKey(app);
  // The key's first use is recorded here (src/auth/keys.ts touchKey), while the log is short: made by a test's
  // first PATCH after a command's large commit, it asked the thread before the PATCH wrote, and a thread quick to
  // start could copy the log and truncate it first, the PATCH's frames left after it.
  const id = (await send(app, 'GET', '/v1/recommendations?limit=1', { key })).body.data[0].id as string;
  let etag = (await send(app, 'GET', `/v1/recommendations/${id}`)).response.headers.etag as string;
  /** A PATCH of one record's text, as a curator's client sends it (If-Match its last ETag). */
  const patch = async (text: string) => {
    const { response } = await patchText(app, key, id, etag, text);
    etag = response.headers.etag as string;
    return response.statusCode;
  };
  return { app, path, checkpoints: app.walCheckpoints!, patch, id };
}

t.test("the server's commit after a command's large one copies nothing on the event loop; the thread copies it", async (t) => {
  const { app: server, path, checkpoints, patch, id } = await app(t);
  commandCommits(path, server.db, 24);
  const log = walBytes(path);
  t.ok(log > 24 * MIB, `the command left its log (${log} bytes)`);

  // A write of the server's own connection, as a route makes it: before, its commit ran SQLite's automatic
  // checkpoint and the 24 MiB were copied into the database file there and then, in this thread.
  t.notOk(checkpoints.checkpointing, 'no checkpoint asked yet: the database file is as the command left it');
  const before = dbBytes(path);
  server.db.$client.prepare("update states set name = name where code = 'KGZ'").run();
  t.equal(dbBytes(path), before, 'the commit copied no page into the database');
  t.ok(walBytes(path) >= log, 'and left the log as it was, its own frames added');

  // The next write route's response asks the thread, which copies the log and truncates the -wal.
  const checkpointed = once(checkpoints, 'checkpointed') as Promise<[Checkpointed]>;
  t.equal(await patch('Checkpointed elsewhere.'), 200);
  const [result] = await checkpointed;
  t.ok(result.log * 4096 > 24 * MIB, `the thread copied the whole log (${result.log} frames)`);
  t.equal(result.checkpointed, result.log, 'every frame');
  t.ok(result.truncated, 'and truncated the -wal');
  t.equal(walBytes(path), 0);
  t.ok(dbBytes(path) >= before + 24 * MIB, 'the pages are in the database');
  t.equal(server.db.$client.prepare('select count(*) from filler').pluck().get(), 24, 'nothing written is lost');
  t.equal((await send(server, 'GET', `/v1/recommendations/${id}`)).body.text, 'Checkpointed elsewhere.');
});

t.test("a read's commits (its stale documents rebuilt, a key's last use) ask the thread after its response: the -wal truncated, no request after", async (t) => {
  // Whether the request had its answer when the thread was asked (a hook of the test's, run before a response is sent).
  let answered = false;
  const { app: server, path, checkpoints } = await app(t, (server) => server.addHook('onSend', async () => void (answered = true)));
  const asks: boolean[] = [];
  const afterCommit = checkpoints.afterCommit.bind(checkpoints);
  checkpoints.afterCommit = () => void (asks.push(answered), afterCommit());
  const reads = [
    // A key never used yet: the read records its use (src/auth/keys.ts touchKey).
    { what: "a key's first use", url: '/v1/states?limit=1', headers: { authorization: `Bearer ${mintKey(server)}` } },
    // Documents a program left stale (the sqlite3 shell, a script): the read rebuilds them first.
    { what: 'stale documents rebuilt', url: '/v1/recommendations?limit=3', stale: true },
  ];
  for (const read of reads) {
    commandCommits(path, server.db, 8);
    if (read.stale) {
      const program = new Database(path);
      program.exec('insert or ignore into recommendation_documents_stale select id from recommendations');
      program.close();
    }
    asks.length = 0;
    answered = false;
    const checkpointed = once(checkpoints, 'checkpointed') as Promise<[Checkpointed]>;
    t.equal((await server.inject({ method: 'GET', url: read.url, headers: read.headers })).statusCode, 200, read.what);
    // Asked during the request, the thread could reach the log while the request's own read had it open, and the
    // -wal kept its size until some later commit asked again: on a read-only server, possibly never (session 41).
    t.same(asks, [true], `${read.what}: its commit asked the thread once, after the answer`);
    if (asks.length === 0) continue; // (not asked: nothing will answer)
    const [result] = await checkpointed;
    t.ok(result.log > 0 && result.checkpointed === result.log, `${read.what}: the whole log copied (${result.log} frames)`);
    t.ok(result.truncated, `${read.what}: and the -wal truncated`);
    t.equal(walBytes(path), 0, `${read.what}: nothing left in the -wal`);
  }
  t.equal(server.db.$client.prepare('select count(*) from recommendation_documents_stale').pluck().get(), 0, 'the documents were rebuilt');
});

t.test('a checkpoint that could not truncate the -wal (a reader had it open) is asked again by the next response, a read\'s', async (t) => {
  const { app: server, path, checkpoints } = await app(t);
  commandCommits(path, server.db, 8);
  // Another process's read, begun before the key's use is recorded: the log cannot be started over under it.
  const reader = readerBegun(t, path);
  let asked = 0;
  const afterCommit = checkpoints.afterCommit.bind(checkpoints);
  checkpoints.afterCommit = () => void ((asked += 1), afterCommit());
  const checkpointed = once(checkpoints, 'checkpointed') as Promise<[Checkpointed]>;
  t.equal((await send(server, 'GET', '/v1/states?limit=1', { key: mintKey(server) })).response.statusCode, 200);
  t.equal(asked, 1, "the key's use asked the thread");
  t.match((await checkpointed)[0], { truncated: false }, 'which could not truncate the -wal under the read');
  t.ok(walBytes(path) > 8 * MIB, 'the -wal kept its size');
  reader.$client.exec('commit');
  // A read that commits nothing: before, nothing asked again until the next commit.
  const again = once(checkpoints, 'checkpointed') as Promise<[Checkpointed]>;
  t.equal((await send(server, 'GET', '/v1/states?limit=1')).response.statusCode, 200);
  t.equal(asked, 2, 'the next response asked again');
  if (asked === 2) t.match((await again)[0], { truncated: true }, 'the read over: truncated');
  t.equal(walBytes(path), 0);
});

t.test('steady small writes: the -wal stays under WAL_LIMIT_BYTES, checkpointed by the thread past its bound', async (t) => {
  const { path, checkpoints, patch } = await app(t);
  t.equal(checkpoints.boundBytes, 1000 * 4096, "the bound SQLite's automatic checkpoint kept: 1000 pages");
  let runs = 0;
  checkpoints.on('checkpointed', () => (runs += 1));
  // Long texts, so that each PATCH writes many pages (the record, its document and CSV line, full text, history).
  const text = (i: number) => `${String(i).padStart(4, '0')} ${'Ensure the right to education for every child. '.repeat(200)}`;
  let written = 0;
  let largest = 0;
  // Enough log that, never checkpointed, the -wal would pass the bound stated (WAL_LIMIT_BYTES: 4 times the thread's).
  for (let i = 0; written < WAL_LIMIT_BYTES + checkpoints.boundBytes; i++) {
    // A checkpoint asked is waited for before the next PATCH, as the thread's speed beside this one's is the
    // machine's: the thread's first start loads the tests' TypeScript hooks (esbuild) in it, and on a loaded
    // machine 105 PATCHes (16.8 MB of log) were written before its first checkpoint was in (session 41).
    while (checkpoints.checkpointing) await once(checkpoints, 'checkpointed');
    const size = walBytes(path);
    t.equal(await patch(text(i)), 200);
    written += Math.max(0, walBytes(path) - size);
    largest = Math.max(largest, walBytes(path));
    if (largest > WAL_LIMIT_BYTES) break;
  }
  t.ok(largest <= WAL_LIMIT_BYTES, `the -wal never past ${WAL_LIMIT_BYTES} bytes (at most ${largest}) over ${written} bytes of log written`);
  t.ok(runs > 0, `checkpointed ${runs} times`);
});

t.test("the last export's snapshot closed: the thread is asked, nothing copied in this thread", async (t) => {
  const { path, db, checkpoints, insert } = ownThread(t);
  const snapshot = openSnapshot(db);
  for (let i = 0; i < 20; i++) insert.run(); // pinned by the snapshot: no checkpoint could pass it
  const before = dbBytes(path);
  const checkpointed = once(checkpoints, 'checkpointed') as Promise<[Checkpointed]>;
  snapshot.close();
  t.equal(dbBytes(path), before, 'nothing copied by the close');
  const [result] = await checkpointed;
  t.ok(result.truncated, 'the thread copied the log and truncated the -wal');
  t.equal(walBytes(path), 0);
  t.equal(db.$client.prepare('select count(*) from filler').pluck().get(), 20);
});

t.test('a commit while a checkpoint runs asks for one more after it, never a queue', async (t) => {
  const { path, checkpoints, insert } = ownThread(t);
  // Another connection's read, begun before the last 8 MiB: the log is copied up to its snapshot and stays past the bound.
  const reader = readerBegun(t, path);
  for (let i = 0; i < 8; i++) insert.run();
  const results: Checkpointed[] = [];
  checkpoints.on('checkpointed', (result) => results.push(result));
  for (let i = 0; i < 5; i++) checkpoints.afterCommit(); // one runs, the four others ask for one more
  await once(checkpoints, 'checkpointed');
  await once(checkpoints, 'checkpointed');
  t.equal(results.length, 2, 'two checkpoints for five asks');
  t.same(
    results.map((result) => result.truncated),
    [false, false],
    'neither truncated the -wal under the read',
  );
  t.ok(results[1]!.checkpointed < results[1]!.log, 'nor copied what the read may still need');
  reader.$client.exec('commit');
  checkpoints.afterCommit();
  t.match((await once(checkpoints, 'checkpointed'))[0], { truncated: true }, 'the read ended: the log copied and truncated');
  checkpoints.afterCommit();
  t.notOk(checkpoints.checkpointing, 'the log is empty: nothing asked');
  t.equal(results.length, 3);
  t.equal(walBytes(path), 0);
});

t.test("a response while a checkpoint runs asks for one more after it: that request's reads may be what kept it from truncating", async (t) => {
  const { path, checkpoints, insert } = ownThread(t);
  // A read open while the thread works (another request's, in the server), begun before the last 8 MiB: the log is
  // copied up to its snapshot and the -wal cannot be truncated under it.
  const reader = readerBegun(t, path);
  for (let i = 0; i < 8; i++) insert.run();
  checkpoints.afterCommit();
  t.ok(checkpoints.checkpointing, 'a checkpoint asked');
  // That request's response, which committed nothing, comes before the checkpoint's result: before, nothing asked
  // again after it, and on a server that reads only the -wal kept its size until some later response.
  checkpoints.afterResponse(false);
  t.match((await once(checkpoints, 'checkpointed'))[0], { truncated: false }, 'the first could not truncate under the read');
  t.ok(checkpoints.checkpointing, 'one more asked after it');
  reader.$client.exec('commit');
  if (checkpoints.checkpointing) await once(checkpoints, 'checkpointed');
  checkpoints.afterResponse(false); // (the next response asks again if that one too ran before the read ended)
  if (checkpoints.checkpointing) await once(checkpoints, 'checkpointed');
  t.equal(walBytes(path), 0, 'the read over: the -wal truncated');
});

t.test('a checkpoint thread that dies: that checkpoint runs on the event loop, said in the log; the next starts a thread again', async (t) => {
  const warnings: string[] = [];
  const log = { warn: (_details: object, message: string) => void warnings.push(message) } as never;
  const crashing = new URL('./support/crashing-wal-worker.mjs', import.meta.url);
  const { path, checkpoints, insert } = ownThread(t, (client) => new WalCheckpointThread(client, log, crashing));
  for (let round = 1; round <= 2; round++) {
    for (let i = 0; i < 8; i++) insert.run();
    const checkpointed = once(checkpoints, 'checkpointed') as Promise<[Checkpointed]>;
    checkpoints.afterCommit();
    const [result] = await checkpointed;
    t.ok(result.truncated, `round ${round}: the log copied and the -wal truncated all the same`);
    t.equal(walBytes(path), 0);
    t.equal(warnings.length, round, 'said in the log');
  }
  t.match(warnings[0], /checkpoint thread stopped/);
});

t.test('the server closed after a checkpoint: the thread ends with it, the database closed', async (t) => {
  const { app: server, path, checkpoints } = await app(t);
  commandCommits(path, server.db, 8);
  const checkpointed = once(checkpoints, 'checkpointed');
  checkpoints.afterCommit();
  await checkpointed;
  await server.close();
  t.notOk(server.db.$client.open, 'closed');
  checkpoints.afterCommit(); // after close: asks nothing
  t.equal(walBytes(path), 0, 'no log left');
});
