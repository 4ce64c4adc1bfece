import { once } from 'node:events';
import net from 'node:net';
import { BroadcastChannel, type Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { WriteGate } from '../src/db/write-gate.js';
import { ImportThread } from '../src/import/import-thread.js';
import { DEFAULT_IMPORT_LIMITS } from '../src/import/limits.js';
import { importedBytes } from '../src/import/zip.js';
import { mintKey, parseEtag, patchText } from './curation-helpers.js';
import { buildTestApp, getJson, sqliteOnly } from './helpers.js';
import { entryRow, HEADER_ROW, matrixDocx, TERMAN_STYLE_CSV, withoutServerFields } from './import-helpers.js';

sqliteOnly(t, 'the import thread is SQLite’s (PostgreSQL imports are asynchronous already)');

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

// SQLite: a file of at least IMPORT_THREAD_MIN_BYTES is imported in a worker thread on a connection of its own
// (src/import/import-thread.ts): the service answers meanwhile, writes wait for it (src/db/write-gate.ts), and
// the import's answer is the one the request's own thread gives. Deterministic: another connection holds the
// database's write lock, so the import cannot end until the test lets it. A write that finds another
// connection's lock waits for it without stalling the others: test/database-busy.test.ts.

function post(app: FastifyInstance, key: string, url: string, payload: Uint8Array | string) {
  return app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, payload: Buffer.from(payload) });
}

/**
 * The write lock of `app`'s database, taken by another connection until `release`. Taken once an import holds
 * the gate (untilBusy), it holds that import in its thread: the import's request has already found the lock
 * free (a write route waits for it, src/db/write-gate.ts), and the thread, started then, has not yet begun.
 */
function holdWriteLock(t: Test, app: FastifyInstance): { release: () => void } {
  const other = new Database(app.db.$client.name);
  t.teardown(() => other.close());
  other.exec('begin immediate');
  return { release: () => other.exec('rollback') };
}

/** Resolves once an import holds `gate` or waits for it. */
async function untilBusy(gate: WriteGate): Promise<void> {
  while (!gate.busy) await once(gate, 'change');
}

t.test('an import in its thread: reads are answered meanwhile, writes wait for it, the result is the same', async (t) => {
  const app = await buildTestApp(t, { importThreadMinBytes: 0, databaseBusyTimeoutMs: 60_000 });
  const key = mintKey(app, 'admin', 'dashboard');
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  const importing = post(app, key, '/v1/imports', TERMAN_STYLE_CSV);
  await untilBusy(app.writeGate!);
  const lock = holdWriteLock(t, app);
  let writeSettled = false;
  const write = patchText(app, key, 'KGZ-3-FIN-1', before.response.headers.etag, 'Written while an import runs.').finally(
    () => (writeSettled = true),
  );
  const read = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(read.response.statusCode, 200, 'a read is answered while the import waits for the lock');
  t.same(read.body, before.body);
  t.equal((await getJson(app, '/v1/reviews/KGZ-1')).response.statusCode, 404, 'the import has written nothing yet');
  t.equal((await getJson(app, '/v1/stats/recommendations?groupBy=position')).response.statusCode, 200, 'stats are answered too');
  t.notOk(writeSettled, 'the write waits for the import (no busy wait on the event loop, no 503)');

  lock.release();
  const imported = await importing;
  t.equal(imported.statusCode, 200);
  const report = imported.json();
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  const written = await write;
  t.equal(written.response.statusCode, 200, 'the write is made once the import is done');
  t.ok(parseEtag(written.response.headers.etag).revision > report.revision, 'after the import');
  t.equal((await getJson(app, '/v1/reviews/KGZ-1')).response.statusCode, 200, 'the import is visible to this connection');
  t.equal(app.writeGate!.busy, false);

  // The same file imported in the request's thread (below IMPORT_THREAD_MIN_BYTES) gives the same report and records.
  const inline = await buildTestApp(t);
  const inlineReport = (await post(inline, mintKey(inline, 'admin', 'dashboard'), '/v1/imports', TERMAN_STYLE_CSV)).json();
  t.same({ ...report, revision: 0 }, { ...inlineReport, revision: 0 });
  for (const url of ['/v1/recommendations?reviewId=KGZ-1&format=csv', '/v1/recommendations?reviewId=KOR-1&format=csv']) {
    const [threaded, direct] = await Promise.all([app, inline].map((a) => a.inject(url)));
    t.equal(threaded!.statusCode, 200);
    t.equal(withoutServerFields(threaded!.body), withoutServerFields(direct!.body), url);
  }
});

