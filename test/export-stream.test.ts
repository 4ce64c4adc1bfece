import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { EXPORT_CHUNK_ROWS, type ExportEvent, ExportStream, STORED_CHUNK_ROWS } from '../src/http/export.js';
import { pageRecommendations, resolveSort } from '../src/recommendations/queries.js';
import { recommendationCsvColumns } from '../src/recommendations/csv.js';
import { insertRecommendation } from './fixtures.js';
import { recordExportEvents } from './support/export-events.js';
import { buildTestApp, sqliteOnly, testBackend } from './helpers.js';
import { buildLargeExportApp, checkpointBusy, openExportSnapshots, snapshotsPinning } from './support/pgconv-d-exports.js';
import { LARGE_EXPORT_ROWS } from './support/template-db.js';

// A large export streams from the database: with a client that does not read, the server stops reading
// the database (it does not buffer the result); other requests are answered meanwhile; and the export,
// read slowly, arrives complete in many chunks.

// About 60 MB of CSV (see copyLargeExportDatabase).
const ROWS = LARGE_EXPORT_ROWS;


const produced = (events: ExportEvent[]) =>
  events.reduce((n, e) => n + (e.event === 'chunk' ? e.rows : 0), 0);

/**
 * Waits until the export has stopped for its client: its last event a wait (the stream's buffer full) and
 * the server's socket unable to take more (the client does not read). Only the client can start it again.
 */
async function untilStalled(events: ExportEvent[], socket: () => Socket | undefined): Promise<void> {
  while (!(events.at(-1)?.event === 'wait' && socket()?.writableNeedDrain)) await delay(10);
}

t.test(`a ${ROWS.toLocaleString('en')}-row export streams with backpressure`, async (t) => {
  const app = await buildLargeExportApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const events = recordExportEvents(t);
  let serverSocket: Socket | undefined;
  app.server.once('connection', (socket: Socket) => (serverSocket = socket));

  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get({ host: '127.0.0.1', port, path: '/v1/recommendations?format=csv' }, resolve).on('error', reject),
  );
  t.equal(response.statusCode, 200);
  response.pause();
  await untilStalled(events, () => serverSocket);
  const stalled = produced(events);
  t.ok(events.some((e) => e.event === 'wait'), 'the server stream waited for the client');
  t.ok(stalled < ROWS / 4, `a client that does not read holds the export back: ${stalled} of ${ROWS + 8} rows read`);
  t.notOk(events.some((e) => e.event === 'close'), 'the export is still open');

  const other = await fetch(`http://127.0.0.1:${port}/v1/recommendations?stateUnderReview=KGZ&limit=1`);
  t.equal(other.status, 200, 'other requests are served meanwhile');
  t.equal(((await other.json()) as { meta: { total: number } }).meta.total, ROWS + 8);

  // Now read it all, slowly: a pause after every chunk received.
  let chunks = 0;
  let lineEnds = 0;
  let head = '';
  response.on('data', (chunk: Buffer) => {
    chunks += 1;
    if (head.length < 200) head += chunk.toString('utf8', 0, 200);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lineEnds += 1;
    response.pause();
    setImmediate(() => response.resume());
  });
  response.resume();
  await once(response, 'end');
  t.equal(lineEnds, ROWS + 8 + 1, 'the header row and every record');
  t.match(head, /^id,url,reviewId,/);
  t.ok(chunks > 100, `received in many chunks (${chunks})`);
  const waits = events.filter((e) => e.event === 'wait').length;
  // On PostgreSQL each chunk is a query's round trip, slower than this client takes it: its stream waits only
  // while the client stops reading (above); SQLite's chunks come faster than the client reads them.
  const rewaits = testBackend() === 'sqlite' ? 10 : 0;
  t.ok(waits > rewaits, `the server waited for the client again and again (${waits} times)`);
  const chunkEvents = events.filter((e) => e.event === 'chunk').length;
  t.equal(chunkEvents, Math.ceil((ROWS + 8) / STORED_CHUNK_ROWS), `read from the database in ${STORED_CHUNK_ROWS}-row chunks`);
  while (!events.some((e) => e.event === 'close')) await delay(10);
  t.same(events.at(-1), { export: events[0]!.export, event: 'close', resource: 'recommendations', rows: ROWS + 8, complete: true });
  t.equal(new Set(events.map((e) => e.export)).size, 1, 'every event recorded is of this one export');
});

