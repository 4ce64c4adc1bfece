import { MessageChannel } from 'node:worker_threads';
import t from 'tap';
import { readDecodedCsv } from '../src/import/csv-file.js';
import { CSV_THREAD_MIN_BYTES, CsvThread, csvThread } from '../src/import/csv-thread.js';
import { type CsvAnswer, packRecords, runJob, unpackRecords } from '../src/import/csv-worker.js';
import { csvBatches } from '../src/import/csv.js';
import { analyseText, decodeText } from '../src/import/encoding.js';
import { DEFAULT_IMPORT_LIMITS, ImportLimitError } from '../src/import/limits.js';
import { ImportError } from '../src/import/types.js';
import { readUprInfoCsv } from '../src/import/upr-info.js';
import { StateResolver } from '../src/import/states.js';
import { bytesSource, macRoman, misencodedMacRoman, run, seededDb } from './import-helpers.js';

// A CSV file of CSV_THREAD_MIN_BYTES or more is decoded and parsed in a worker thread (src/import/csv-thread.ts):
// the same records and encoding as in the importing thread, the same errors, and a job given up or a thread
// that stopped never waited on for ever.

const UPR_INFO_HEADER = 'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session';
const STATES = ['France', 'Norway', 'Brazil', 'Kyrgyzstan', 'Czech Republic', 'Spain'];

/** A UPR Info file of `rows` rows (a little over 300 bytes each), its quotes and line breaks inside cells. */
function uprInfoCsv(rows: number, end = '\r\n'): string {
  const lines = [UPR_INFO_HEADER];
  for (let i = 0; i < rows; i++) {
    const text = `"Ensure the State's compliance, ""row ${i}"", with the Paris Principles;\nstrengthen the national institution ${i % 97} and its independence from the executive (${STATES[i % 6]})"`;
    lines.push(`${STATES[(i + 1) % 6]},WEOG,EU,${text},${STATES[i % 6]},GRULAC,OIC,${i % 5 === 0 ? 'Noted' : 'Accepted'},${(i % 5) + 1},"Women's rights,Justice",${(i % 17) + 1}`);
  }
  return lines.join(end) + end;
}

/** The records and encoding as the importing thread reads them (encoding.ts, csv.ts), header included. */
async function inThisThread(bytes: Uint8Array, relaxQuotes = false) {
  const source = bytesSource(bytes);
  const analysis = await analyseText(() => source.chunks());
  const records: string[][] = [];
  for await (const batch of csvBatches(decodeText(source.chunks(), analysis), { relaxQuotes })) records.push(...batch);
  const { encoding, lineEndings, repairSteps, repairs, repaired } = analysis;
  return { encoding: { encoding, lineEndings, repairSteps, repairs, repaired }, records };
}

/** What readDecodedCsv gives (rows below the header, blank ones left out), as records. */
async function decoded(bytes: Uint8Array, chunkSize?: number, options = {}) {
  const csv = await readDecodedCsv(bytesSource(bytes, 'big.csv', chunkSize), (cells) => ({ width: cells.length }), options);
  const records: string[][] = [];
  for await (const batch of csv.batches) for (const { cells } of batch) records.push(cells);
  return { encoding: csv.encoding, records };
}

