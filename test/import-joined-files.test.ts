import t from 'tap';
import { csvRecords, type CsvFindings } from '../src/import/csv.js';
import type { ImportReport } from '../src/import/types.js';
import { buildTestApp } from './helpers.js';
import { importInto } from './import-helpers.js';

// Two exported CSV files joined (`cat a.csv b.csv`), or a line pasted from another file: a byte order mark
// (U+FEFF) where a line starts, and the header again. Before: a BOM before a quoted cell broke its quoting (a
// Terman row read as one misplaced cell and refused as an unknown state; a UPR Info file refused whole as
// "Invalid Opening Quote"), and the second header was refused as a record of a state named "To".

const BOM = '\uFEFF';
const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
const lines = (rows: string[][], eol: string) => rows.map((r) => r.map(quote).join(',') + eol).join('');

const joinedWarnings = (headerRow: number) => [
  { message: '2 byte order marks (U+FEFF) past the start of the file removed (files joined, or a line pasted from another file)' },
  { row: headerRow, message: 'the header row again (files joined?): read as the header, not as a record' },
];

const warningsOf = (report: ImportReport) => [...report.warnings].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));

async function storedTexts(app: Awaited<ReturnType<typeof buildTestApp>>, review: string): Promise<string[]> {
  const response = await app.inject({ url: `/v1/recommendations?reviewId=${review}&limit=500` });
  return (response.json().data as { text: string }[]).map((r) => r.text).sort();
}

t.test('UPR Info files joined: the second header is read as one, in its own column order, and no BOM is kept', async (t) => {
  const app = await buildTestApp(t);
  const header = ['To', 'To-Rgrp', 'To-Org', 'Text', 'From', 'From-Rgrp', 'From-Org', 'Response', 'Action', 'Issue', 'Session'];
  const row = (to: string, text: string, from: string) => [to, 'Asia', 'OIC', text, from, 'WEOG', 'EU', 'Accepted', '4', 'Elections', '8'];
  // The second file's columns in another order: Text first.
  const reordered = (cells: string[]) => [cells[3]!, ...cells.slice(0, 3), ...cells.slice(4)];
  const first = lines([header, row('Kyrgyzstan', 'Hold open and transparent elections', 'Tajikistan'), row('Kyrgyzstan', 'Ratify the Optional Protocol to CAT', 'Spain')], '\r\n');
  const second = lines([reordered(header), reordered(row('Kyrgyzstan', 'Consider abolishing the death penalty', 'Spain'))], '\r\n');
  // A pasted line: its BOM before a quoted first cell.
  const pasted = BOM + lines([reordered(row('Kyrgyzstan', 'Protect journalists, and bloggers', 'France'))], '\r\n');
  t.ok(pasted.startsWith(`${BOM}"`));
  const report = await importInto(app, BOM + first + BOM + second + pasted);
  t.equal(report.format, 'upr-info');
  t.same(report.recommendations, { created: 4, updated: 0, unchanged: 0 });
  t.same(report.problems, []);
  t.same(warningsOf(report), joinedWarnings(4));
  t.same(await storedTexts(app, 'KGZ-1'), [
    'Consider abolishing the death penalty',
    'Hold open and transparent elections',
    'Protect journalists, and bloggers',
    'Ratify the Optional Protocol to CAT',
  ]);
});

t.test('Terman files joined: a quoted text after a BOM is read as text, the second header as a header', async (t) => {
  const app = await buildTestApp(t);
  const header = ['text', 'to', 'decision', 'From', 'year', 'notes'];
  const first = lines([header, ['76.1. Ratify the Optional Protocol to CAT (Czech Republic);', 'Kyrgyzstan', 'support', 'Czech Republic', '2010', '']], '\n');
  const second = lines([header, ['76.2. Protect journalists, and bloggers (France);', 'Kyrgyzstan', 'support', 'France', '2010', '']], '\n');
  const pasted = BOM + lines([['76.3. Consider abolishing the death penalty (Spain);', 'Kyrgyzstan', 'consider', 'Spain', '2010', '']], '\n');
  const report = await importInto(app, first + BOM + second + pasted);
  t.equal(report.format, 'terman-csv');
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.same(report.problems, []);
  t.equal(report.skipped, 0);
  t.same(warningsOf(report), joinedWarnings(3));
  const texts = await storedTexts(app, 'KGZ-1');
  t.equal(texts.length, 3);
  t.notOk(texts.some((text) => text.includes(BOM)), 'no text holds a BOM');
});