t.test('a client that goes away ends the export and releases its snapshot', async (t) => {
  const app = await buildLargeExportApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const events = recordExportEvents(t);
  const request = get({ host: '127.0.0.1', port, path: '/v1/recommendations?format=ndjson' });
  const response = await new Promise<IncomingMessage>((resolve) => request.on('response', resolve));
  await once(response, 'data');
  await insertRecommendation(app, { id: 'KGZ-3-LATE-2', text: 'Written while the export is open.' });
  t.equal(await snapshotsPinning(app), 1, 'the export reads a snapshot from before the write');
  request.destroy();
  while (!events.some((e) => e.event === 'close')) await delay(20);
  // PostgreSQL's snapshot ends with a rollback sent as the stream closes; SQLite's at once.
  while ((await openExportSnapshots(app)) > 0) await delay(20);
  t.equal(await snapshotsPinning(app), 0, 'the snapshot is released');
  const close = events.find((e) => e.event === 'close')!;
  t.match(close, { event: 'close', resource: 'recommendations', complete: false });
  t.ok(produced(events) < ROWS + 8, 'it stopped early');
  const next = await fetch(`http://127.0.0.1:${port}/v1/recommendations?limit=1`);
  t.equal(next.status, 200, 'the service carries on');
});

t.test('ExportStream: destroyed before its turn, it never opens a snapshot; failing, it releases it', async (t) => {
  if (sqliteOnly(t, "the SQLite export stream's internals (ExportStream on app.db, its snapshot connection)")) return;
  const app = await buildTestApp(t);
  const sort = resolveSort(undefined, {});
  const spec = {
    resource: 'recommendations',
    format: 'csv' as const,
    bom: undefined,
    columns: recommendationCsvColumns,
    sortName: sort.name,
    after: undefined,
    limit: 50,
    page: (db: Parameters<typeof pageRecommendations>[0], n: number, keys: Parameters<typeof pageRecommendations>[4]) =>
      pageRecommendations(db, {}, sort, n, keys),
  };
  const events = recordExportEvents(t);

  const early = new ExportStream(app.db, spec, { origin: 'http://x' });
  early.read(0); // asks for a chunk, produced on the next turn
  early.destroy();
  await new Promise((resolve) => setImmediate(resolve)); // that turn, and no chunk in it
  t.same(events.filter((e) => e.event !== 'close'), [], 'no chunk produced after destroy');
  t.match(events.at(-1), { event: 'close', complete: false });

  // A snapshot holds the database as it was: while it is open, a checkpoint cannot pass the writes made
  // after it; once the stream is gone, it can.
  let calls = 0;
  const failing = new ExportStream(
    app.db,
    {
      ...spec,
      page: (db, n, keys) => {
        calls += 1;
        if (calls === 1) return { ...pageRecommendations(db, {}, sort, 2, keys), nextKeys: ['KGZ-3', '~', 'KGZ-3-ZZZ'] };
        throw new Error('the disk is gone');
      },
    },
    { origin: 'http://x' },
  );
  failing.pause();
  failing.read(0);
  await once(failing, 'readable');
  await insertRecommendation(app, { id: 'KGZ-3-LATE-1', text: 'Written while the export is open.' });
  t.equal(checkpointBusy(app.db), 1, 'the open export holds its snapshot');
  failing.resume();
  const [error] = (await once(failing, 'error')) as [Error];
  t.equal(error.message, 'the disk is gone', 'a failing read ends the stream with its error');
  t.equal(checkpointBusy(app.db), 0, 'and releases the snapshot');
  t.match(events.at(-1), { event: 'close', complete: false });
});

t.test('ExportStream built row by row (a list without stored documents) waits for its reader too', async (t) => {
  if (sqliteOnly(t, "the SQLite export stream's internals (ExportStream on app.db, rows written with SQLite's SQL)")) return;
  const app = await buildTestApp(t);
  // Long rows: one chunk of them is more than the stream's buffer holds.
  app.db.$client.exec(`with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000)
    insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at)
    select printf('KGZ-3-LONG-%06d', i), 'KGZ-3', printf('%08d', i), replace(hex(zeroblob(400)), '0', 'x'), 0,
      '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from n;`);
  const sort = resolveSort(undefined, {});
  const events = recordExportEvents(t);
  const stream = new ExportStream(
    app.db,
    {
      resource: 'recommendations',
      format: 'csv',
      bom: undefined,
      columns: recommendationCsvColumns,
      sortName: sort.name,
      after: undefined,
      limit: 50,
      page: (db, n, keys) => pageRecommendations(db, {}, sort, n, keys),
    },
    { origin: 'http://x' },
  );
  stream.pause();
  stream.read(0);
  while (!events.some((e) => e.event === 'wait')) await delay(10);
  t.equal(produced(events), EXPORT_CHUNK_ROWS, 'one chunk read, then it waits for the reader');
  stream.destroy();
});
