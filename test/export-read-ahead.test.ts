import { setTimeout as delay } from 'node:timers/promises';
import t from 'tap';
import { bumpRevision } from '../src/db/revision.js';
import { ExportStream, STORED_CHUNK_ROWS, STORED_READ_AHEAD_BYTES } from '../src/http/export.js';
import { recommendationCsvColumns } from '../src/recommendations/csv.js';
import { freshenDocuments, urlCellAround } from '../src/recommendations/documents.js';
import { documentChunks, pageRecommendations, resolveSort } from '../src/recommendations/queries.js';
import { buildTestApp, sqliteOnly } from './helpers.js';
import { recordExportEvents } from './support/export-events.js';

sqliteOnly(t, 'the SQLite export stream itself: its read-ahead over stored CSV lines');

// An export of stored lines reads one chunk ahead of its reader: while the socket (and the client) take one
// chunk, the next is read from SQLite, instead of the two taking turns. It still stops once its buffer
// holds STORED_READ_AHEAD_BYTES, however slow the reader.

t.test('an export of stored lines reads ahead, up to STORED_READ_AHEAD_BYTES, then waits', async (t) => {
  const app = await buildTestApp(t);
  // Rows of about 600 bytes of CSV: a chunk of STORED_CHUNK_ROWS is about 0.6 MB, less than the buffer.
  app.db.$client.exec(`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${5 * STORED_CHUNK_ROWS})
    insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at)
    select printf('KGZ-3-AHEAD-%06d', i), 'KGZ-3', printf('%08d', i), replace(hex(zeroblob(200)), '0', 'x'), 0,
      '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from n;`);
  app.db.$client.exec('delete from recommendation_relations_stale');
  bumpRevision(app.db);
  freshenDocuments(app.db);
  const events = recordExportEvents(t);

  const sort = resolveSort(undefined, {});
  const sizes: number[] = [];
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
      stored: {
        page: () => Buffer.alloc(0),
        *chunks(db, _format, origin, keys, rows) {
          for (const chunk of documentChunks(db, {}, sort, keys, { csv: urlCellAround(origin) }, rows)) {
            sizes.push(chunk.bytes.length);
            yield chunk;
          }
        },
      },
    },
    { origin: 'http://x' },
  );
  t.teardown(() => stream.destroy());
  stream.pause();
  stream.read(0); // nothing is consumed from here on
  while (events.at(-1)?.event !== 'wait') await delay(10);
  const chunks = events.filter((e) => e.event === 'chunk').length;
  t.ok(sizes.every((size) => size < STORED_READ_AHEAD_BYTES), `each chunk is less than the buffer (${sizes.join(', ')} bytes)`);
  t.ok(chunks >= 2, `a reader that takes nothing still has the next chunk read for it (${chunks} chunks)`);
  t.ok(chunks < 5, 'and not the whole export');
  t.ok(stream.readableLength >= STORED_READ_AHEAD_BYTES, 'the stream stops once its buffer is full');
  t.ok(stream.readableLength < STORED_READ_AHEAD_BYTES + Math.max(...sizes), 'and not a chunk later');
  // produce() runs on a turn of its own after each _read: two more turns, and still no chunk.
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  t.equal(events.filter((e) => e.event === 'chunk').length, chunks, 'no more chunks until it is read');
});