t.test('a large file is read in the thread: the same records and encoding as in this thread', async (t) => {
  const utf8 = new TextEncoder().encode(uprInfoCsv(2500).replace(/'/g, '’'));
  t.ok(utf8.length >= CSV_THREAD_MIN_BYTES, 'large enough');
  const here = await inThisThread(utf8);
  const there = await decoded(utf8, 10_000);
  t.same(there.encoding, here.encoding);
  t.equal(there.records.length, 2500);
  t.same(there.records, here.records.slice(1), 'every record, cell for cell');

  // Mac Roman, mis-encoded once, in lone CRs: decided and repaired on the whole file, as in this thread.
  const mac = misencodedMacRoman(uprInfoCsv(2500, '\r').replace(/'/g, '’'), 1);
  const macHere = await inThisThread(mac);
  const macThere = await decoded(mac);
  t.match(macThere.encoding, { encoding: 'macintosh', lineEndings: 'mixed', repairSteps: 1 });
  t.same(macThere.encoding, macHere.encoding);
  t.same(macThere.records, macHere.records.slice(1));

  // A small file is read here: the same again.
  const small = macRoman(uprInfoCsv(3).replace(/'/g, '’'));
  t.same((await decoded(small)).records, (await inThisThread(small)).records.slice(1));
});

t.test('an import of a large file gives the report and records of the same rows read here', async (t) => {
  const db = seededDb(t);
  const rows = 2500;
  const big = uprInfoCsv(rows);
  const report = await run(db, big, { dryRun: true });
  t.equal(report.rowsRead, rows);
  t.equal(report.recommendations.created, rows);
  // The same rows in small files (read in this thread), one after the other, say the same.
  let created = 0;
  const lines = big.trimEnd().split(/\r\n(?=[A-Z])/);
  for (let at = 1; at < lines.length; at += 500) {
    const part = [UPR_INFO_HEADER, ...lines.slice(at, at + 500)].join('\r\n');
    t.ok(part.length < CSV_THREAD_MIN_BYTES);
    const small = await run(db, part, { dryRun: true });
    created += small.recommendations.created;
    t.same(small.warnings, [], 'no warnings');
  }
  t.equal(created, report.recommendations.created);
  t.same(report.warnings, []);

  const resolver = new StateResolver(db);
  const parsed = await readUprInfoCsv(bytesSource(big), resolver, undefined);
  t.equal(parsed.records.length, rows);
  t.match(parsed.records[7], { reviewId: 'BRA-1', recommendingStates: ['NOR'], text: /^Ensure the State's compliance, "row 7", with the Paris Principles; strengthen/ });
});

t.test('errors from the thread are those of this thread', async (t) => {
  // A quote never closed: a row longer than the limit.
  const unclosed = new TextEncoder().encode(`${uprInfoCsv(2000)}France,"never closed,${'x'.repeat(30_000)}\r\n`);
  const limitHere = await inThisThread(unclosed).catch((error: Error) => error);
  await t.rejects(decoded(unclosed), limitHere, 'the same message');
  await t.rejects(decoded(unclosed), ImportLimitError, 'an ImportLimitError');
  // More rows than the limit.
  const many = new TextEncoder().encode(uprInfoCsv(2500));
  await t.rejects(decoded(many, undefined, { limits: { ...DEFAULT_IMPORT_LIMITS, maxRows: 1000 } }), new ImportLimitError('The file has more than 1000 rows; larger files are not read.'));
  // Not a CSV the parser reads: "Not a readable CSV file", as rowsBelowHeader says it.
  const quotes = new TextEncoder().encode(`${uprInfoCsv(2000)}France,"a quote" then text,x\r\n`);
  const parseHere = await inThisThread(quotes).catch((error: Error) => error);
  t.match(parseHere, { message: /Invalid Closing Quote/ });
  await t.rejects(decoded(quotes), new ImportError(`Not a readable CSV file: ${(parseHere as Error).message}`));
  t.same((await decoded(quotes, undefined, { relaxQuotes: true })).records.length, 2001, 'read with relaxed quotes');
});

t.test('a job given up ends; an error of the file source is the read’s', async (t) => {
  const db = seededDb(t);
  // A header this format refuses: the reader stops at the first batch, and the thread goes on with the next file.
  const wrong = new TextEncoder().encode(uprInfoCsv(2500).replace('Issue,Session', 'Topic,Round'));
  await t.rejects(readUprInfoCsv(bytesSource(wrong), new StateResolver(db), undefined), /Not a UPR Info CSV: the header lacks "issue", "session"/);
  // A source that fails after its first half megabyte.
  const big = new TextEncoder().encode(uprInfoCsv(2500));
  const failing = {
    name: 'failing.csv',
    async *chunks() {
      yield big.subarray(0, CSV_THREAD_MIN_BYTES);
      yield big.subarray(CSV_THREAD_MIN_BYTES, CSV_THREAD_MIN_BYTES + 1000);
      throw new Error('disk gone');
    },
  };
  await t.rejects(readDecodedCsv(failing, () => ({}), {}), /disk gone/);
  t.equal((await decoded(big)).records.length, 2500, 'the thread reads the next file');
});

t.test('the worker’s job, in this thread: records packed and unpacked, a port closed midway', async (t) => {
  const records = [['a', '', 'é’'], [], ['x'.repeat(5)]];
  t.same(unpackRecords(packRecords(records)), records);
  t.same(unpackRecords(packRecords([])), []);

  const { port1, port2 } = new MessageChannel();
  const answers: CsvAnswer[] = [];
  port1.on('message', (answer: CsvAnswer) => answers.push(answer));
  const job = runJob({ port: port2, relaxQuotes: false, limits: DEFAULT_IMPORT_LIMITS });
  port1.postMessage(new TextEncoder().encode('a,b\r\n1,2\r\n'));
  port1.close(); // (before the end of the bytes: the job ends with what it has, and sends nothing more)
  await job;
  t.same(answers, [], 'nothing after the port closed');
});

t.test('a thread that stopped is an error, never waited on; the next use starts a new one', async (t) => {
  const big = new TextEncoder().encode(uprInfoCsv(2500));
  const source = () => bytesSource(big).chunks()[Symbol.asyncIterator]();
  const broken = new CsvThread(new URL('data:text/javascript,throw new Error("no such worker")'));
  t.teardown(() => broken.close());
  await t.rejects(broken.read([], source(), { limits: DEFAULT_IMPORT_LIMITS }), /the CSV worker stopped: no such worker/);
  await t.rejects(broken.read([], source(), { limits: DEFAULT_IMPORT_LIMITS }), /the CSV worker stopped: no such worker/, 'and then at once');

  // A thread that ends while a file is being sent to it.
  const thread = new CsvThread();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const rest = (async function* () {
    yield big.subarray(0, 1000);
    await gate;
  })();
  const reading = thread.read([], rest, { limits: DEFAULT_IMPORT_LIMITS });
  await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  release();
  await t.rejects(reading, /the CSV worker stopped: it exited \(code \d+\)/);

  const shared = csvThread();
  t.equal(csvThread(), shared, 'the process keeps its thread');
  await shared.close();
  t.not(csvThread(), shared, 'a new one once it stopped');
  await csvThread().close();
  await new CsvThread().close(); // (never started: nothing to end)
});
