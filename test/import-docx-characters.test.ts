import JSZip from 'jszip';
import t from 'tap';
import { loadDocx, readXml } from '../src/import/ohchr-docx.js';
import { DEFAULT_IMPORT_LIMITS } from '../src/import/limits.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp } from './helpers.js';
import { bytesSource, entryRow, HEADER_ROW, matrixDocx } from './import-helpers.js';
import { postImport, stored } from './support/import-mutant-check.js';
import { testSql } from './support/test-sql.js';

// A character XML does not allow in a .docx's part, raw or as a character reference, and bytes that are not the
// part's encoding: refused with a 422 that names the part and where, nothing written. Before, the parser dropped
// "&#0;", "&#x1;" or "&#xD800;" (a character of the text lost unsaid), kept "&#xFFFE;" as that character, "&#x;" or
// "&#x110000;" as printed, a raw U+0001 as a control in the stored text, and read bytes that are not UTF-8 as U+FFFD.
// Every case is read by the .docx reader (no database: the reading is the same whichever the backend); a few are
// sent through POST /v1/imports on the suite's backend, for the answer and nothing written.

const TEXT = '121.1 Ratify the Convention@ (France);';

/** A matrix whose first entry's text holds `inserted` (raw XML) where TEXT has "@"; its document.xml as bytes. */
async function matrixWith(inserted: string | Buffer): Promise<{ file: Uint8Array; xml: Buffer }> {
  const marked = await matrixDocx([HEADER_ROW, entryRow({ text: TEXT })]);
  const zip = await JSZip.loadAsync(marked);
  const [head, tail] = (await zip.file('word/document.xml')!.async('string')).split('@') as [string, string];
  const xml = Buffer.concat([Buffer.from(head), Buffer.from(inserted), Buffer.from(tail)]);
  zip.file('word/document.xml', xml);
  return { file: await zip.generateAsync({ type: 'uint8array' }), xml };
}

/** The reader's refusal of a .docx's document.xml (its message), or undefined when it reads it. */
async function readingFault(file: Uint8Array): Promise<string | undefined> {
  return readXml(await loadDocx(bytesSource(file), DEFAULT_IMPORT_LIMITS), 'word/document.xml').then(
    () => undefined,
    (error: Error) => `${error.name}: ${error.message}`,
  );
}