/**
 * A listening app whose import over HTTP (in its thread) waits for the write lock this test holds, so that a
 * write sent meanwhile waits behind it; KGZ-3-FIN-1 as it was before.
 */
async function importHoldingLock(t: Test) {
  const app = await buildTestApp(t, { importThreadMinBytes: 0, databaseBusyTimeoutMs: 60_000 });
  const key = mintKey(app, 'admin', 'dashboard');
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as net.AddressInfo;
  const importing = post(app, key, '/v1/imports', TERMAN_STYLE_CSV);
  await untilBusy(app.writeGate!);
  const lock = holdWriteLock(t, app);
  return { app, key, before, port, importing, lock };
}

t.test('a write whose client left while it waited for an import is not made', async (t) => {
  const { app, key, before, port, importing, lock } = await importHoldingLock(t);

  // A PATCH over a socket of its own, waiting for the import; then its client goes.
  const serverSide = once(app.server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  const body = JSON.stringify({ text: 'Written after its client left.' });
  client.write(
    `PATCH /v1/recommendations/KGZ-3-FIN-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nIf-Match: ${before.response.headers.etag}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const [socket] = await serverSide;
  while (app.writeGate!.waiting === 0) await once(app.writeGate!, 'change');
  const gone = once(socket, 'close');
  client.destroy();
  await gone;

  lock.release();
  t.equal((await importing).statusCode, 200);
  // (What the waiting write does once the import is done happens in the turns right after.)
  for (let turn = 0; turn < 3; turn++) await new Promise(setImmediate);
  const after = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(after.body.text, before.body.text, 'the write was not made');
  t.equal(after.response.headers.etag, before.response.headers.etag, 'the record is as it was');
});

t.test('a write over a real connection whose client stays is made once the import is done (no 503)', async (t) => {
  // Over a real socket, Node marks a request `destroyed` as soon as its body has been read: a write that waited
  // for an import was taken for one whose client left, and every such write was a 503 (inject does not show it).
  const { app, key, before, port, importing, lock } = await importHoldingLock(t);

  const writing = fetch(`http://127.0.0.1:${port}/v1/recommendations/KGZ-3-FIN-1`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'if-match': before.response.headers.etag as string },
    body: JSON.stringify({ text: 'Written once the import was done.' }),
  });
  while (app.writeGate!.waiting === 0) await once(app.writeGate!, 'change');
  lock.release();
  t.equal((await importing).statusCode, 200);
  const written = await writing;
  t.equal(written.status, 200, 'the write waited and was made');
  t.equal(((await written.json()) as { text: string }).text, 'Written once the import was done.');
  const after = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(after.body.text, 'Written once the import was done.');
  // fetch asked for gzip: the write's answer names that coding (`…-gzip"`), the plain read's does not.
  t.equal(after.response.headers.etag, written.headers.get('etag')?.replace(/-gzip"$/, '"'));
});

t.test('the service closing with an import in its thread stops it: a 503, nothing written', async (t) => {
  const app = await buildTestApp(t);
  const path = app.db.$client.name;
  const thread = new ImportThread({ kind: 'sqlite', path, busyTimeoutMs: 60_000 });
  const lock = holdWriteLock(t, app);
  const started = once(thread, 'started');
  const importing = thread.run('terman.csv', TERMAN_STYLE_CSV, { actor: 'test' }).then(() => 'imported', (error: unknown) => error);
  // Closed once the thread has begun the import (which then waits for the write lock the test holds).
  await started;
  const closing = thread.close();
  lock.release();
  await closing;
  t.match(await importing, { status: 503, detail: /shut down while this file was being imported: nothing was imported/ });
  t.equal((await getJson(app, '/v1/reviews/KGZ-1')).response.statusCode, 404, 'nothing written');
  await thread.close(); // (closed already: nothing to do)
});

t.test('a thread that died fails its own imports only, not those of the thread started after it', async (t) => {
  // Its 'error' fails its imports; its 'exit' comes later, by which time a retry may wait for a new thread. That
  // exit failed the new thread's imports too (a 500 for a retry after a 413 of a heap run out).
  const thread = new ImportThread({ kind: 'sqlite', path: ':memory:', busyTimeoutMs: 0 }, 0, new URL('./support/crashing-import-worker.mjs', import.meta.url));
  t.teardown(() => thread.close());
  const channel = new BroadcastChannel('crashing-import-worker');
  t.teardown(() => channel.close());
  const held = once(channel, 'message');
  let retry: Promise<unknown> | undefined;
  const crashed = thread.run('crash', new Uint8Array(), { actor: 'test' }).catch((error: Error) => {
    retry = thread.run('retry', new Uint8Array(), { actor: 'test' }).catch((error: Error) => error.message);
    return error;
  });
  const old = (thread as unknown as { worker: Worker }).worker;
  const oldExited = new Promise((resolve) => old.once('exit', resolve)); // (events.once would reject at its 'error')
  t.match(await crashed, { message: 'the import thread crashed' });
  t.not((thread as unknown as { worker: Worker }).worker, old, 'the retry runs in a new thread');
  t.match(await held, [{ data: { held: 1 } }], 'which holds it');
  await oldExited;
  channel.postMessage('go');
  t.same(await retry, { file: 'retry' }, 'the retry is answered by its own thread');
});

t.test('a file refused in the thread is the same problem as in the request’s thread', async (t) => {
  const importLimits = { ...DEFAULT_IMPORT_LIMITS, maxRows: 2 };
  const threaded = await buildTestApp(t, { importThreadMinBytes: 0, importLimits });
  const inline = await buildTestApp(t, { importLimits });
  const cases: [string, 'write' | 'admin', Uint8Array | string, number][] = [
    ['not a format it reads', 'write', 'a,b\n1,2\n', 422],
    ['more rows than IMPORT_MAX_ROWS', 'admin', TERMAN_STYLE_CSV, 413],
    [
      'a review to create with a key that may not',
      'write',
      'text,to,decision,From,year,notes\r76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\r',
      403,
    ],
  ];
  for (const [what, scope, file, status] of cases) {
    const [a, b] = await Promise.all([threaded, inline].map((app) => post(app, mintKey(app, scope, `k-${what}`), '/v1/imports', file)));
    t.equal(a!.statusCode, status, what);
    t.same(a!.json(), b!.json(), `${what}: the same problem`);
  }
  t.equal((await getJson(threaded, '/v1/reviews/KGZ-1')).response.statusCode, 404, 'nothing written');
});

t.test('an import that finds the database busy past the busy timeout is a 503 with Retry-After; nothing is written', async (t) => {
  const app = await buildTestApp(t, { importThreadMinBytes: 0, databaseBusyTimeoutMs: 20 });
  const key = mintKey(app, 'admin', 'dashboard');
  // Taken once the import holds the gate (its request waited for the lock to be free): its thread meets it.
  const importing = post(app, key, '/v1/imports', TERMAN_STYLE_CSV);
  await untilBusy(app.writeGate!);
  const lock = holdWriteLock(t, app);
  const busy = await importing;
  t.equal(busy.statusCode, 503);
  t.equal(busy.headers['retry-after'], '5');
  t.match(busy.json(), { status: 503, detail: /busy with another write/ });
  lock.release();
  t.equal((await getJson(app, '/v1/reviews/KGZ-1')).response.statusCode, 404, 'nothing written');
  t.equal((await post(app, key, '/v1/imports', TERMAN_STYLE_CSV)).statusCode, 200, 'the same import succeeds once the lock is free');
});

t.test('the write gate runs its holders one at a time, in order, whether they succeed or fail', async (t) => {
  const gate = new WriteGate(undefined, 60_000);
  t.equal(gate.busy, false);
  t.equal(await gate.ready(), false, 'a write begins at once when no import holds the gate');
  const order: string[] = [];
  let release!: () => void;
  const first = gate.exclusive(() => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first')));
  const second = gate.exclusive(async () => {
    order.push('second');
    throw new Error('refused');
  });
  const third = gate.exclusive(async () => void order.push('third'));
  let ready = false;
  const waiting = gate.ready().then((waited) => (ready = waited));
  t.equal(gate.busy, true);
  await Promise.resolve();
  t.same(order, [], 'the second waits for the first');
  release();
  await first;
  await t.rejects(second, /refused/);
  await third;
  await waiting;
  t.same(order, ['first', 'second', 'third']);
  t.ok(ready, 'the write waited for every import taken before it');
  t.equal(gate.busy, false);
});

t.test('a write waits for an import at most the busy timeout: then 503 with Retry-After, nothing written', async (t) => {
  const app = await buildTestApp(t, { importThreadMinBytes: 0, databaseBusyTimeoutMs: 20 });
  const key = mintKey(app, 'admin', 'dashboard');
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  // An import that holds the gate until the test lets it go (as a long one would).
  let finish!: () => void;
  const importing = app.writeGate!.exclusive(() => new Promise<void>((resolve) => (finish = resolve)));
  const refused = await patchText(app, key, 'KGZ-3-FIN-1', before.response.headers.etag, 'Written while an import runs.');
  t.equal(refused.response.statusCode, 503);
  t.equal(refused.response.headers['retry-after'], '5');
  t.equal(refused.response.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(refused.body, { status: 503, detail: /busy with another write/ });
  t.same((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).body, before.body, 'nothing written');
  t.equal(app.writeGate!.waiting, 0, 'the refused write no longer waits');
  finish();
  await importing;
  const written = await patchText(app, key, 'KGZ-3-FIN-1', before.response.headers.etag, 'Written after the import.');
  t.equal(written.response.statusCode, 200, 'the same write is made once the import is done');
});

t.test('a .docx is imported in the thread by the bytes its parts inflate to, not its own', async (t) => {
  // A .docx of a few KB can hold 32 MiB of XML: seconds of parsing. Sent to the request's thread by its own size
  // (below IMPORT_THREAD_MIN_BYTES), it held the event loop that long (a 33 KB file of 1,500 texts: 1.6 s).
  const threshold = 1024 * 1024;
  const app = await buildTestApp(t, { importThreadMinBytes: threshold });
  const key = mintKey(app, 'write', 'importer');
  const matrix = (text: string, padding: number) =>
    matrixDocx([], { header: null, deflate: true, bodyXml: `${'<w:p/>'.repeat(padding)}<w:tbl>${HEADER_ROW}${entryRow({ text })}</w:tbl>` });
  const large = Buffer.from(await matrix('121.1 Ratify the Convention (France);', 200_000));
  const small = Buffer.from(await matrix('121.2 Ratify the Protocol (France);', 0));
  t.ok(large.length < 20_000 && importedBytes(large) > threshold, `${large.length} bytes, ${importedBytes(large)} inflated`);
  t.ok(importedBytes(small) < threshold);

  // The service's own connection writes nothing of an import made in the thread (total_changes() counts its rows;
  // the key's first use, which it records, is made first).
  await app.inject({ url: '/v1/states/KGZ', headers: { authorization: `Bearer ${key}` } });
  const changes = () => app.db.$client.prepare('select total_changes()').pluck().get() as number;
  const importDocx = async (file: Buffer) => {
    const before = changes();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/imports?review=KGZ-3',
      headers: { authorization: `Bearer ${key}`, 'content-type': DOCX },
      payload: file,
    });
    t.equal(response.statusCode, 200, response.statusCode === 200 ? 'imported' : response.body);
    t.same(response.json().recommendations, { created: 1, updated: 0, unchanged: 0 });
    return changes() - before;
  };
  t.equal(await importDocx(large), 0, 'the large .docx: imported in the thread');
  t.ok((await importDocx(small)) > 0, 'the small one: in the request’s thread');
});

t.test('importedBytes: a zip archive counts its parts inflated, any other file its own bytes', async (t) => {
  const docx = Buffer.from(await matrixDocx([HEADER_ROW], { deflate: true }));
  t.ok(importedBytes(docx) > docx.length, 'a .docx: its parts inflated');
  t.equal(importedBytes(Buffer.from(TERMAN_STYLE_CSV)), Buffer.byteLength(TERMAN_STYLE_CSV), 'a CSV: its bytes');
  t.equal(importedBytes(new Uint8Array(docx.subarray(0, 100))), 100, 'a zip cut off (no directory): its bytes');
  t.equal(importedBytes(new Uint8Array(4)), 4, 'a file shorter than a zip header');
});
