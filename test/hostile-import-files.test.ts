import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { configFromEnv, loadEnv } from '../src/config.js';
import { runImportCli } from '../src/import/cli.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, ImportLimitError } from '../src/import/limits.js';
import { readParagraph } from '../src/import/terman-csv.js';
import { ImportError } from '../src/import/types.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';
import { cell, databaseEnv, entryRow, HEADER_ROW, importInto, matrixDocx, tr } from './import-helpers.js';
import { testSql } from './support/test-sql.js';

// Hostile files, built here: zip bombs (honest and lying headers), damaged archives, XML that is deep, huge,
// malformed or declares entities, a table of 300,000 rows, CSV cells that made the paragraph regex
// quadratic, a 19 MB line, oversized multipart forms. Each must be refused with a clear 4xx at a bounded
// cost (event-loop delay, memory: generous margins, never timings) and write nothing.

const MiB = 1024 * 1024;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

// ── cost ──

interface Cost {
  maxDelayMs: number; // the longest the event loop was blocked, in CPU time
  growthMB: number; // peak RSS above the start
}

// The event loop's delay is measured as the most CPU time the process spent between two ticks of a 5 ms
// interval, the gap up to the end included (monitorEventLoopDelay only records a block at its next tick,
// which may come after the end). CPU time, not wall time: on a loaded machine a gap's wall time is mostly
// waiting for a core, which says nothing about the work the import did without yielding.
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  let last = process.cpuUsage();
  let maxGap = 0;
  const sample = () => {
    const spent = process.cpuUsage(last);
    maxGap = Math.max(maxGap, (spent.user + spent.system) / 1000);
    last = process.cpuUsage();
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return { result, cost: { maxDelayMs: maxGap, growthMB: (peak - start) / MiB } };
  } finally {
    clearInterval(timer);
  }
}

/** Generous bounds: the failures they catch took 6–28 s and gigabytes. */
function boundedCost(t: Test, cost: Cost, what: string) {
  t.ok(cost.maxDelayMs < 3000, `${what}: event loop blocked ${Math.round(cost.maxDelayMs)} ms of CPU (< 3 s)`);
  t.ok(cost.growthMB < 200, `${what}: RSS grew ${Math.round(cost.growthMB)} MB (< 200 MB)`);
}

// ── zip archives, assembled by hand (so that headers can lie) ──

interface ZipPart {
  name: string;
  data: Buffer; // the entry's content, before compression
  method?: number; // 8 deflate (default), 0 stored, anything else
  compressed?: Buffer; // the bytes stored, when not data deflated
  declaredSize?: number; // the uncompressed size the headers claim (default: the truth)
  crc?: number; // the checksum they claim (default: data's)
  flags?: number;
}