t.test('a character XML does not allow, raw or referenced, or a reference that is no number: refused naming the part and where', async (t) => {
  const refusals: [inserted: string, detail: RegExp][] = [
    ['&#0;', /"&#0;" .*: U\+0000, a control character, which no text holds/],
    ['&#x1;', /"&#x1;" .*: U\+0001, a control character/],
    ['&#x8;', /"&#x8;" .*: U\+0008, a control character/],
    ['&#x1B;', /"&#x1B;" .*: U\+001B, a control character/],
    ['&#127;', /"&#127;" .*: U\+007F, a control character/],
    ['&#x85;', /"&#x85;" .*: U\+0085, a control character/],
    ['&#xFFFE;', /"&#xFFFE;" .*: U\+FFFE, a noncharacter, which no text holds/],
    ['&#xFFFF;', /U\+FFFF, a noncharacter, which no text holds/],
    ['&#xD800;', /"&#xD800;" .*: U\+D800, half of a UTF-16 surrogate pair/],
    ['&#xDBFF;&#xDC00;', /"&#xDBFF;" .*: U\+DBFF, half of a UTF-16 surrogate pair/],
    ['&#x110000;', /"&#x110000;" .*: past U\+10FFFF, the last Unicode character/],
    ['&#99999999999999999999999999;', /"&#9999999999999…" .*: past U\+10FFFF/],
    ['&#x;', /"&#x;" .*: not a decimal or hexadecimal number ending in ";"/],
    ['&#;', /"&#;" .*: not a decimal or hexadecimal number/],
    ['&#xZZ;', /"&#xZZ;" .*: not a decimal or hexadecimal number/],
    ['&#12a;', /"&#12a;" .*: not a decimal or hexadecimal number/], // was read as &#12; and dropped
    ['&#X41;', /"&#X41;" .*: not a decimal/], // XML's is a lower-case x
    ['&#+65;', /"&#\+65;" .*: not a decimal/],
    ['&#65', /"&#65" .*: not a decimal/], // no ";"
    ['\u0001', /U\+0001 at character \d+, after "[^"]*": a control character/],
    ['\u0000', /U\+0000 at character/],
    ['\u0085', /U\+0085 at character/],
    ['\uFFFF', /U\+FFFF at character/],
  ];
  for (const [inserted, detail] of refusals) {
    const { file, xml } = await matrixWith(inserted);
    const fault = await readingFault(file);
    const what = JSON.stringify(inserted);
    t.match(fault, /^ImportError: Not a readable \.docx: word\/document\.xml is not well-formed XML \(/, `${what}: a 422's ImportError, naming the part`);
    const at = xml.toString('utf8').indexOf(inserted) + 1;
    t.match(fault, `at character ${at}, after "…plementation 121.1 Ratify the Convention"`, `${what}: where, and the text before it`);
    t.match(fault, detail, `${what}: why`);
  }
  // An attribute's value is checked too (the relationships' are read), a comment's or CDATA section's text not.
  t.match(await readingFault((await matrixWith('</w:t><w:t a="&#x2;">')).file), /"&#x2;" at character \d+, after "[^"]*Ratify the Convention": U\+0002/, 'in an attribute');
  t.equal(await readingFault((await matrixWith('<!-- &#0; --><![CDATA[&#x1;]]><?pi &#0;?>')).file), undefined, 'in a comment, CDATA or a processing instruction: no reference');
});

t.test('refused through POST /v1/imports: a 422 problem, nothing written', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const key = mintKey(app, 'admin');
  const before = await stored(sql);
  for (const [inserted, detail] of [
    ['&#x1;', /word\/document\.xml is not well-formed XML \(the character reference "&#x1;" at character \d+, after "…[^"]*Ratify the Convention": U\+0001/],
    ['\u0085', /word\/document\.xml is not well-formed XML \(U\+0085 at character \d+/],
    [Buffer.from([0xe9]), /word\/document\.xml is not well-formed XML \(bytes that are not UTF-8 at character \d+/],
  ] as const) {
    const what = JSON.stringify(inserted);
    const response = await postImport(app, key, (await matrixWith(inserted)).file, { multipart: false, dryRun: false });
    t.equal(response.statusCode, 422, `${what}: 422`);
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${what}: a problem`);
    t.match(response.json().detail, detail, `${what}: says where and why`);
  }
  t.equal(await stored(sql), before, 'nothing written');
});

t.test('the characters XML allows are read, whichever way they are written', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const key = mintKey(app, 'admin');
  const { file } = await matrixWith('&#x1F600;&#128512;&#x000041;&#9;&amp;&#x20AC;\u00e9');
  const response = await postImport(app, key, file, { multipart: false, dryRun: false });
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'imported' : response.body);
  const [row] = await sql.all<{ text: string }>("select text from recommendations where review_id = 'SVN-3'");
  t.equal(row?.text, 'Ratify the Convention😀😀A &€é (France);', 'each character read (the tab a space)');
});

t.test("bytes that are not the part's encoding: refused naming where, not read as U+FFFD", async (t) => {
  const refused = async (file: Uint8Array, detail: RegExp, what: string) => t.match(await readingFault(file), detail, what);
  const utf8 = (await matrixWith(Buffer.from([0xe9]))).file; // é in Latin-1
  await refused(utf8, /word\/document\.xml is not well-formed XML \(bytes that are not UTF-8 at character \d+, after "…[^"]*Ratify the Convention": read, they would be U\+FFFD/, 'Latin-1 in UTF-8');
  await refused((await matrixWith(Buffer.from([0xed, 0xa0, 0x80]))).file, /bytes that are not UTF-8 at character/, 'a surrogate encoded as UTF-8');
  t.equal(await readingFault((await matrixWith('\uFFFD')).file), undefined, 'U+FFFD itself is a character');

  // UTF-16, each byte order: a surrogate without its pair, and a last byte alone.
  const utf16 = async (text: string, bigEndian: boolean, tail: number[] = []) => {
    const zip = await JSZip.loadAsync(await matrixDocx([HEADER_ROW, entryRow({ text: TEXT })]));
    const xml = (await zip.file('word/document.xml')!.async('string')).replace('encoding="UTF-8"', 'encoding="UTF-16"');
    const le = Buffer.from(`\uFEFF${xml.replace('@', text)}`, 'utf16le');
    zip.file('word/document.xml', Buffer.concat([bigEndian ? le.swap16() : le, Buffer.from(tail)]));
    return zip.generateAsync({ type: 'uint8array' });
  };
  for (const bigEndian of [false, true]) {
    const order = bigEndian ? 'big-endian' : 'little-endian';
    t.equal(await readingFault(await utf16('\uFFFD', bigEndian)), undefined, `UTF-16 ${order}: read`);
    await refused(await utf16('\uD800', bigEndian), /bytes that are not UTF-16 at character \d+, after "…[^"]*Ratify the Convention"/, `UTF-16 ${order}, a surrogate alone`);
    await refused(await utf16('', bigEndian, [0x20]), /bytes that are not UTF-16 at character \d+/, `UTF-16 ${order}, a byte alone`);
  }
});