t.test("our own export joined to itself: the same records, unchanged; a cycle and a session are digits, as the API's", async (t) => {
  const app = await buildTestApp(t);
  const exported = (await app.inject({ url: '/v1/recommendations?reviewId=KGZ-3&format=csv&bom=true' })).body;
  t.ok(exported.startsWith(BOM), 'the export starts with its BOM');
  const rows = exported.split('\r\n').filter((line) => line !== '').length - 1;
  const report = await importInto(app, exported + exported);
  t.equal(report.format, 'upr-tracker-csv');
  t.same(report.recommendations, { created: 0, updated: 0, unchanged: rows });
  // The second copy's rows are the first's again: said once each, by the id they repeat.
  t.equal(report.skipped, rows);
  t.match(report.problems[0], { row: rows + 3, message: /^same id \(KGZ-3-[A-Z]+-1\) as row 2: not imported twice$/ });
  t.same(warningsOf(report), [
    { message: '1 byte order mark (U+FEFF) past the start of the file removed (files joined, or a line pasted from another file)' },
    { row: rows + 2, message: 'the header row again (files joined?): read as the header, not as a record' },
  ]);

  // Number() read 0x3 and 3e0 as cycle 3.
  const [headerLine, firstRow] = exported.slice(1).split('\r\n');
  const cycle = headerLine!.split(',').indexOf('cycle');
  const withCycle = (value: string) => {
    const cells = firstRow!.split(',');
    cells[cycle] = value;
    return `${headerLine}\r\n${cells.join(',')}\r\n`;
  };
  for (const value of ['0x3', '3e0', '3.0']) {
    const refused = await importInto(app, withCycle(value), { dryRun: true });
    t.match(refused.problems, [{ message: `cycle "${value}" is not a UPR cycle (1–4)` }], value);
  }
  t.same((await importInto(app, withCycle(' 3'), { dryRun: true })).problems, [], 'spaces around it are no part of it');
  // A session the same: "abc" was left out unsaid, 1e308 read as a number.
  const session = headerLine!.split(',').indexOf('session');
  for (const value of ['abc', '1e308', '0x8']) {
    const cells = firstRow!.split(',');
    cells[session] = value;
    const refused = await importInto(app, `${headerLine}\r\n${cells.join(',')}\r\n`, { dryRun: true });
    t.match(refused.problems, [{ message: `session "${value}" is not a Working Group session number (digits 0-9)` }], value);
  }
});

t.test('the reader counts the BOMs past the start, across chunks, and removes them all', async (t) => {
  const read = async (chunks: string[]) => {
    const findings: CsvFindings = { byteOrderMarks: 0 };
    const records: string[][] = [];
    async function* text() {
      yield* chunks;
    }
    for await (const record of csvRecords(text(), { findings })) records.push(record);
    return { records, marks: findings.byteOrderMarks };
  };
  t.same(await read([`${BOM}a,b\n1,2\n`]), { records: [['a', 'b'], ['1', '2']], marks: 0 }, "the file's own");
  t.same(await read(['', `${BOM}a,b\n`, `${BOM}1,2\n`]), { records: [['a', 'b'], ['1', '2']], marks: 1 }, 'an empty chunk first');
  t.same(await read([`a,${BOM}${BOM}b\n`, `"1${BOM}",2\n`]), { records: [['a', 'b'], ['1', '2']], marks: 3 }, 'anywhere');
});