function zipOf(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const method = part.method ?? 8;
    const stored = part.compressed ?? (method === 8 ? deflateRawSync(part.data) : part.data);
    const name = Buffer.from(part.name);
    const size = part.declaredSize ?? part.data.length;
    const crc = part.crc ?? crc32(part.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(part.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(part.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const documentXml = (body: string) => Buffer.from(`<?xml version="1.0"?><w:document ${W}><w:body>${body}</w:body></w:document>`);
const docxOf = (xml: Buffer | string, part: Partial<ZipPart> = {}) =>
  zipOf([{ name: 'word/document.xml', data: Buffer.from(xml), ...part }]);

/**
 * `size` bytes of zeros, deflated while streaming (never held whole): about 1 KB per MiB. Deflating 512 MiB
 * costs 1.5 s of CPU, and the result depends only on the size and zlib: made once, kept in a file named after
 * both (written through a rename, so a parallel test never reads half of it), and read by later runs and by
 * the PostgreSQL pass.
 */
async function deflatedZeros(size: number): Promise<Buffer> {
  const path = join(tmpdir(), `upr-tracker-test-zeros-${size}-zlib-${process.versions.zlib}.deflate`);
  try {
    return readFileSync(path);
  } catch {
    const deflated = await deflateZeros(size);
    writeFileSync(`${path}.${process.pid}.tmp`, deflated);
    renameSync(`${path}.${process.pid}.tmp`, path);
    return deflated;
  }
}

async function deflateZeros(size: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < size; written += MiB) {
    if (!deflate.write(zeros)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

// ── the service ──

interface Service {
  app: FastifyInstance;
  key: string;
  snapshot(): Promise<string>; // what an import could change
}

/**
 * The app, importing every file in the request's thread: the cost measured is the importer's own, on the event loop
 * (a file of IMPORT_THREAD_MIN_BYTES or more would be imported in the import thread, whose start the process's RSS
 * and CPU would count too; the thread's answers to hostile files are the same: test/import-thread.test.ts).
 */
async function service(t: Test, limits: Partial<ImportLimits> = {}): Promise<Service> {
  const app = await buildTestApp(t, { importLimits: { ...DEFAULT_IMPORT_LIMITS, ...limits }, importThreadMinBytes: Number.MAX_SAFE_INTEGER });
  const key = mintKey(app, 'write', 'importer');
  const sql = testSql(app);
  const snapshot = async () =>
    JSON.stringify([
      await app.dataRevision.current(),
      ...(await Promise.all(['reviews', 'recommendations', 'sources', 'audit_log'].map((table) => sql.count(table)))),
    ]);
  return { app, key, snapshot };
}

async function postFile(s: Service, payload: Buffer, type: string, url = '/v1/imports') {
  return s.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${s.key}`, 'content-type': type }, payload });
}

/** Posts a hostile body; asserts the status, a problem body, a bounded cost and an unchanged database. */
async function refused(t: Test, s: Service, what: string, status: number, detail: RegExp, send: () => ReturnType<typeof postFile>) {
  const before = await s.snapshot();
  const { result, cost } = await measured(send);
  t.equal(result.statusCode, status, `${what}: ${status}`);
  t.match(result.headers['content-type'], /^application\/problem\+json/, `${what}: a problem`);
  t.match(result.json().detail, detail, `${what}: says why`);
  boundedCost(t, cost, what);
  t.equal(await s.snapshot(), before, `${what}: nothing written`);
}

// ── .docx ──

t.test('zip bombs are refused before or while inflating, at a bounded cost', async (t) => {
  const s = await service(t);
  const bomb = await deflatedZeros(512 * MiB); // about 0.5 MB that inflates to 512 MiB
  t.ok(bomb.length < 2 * MiB, `the bomb is ${bomb.length} bytes`);

  const honest = docxOf(Buffer.alloc(0), { compressed: bomb, declaredSize: 512 * MiB });
  await refused(t, s, 'declared 512 MiB', 413, /inflates to 536870912 bytes: more than the 33554432 bytes left/, () =>
    postFile(s, honest, DOCX),
  );
  const lying = docxOf(Buffer.alloc(0), { compressed: bomb, declaredSize: 1000 });
  await refused(t, s, 'declared 1000 bytes, inflates to 512 MiB', 422, /inflates to more than the 1000 bytes its header declares/, () =>
    postFile(s, lying, DOCX),
  );
  const manyParts = zipOf(
    Array.from({ length: DEFAULT_IMPORT_LIMITS.maxZipEntries + 1 }, (_, i) => ({ name: `part${i}.xml`, data: Buffer.from('<a/>') })),
  );
  await refused(t, s, 'too many entries', 413, /holds 1001 entries; at most 1000 are read/, () => postFile(s, manyParts, DOCX));
});

t.test('XML the parser must not see: a DTD, deep nesting, too many elements, a 300,000-row table', async (t) => {
  const s = await service(t);
  const entity = `<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document ${W}><w:body>&x;</w:body></w:document>`;
  await refused(t, s, 'external entity', 422, /declares a document type \(DTD\)/, () => postFile(s, docxOf(entity), DOCX));

  const deep = documentXml(`${'<w:sdt>'.repeat(100_000)}${'</w:sdt>'.repeat(100_000)}`);
  await refused(t, s, '100,000 nested elements', 422, /nests elements more than 64 deep/, () => postFile(s, docxOf(deep), DOCX));

  const rows = documentXml(`<w:tbl>${'<w:tr><w:tc><w:p/></w:tc></w:tr>'.repeat(300_000)}</w:tbl>`);
  const table = docxOf(rows);
  t.ok(table.length < 100_000, `the 300,000-row table is ${table.length} bytes zipped, ${rows.length} inflated`);
  await refused(t, s, '300,000 table rows', 413, /more than 250000 XML elements/, () => postFile(s, table, DOCX));
});

t.test('a malformed .docx is 422 and creates nothing, not even its review', async (t) => {
  const s = await service(t);
  const cut = documentXml(`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>121.1 Ratify (France)</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`).subarray(0, 150);
  await refused(t, s, 'a cut-off document', 422, /is not well-formed XML \(<w:\w+> is never closed\)/, () => postFile(s, docxOf(cut), DOCX));
  // The page header names a review, but no row is an entry: the review must not be created either.
  const noEntries = Buffer.from(await matrixDocx([HEADER_ROW, tr(cell('not an entry'))]));
  await refused(t, s, 'a table without entries', 422, /none of the table's 2 rows is an entry/, () => postFile(s, noEntries, DOCX));
  t.equal(await testSql(s.app).count('reviews', 'id = ?', ['SVN-3']), 0, 'the review of the page header was not created');
});

t.test('damaged archives and XML are refused with what is wrong', async (t) => {
  const app = await buildTestApp(t);
  const reject = async (file: Buffer, message: RegExp, type: typeof ImportError = ImportError) => {
    const error = await importInto(app, file, { format: 'ohchr-matrix' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(error instanceof type, `${message}: ${type.name}`);
    t.match((error as Error).message, message);
  };
  const good = docxOf(documentXml(''));
  const patched = (at: (file: Buffer) => number, write: (file: Buffer, at: number) => void) => {
    const copy = Buffer.from(good);
    write(copy, at(copy));
    return copy;
  };
  const eocd = (file: Buffer) => file.length - 22;
  const central = (file: Buffer) => file.readUInt32LE(file.length - 6);
  await reject(patched(eocd, (f, at) => f.writeUInt16LE(0xffff, at + 10)), /ZIP64 archives are not supported/);
  await reject(patched(eocd, (f, at) => f.writeUInt32LE(0x7fffffff, at + 16)), /the central directory lies outside the file/);
  await reject(patched(central, (f, at) => f.writeUInt32LE(0, at)), /a damaged central directory/);
  await reject(patched(central, (f, at) => f.writeUInt16LE(1, at + 8)), /word\/document\.xml is encrypted/);
  await reject(patched(central, (f, at) => f.writeUInt32LE(0x7fffffff, at + 20)), /word\/document\.xml is cut off/);
  await reject(patched(central, (f, at) => f.writeUInt16LE(12, at + 10)), /compressed with method 12; only stored and deflated/);
  await reject(patched(() => 0, (f) => f.writeUInt32LE(0, 0)), /word\/document\.xml is damaged/);
  await reject(docxOf(Buffer.alloc(10), { compressed: Buffer.from([0xff, 0xff, 0xff]) }), /cannot be inflated/);
  await reject(docxOf(documentXml(''), { declaredSize: 100_000 }), /holds \d+ bytes, not the 100000 its header declares/);
  await reject(docxOf(documentXml('<w:tbl></w:tbl>'), { method: 0 }), /the document has no table/, ImportError); // stored: read
  // A checksum that is not the data's: a bit flipped in a stored part was read as another text (session 43).
  const table = documentXml('<w:tbl></w:tbl>');
  await reject(docxOf(table, { method: 0, crc: (crc32(table) ^ 1) >>> 0 }), /word\/document\.xml is not what was written: its checksum \(CRC-32\) does not match/);
  const flipped = Buffer.from(table);
  flipped[flipped.indexOf('<w:tbl>') + 3]! ^= 0x20; // <w:Tbl>
  await reject(docxOf(flipped, { crc: crc32(table) }), /its checksum \(CRC-32\) does not match/); // deflated
  const twice = zipOf([
    { name: 'word/document.xml', data: documentXml('') },
    { name: 'word/document.xml', data: documentXml('<w:tbl/>') },
  ]);
  await reject(twice, /the document has no table/); // the first of two entries of one name

  const xml = (body: string) => docxOf(documentXml(body));
  await reject(xml('<w:p a=">" b=\'>\'><!-- <w:tbl> --><![CDATA[<w:tbl>]]><?pi <w:tbl>?></w:p>'), /the document has no table/);
  await reject(xml('<!-- never closed'), /a comment, CDATA section or processing instruction is never closed/);
  await reject(xml('<w:p a="never closed>'), /a tag is never closed/);
  await reject(docxOf('<w:document a="x"'), /a tag is never closed/); // cut off after a quoted value
  await reject(xml('<w:p></w:r>'), /<\/w:r> where <\/w:p> was due/);
  await reject(docxOf('</w:document>'), /<\/w:document> where no end tag was due/);
  await reject(xml('<__proto__/>'), /is not well-formed XML \(\[SECURITY\]/);

  const limits = { ...DEFAULT_IMPORT_LIMITS };
  const limited = async (file: Uint8Array, change: Partial<typeof limits>, message: RegExp) => {
    await t.rejects(importInto(app, file, { limits: { ...limits, ...change } }), message);
    await t.rejects(importInto(app, file, { limits: { ...limits, ...change } }), ImportLimitError);
  };
  const matrix = await matrixDocx([HEADER_ROW, tr(cell('121.1 Ratify it (France)', 'Source of Position: A/HRC/43/15 - Para 121'), cell('Supported'), cell('- Theme'))]);
  t.equal((await importInto(app, matrix, { dryRun: true, limits })).recommendations.created, 1, 'within the limits');
  await limited(matrix, { maxInflatedBytes: 1000 }, /The \.docx is larger than 1000 bytes/);
  await limited(matrix, { maxRows: 1 }, /tables have 2 rows; at most 1 are read/);
  // 50: every text between two tags fits (the longest, 46), the entry's first cell (24 + 42) does not.
  await limited(matrix, { maxCellChars: 50 }, /Row 2 of the table has a cell longer than 50 characters/);
});

t.test('a text or attributes no matrix has: refused before parsing, or not read', async (t) => {
  // The parser gathers a text one character at a time (32 million characters in one text: 6.5 s of a blocked
  // event loop) and builds a property for each attribute (200,000 on one element: 1.3 s). A text between two
  // tags is part of a cell or a title, so one longer than a cell may be is refused before parsing (413); the
  // document's attributes are not read; the relationships' are, each counting as an element of the budget.
  const s = await service(t);
  const table = `<w:tbl>${HEADER_ROW}${entryRow({ text: '121.1 Ratify it (France);' })}</w:tbl>`;
  const text = (chars: number) => `<w:p><w:r><w:t>${'a'.repeat(chars)}</w:t></w:r></w:p>`;
  const matrix = (body: string, parts: ZipPart[] = []) => zipOf([{ name: 'word/document.xml', data: documentXml(body) }, ...parts]);
  const url = '/v1/imports?dryRun=true&review=KGZ-3'; // a stored review (creating one needs the admin scope)
  const huge = matrix(`${text(32_000_000)}${table}`);
  t.ok(huge.length < 200_000, `32 million characters in one text: ${huge.length} bytes zipped`);
  const before = await s.snapshot();
  const refusedText = await postFile(s, huge, DOCX, url);
  t.equal(refusedText.statusCode, 413, 'one text of 32 million characters: 413');
  t.match(refusedText.headers['content-type'], /^application\/problem\+json/);
  t.match(refusedText.json().detail, /word\/document\.xml holds a text of more than 20000 characters between two tags/);
  t.equal(await s.snapshot(), before, 'nothing written');
  const cdata = await postFile(s, matrix(`<w:p><w:r><w:t><![CDATA[${'a'.repeat(20_001)}]]></w:t></w:r></w:p>${table}`), DOCX, url);
  t.match({ status: cdata.statusCode, detail: cdata.json().detail }, { status: 413, detail: /more than 20000 characters/ }, 'a CDATA section too');

  const imported = async (file: Buffer) => {
    const response = await postFile(s, file, DOCX, url);
    t.equal(response.statusCode, 200, response.statusCode === 200 ? 'imported' : response.body);
    return response.json().recommendations?.created;
  };
  t.equal(await imported(matrix(`${text(20_000)}${table}`)), 1, 'a text of 20,000 characters (the cell limit) is read');
  // An entity reference is one character: 20,000 of them in 100,000 characters.
  t.equal(await imported(matrix(`<w:p><w:r><w:t>${'&amp;'.repeat(20_000)}</w:t></w:r></w:p>${table}`)), 1, 'entities count as one');
  const entities = await postFile(s, matrix(`<w:p><w:r><w:t>${'&amp;'.repeat(20_001)}</w:t></w:r></w:p>${table}`), DOCX, url);
  t.equal(entities.statusCode, 413, '20,001 entity references: 413');

  const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="v"`).join('');
  t.equal(await imported(matrix(`<w:p${attributes(200_000)}/>${table}`)), 1, "200,000 attributes on one element of the document: not read");
  const rels = (n: number): ZipPart => ({
    name: '_rels/.rels',
    data: Buffer.from(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" ` +
        `Target="word/document.xml"${attributes(n)}/></Relationships>`,
    ),
  });
  t.equal(await imported(matrix(table, [rels(1000)])), 1, 'relationships with 1,000 attributes are read');
  const manyAttributes = await postFile(s, matrix(table, [rels(DEFAULT_IMPORT_LIMITS.maxXmlElements)]), DOCX, url);
  t.equal(manyAttributes.statusCode, 413, `relationships with ${DEFAULT_IMPORT_LIMITS.maxXmlElements} attributes: 413`);
  t.match(manyAttributes.json().detail, /more than 250000 XML elements \(and attributes, in its relationships\)/);
  t.equal(await s.snapshot(), before, 'nothing written');
});

t.test('the review a page header or title names is read in linear time, whatever its spaces', async (t) => {
  // The regex reading "UPR of <State> (<n>th Cycle - <n>th Session)" backtracked over a run of spaces at each of
  // its `\s*` and `\s+`: n² steps. 100,000 spaces after "UPR of a (3", in runs of 20,000 (each text within the
  // cell limit) in a 600-byte .docx, held the event loop 14 s; a million, for ever.
  const s = await service(t);
  const table = `<w:tbl>${HEADER_ROW}${entryRow({ text: '121.1 Ratify it (France);' })}</w:tbl>`;
  const spaces = `<w:r><w:t xml:space="preserve">${' '.repeat(20_000)}</w:t></w:r>`.repeat(5);
  const title = `<w:p><w:r><w:t>UPR of a (3</w:t></w:r>${spaces}<w:r><w:t>x</w:t></w:r></w:p>`;
  const file = docxOf(documentXml(`${title}${table}`));
  t.ok(file.length < 1000, `${file.length} bytes`);
  const before = await s.snapshot();
  const { result, cost } = await measured(() => postFile(s, file, DOCX, '/v1/imports?dryRun=true&review=KGZ-3'));
  t.equal(result.statusCode, 200, result.statusCode === 200 ? 'imported (a dry run)' : result.body);
  boundedCost(t, cost, '100,000 spaces in a title');
  t.equal(await s.snapshot(), before, 'nothing written');

  // Runs of spaces read as one: a title spaced out still names its review (Kyrgyzstan's third, stored).
  const spaced = `<w:p><w:r><w:t xml:space="preserve">UPR of   Kyrgyzstan  (3rd \t Cycle -\n 35th   Session)</w:t></w:r></w:p>`;
  const named = await postFile(s, docxOf(documentXml(`${spaced}${table}`)), DOCX, '/v1/imports?dryRun=true');
  t.equal(named.statusCode, 200, named.statusCode === 200 ? 'the review is the title’s' : named.body);
});

t.test('an entity reference is looked for beside its "&", not to the end of the part', async (t) => {
  // Checking a long text's length looked for the ";" of each "&" to the end of the part: n² steps for a text
  // of "&" without ";" (200,000 of them in a 1.1 KB .docx held the event loop 2.6 s; a million, a minute).
  const s = await service(t);
  const text = `<w:p><w:r><w:t>${'a&amp'.repeat(1_000_000)}</w:t></w:r></w:p>`;
  await refused(t, s, 'a million "&" without ";"', 413, /holds a text of more than 20000 characters between two tags/, () =>
    postFile(s, docxOf(documentXml(text)), DOCX),
  );
});

// ── CSV ──

const TERMAN_HEADER = 'text,to,decision,From,year,notes\n';

t.test('the paragraph reader is linear: "1.1." and 100,000 digits', async (t) => {
  const digits = '1.1.' + '1'.repeat(100_000);
  const { result, cost } = await measured(async () => readParagraph(digits));
  t.equal(result.paragraph, '1.1');
  boundedCost(t, cost, 'readParagraph');
  // The glued form still reads as before.
  t.match(readParagraph('106.40..1 106.41. Text'), { paragraph: '106.41', text: 'Text' });

  // Through an import, with the cell limit raised so that the regex meets the whole cell.
  const app = await buildTestApp(t);
  const file = `${TERMAN_HEADER}"${digits} (France);",kyrgysztan,support,France,2010,\n`;
  const imported = await measured(() =>
    importInto(app, file, { dryRun: true, limits: { ...DEFAULT_IMPORT_LIMITS, maxCellChars: 200_000 } }),
  );
  t.equal(imported.result.recommendations.created, 1);
  boundedCost(t, imported.cost, 'a 100,000-digit paragraph imported');
});

t.test('CSV rows are bounded: a long cell, a 19 MB line, 19 MB of commas, too many rows', async (t) => {
  const s = await service(t);
  const digits = `${TERMAN_HEADER}"1.1.${'1'.repeat(100_000)}",kyrgysztan,support,France,2010,\n`;
  await refused(t, s, 'a 100,004-character cell', 413, /A row is longer than 20000 characters/, () =>
    postFile(s, Buffer.from(digits), 'text/csv'),
  );
  const line = Buffer.alloc(19 * 1000 * 1000, 'a,');
  await refused(t, s, 'a 19 MB line', 413, /A row is longer than 20000 characters/, () =>
    postFile(s, Buffer.concat([Buffer.from(TERMAN_HEADER), line]), 'text/csv'),
  );
  // The parser counted a row's characters but not its commas: 19 MB of commas was one row of 19 million empty
  // cells (28 s of parsing and hundreds of MB), read as a blank row (a 200 with nothing imported).
  await refused(t, s, '19 MB of commas', 413, /A row is longer than 20000 characters/, () =>
    postFile(s, Buffer.concat([Buffer.from(TERMAN_HEADER), Buffer.alloc(19 * 1000 * 1000, ',')]), 'text/csv'),
  );
  const wide = await service(t, { maxCellChars: 100 });
  const row = (commas: number) => Buffer.from(`${TERMAN_HEADER}76.1. Ratify CAT (France);,kyrgysztan,support,France,2020,${','.repeat(commas)}\n`);
  t.equal((await postFile(wide, row(42), 'text/csv', '/v1/imports?dryRun=true')).statusCode, 200, 'a row of 100 characters, its commas counted');
  await refused(t, wide, 'a row of 101 characters, its commas counted', 413, /A row is longer than 100 characters/, () =>
    postFile(wide, row(43), 'text/csv'),
  );
  // Rows of the wrong width are the parser's slowest (an error object each): 60,000 against a limit of 5,000.
  const fewer = await service(t, { maxRows: 5000 });
  const rows = `${TERMAN_HEADER}${'\n'.repeat(60_000)}`;
  await refused(t, fewer, 'too many rows', 413, /more than 5000 rows/, () => postFile(fewer, Buffer.from(rows), 'text/csv'));
});

// ── multipart ──

function form(fields: [string, string][], file?: Buffer) {
  const boundary = '----hostile';
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  const filePart = file
    ? [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.csv"\r\nContent-Type: text/csv\r\n\r\n`), file, Buffer.from('\r\n')]
    : [];
  return {
    payload: Buffer.concat([Buffer.from(parts.join('')), ...filePart, Buffer.from(`--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

t.test('multipart forms: fields, parts and the whole form are bounded; no boundary is 400', async (t) => {
  const s = await service(t);
  // (2020: Kyrgyzstan's stored review; creating one would need the admin scope.)
  const csv = Buffer.from(`${TERMAN_HEADER}76.1. Ratify CAT (France);,kyrgysztan,support,France,2020,\n`);
  const ok = form([['note', 'a small field']], csv);
  t.equal((await postFile(s, ok.payload, ok.type, '/v1/imports?dryRun=true')).statusCode, 200, 'a small field is tolerated');

  const bigField = form([['note', 'x'.repeat(5 * MiB)]], csv);
  await refused(t, s, 'a 5 MiB field', 413, /A form field is longer than 1024 bytes/, () => postFile(s, bigField.payload, bigField.type));
  const manyFields = form(Array.from({ length: 11 }, (_, i): [string, string] => [`f${i}`, 'x']), csv);
  await refused(t, s, '11 fields', 413, /reach fields limit/, () => postFile(s, manyFields.payload, manyFields.type));
  const huge = form(Array.from({ length: 30 }, (_, i): [string, string] => [`f${i}`, 'x'.repeat(MiB)]), csv);
  await refused(t, s, '30 MiB of fields', 413, /larger than a file of 20971520 bytes and a few small fields/, () =>
    postFile(s, huge.payload, huge.type),
  );
  await refused(t, s, 'no boundary', 400, /The multipart body cannot be read: .*[Bb]oundary/, () =>
    postFile(s, ok.payload, 'multipart/form-data'),
  );
});

// ── the command ──

t.test('the command prints one line for a file it refuses, and exits 1', async (t) => {
  const dir = tempDir(t);
  const database = databaseEnv(await buildTestApp(t));
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const err: string[] = [];
    const status = await runImportCli(args, { ...database, ...env }, {
      out: () => {},
      err: (text) => err.push(text),
    });
    return { status, err: err.join('') };
  };
  const bomb = join(dir, 'bomb.docx');
  writeFileSync(bomb, docxOf(Buffer.alloc(0), { compressed: await deflatedZeros(64 * MiB), declaredSize: 64 * MiB }));
  const refusedBomb = await cli([bomb]);
  t.equal(refusedBomb.status, 1);
  t.match(refusedBomb.err, /^\S*bomb\.docx was not imported \(nothing written\): The \.docx part word\/document\.xml inflates to 67108864 bytes/);
  t.equal(refusedBomb.err.trim().split('\n').length, 1, 'one line');

  const entity = join(dir, 'entity.docx');
  writeFileSync(entity, docxOf(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`));
  t.match(await cli([entity]), { status: 1, err: /declares a document type/ });

  const folder = join(dir, 'a-folder.csv');
  mkdirSync(folder);
  // A directory is refused before the database is opened (it was read, and failed as "Error: EISDIR").
  t.same(await cli([folder]), { status: 1, err: `Cannot read ${folder}: it is a directory, not a file.\n` });

  const small = join(dir, 'small.docx');
  writeFileSync(small, await matrixDocx([HEADER_ROW, tr(cell('121.1 Ratify it (France)', 'Source of Position: A/HRC/43/15 - Para 121'), cell('Supported'), cell('- Theme'))]));
  t.match(await cli([small], { IMPORT_MAX_ROWS: '1' }), { status: 1, err: /tables have 2 rows; at most 1 are read/ });
  t.match(await cli([small], { IMPORT_MAX_ROWS: '0' }), { status: 1, err: /IMPORT_MAX_ROWS/ }, 'an invalid environment: 1, as in every command');
});

t.test('the import limits come from the environment', async (t) => {
  const env = {
    IMPORT_MAX_ZIP_ENTRIES: '10',
    IMPORT_MAX_INFLATED_BYTES: '2000',
    IMPORT_MAX_XML_ELEMENTS: '30',
    IMPORT_MAX_XML_DEPTH: '5',
    IMPORT_MAX_ROWS: '7',
    IMPORT_MAX_CELL_CHARS: '99',
  };
  t.same(configFromEnv(loadEnv(env)).importLimits, {
    maxZipEntries: 10,
    maxInflatedBytes: 2000,
    maxXmlElements: 30,
    maxXmlDepth: 5,
    maxRows: 7,
    maxCellChars: 99,
  });
  const app = await buildTestApp(t);
  const file = docxOf(documentXml('<w:p><w:p><w:p><w:p><w:p/></w:p></w:p></w:p></w:p>'));
  await t.rejects(importInto(app, file, { limits: configFromEnv(loadEnv(env)).importLimits }), /nests elements more than 5 deep/);
});
