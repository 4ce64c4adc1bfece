import { parse } from 'csv-parse/sync';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import JSZip from 'jszip';
import type { Test } from 'tap';
import { openDatabase, type Db } from '../src/db/open.js';
import { authentication } from '../src/auth/index.js';
import { authenticateHeader, createApiKey } from '../src/auth/keys.js';
import { registerProblemHandlers } from '../src/http/problem.js';
import { importRoutes, type ImportRouteOptions } from '../src/import/routes.js';
import { importFile, type RunImport } from '../src/import/run.js';
import type { ImportOptions, ImportReport, ImportSource } from '../src/import/types.js';
import { postgresSide } from './helpers.js';
import { templateDatabaseBytes } from './support/template-db.js';

// Fixtures for the import tests: a seeded in-memory database, files as byte sources, text in the legacy
// encodings (and mis-encoded like the Terman corpus), and hand-made OHCHR matrices (.docx).

/**
 * A migrated and seeded in-memory database: opened from the template's bytes (test/support/template-db.ts),
 * as openDatabase(':memory:') would leave it without migrating and seeding anew (~0.2 s of CPU each).
 */
export function seededDb(t: Test): Db {
  const db = openDatabase(templateDatabaseBytes());
  t.teardown(() => db.$client.close());
  return db;
}

/**
 * The import route alone on a bare app over a seeded SQLite database, with authentication and problem answers:
 * for what the route plugin does before any backend (its limits, its slots). `wrap` runs the real import (to
 * hold it, say); `options` are the plugin's. Gives the app, its database and an admin key.
 */
export async function bareImportApp(
  t: Test,
  options: Partial<ImportRouteOptions> = {},
  wrap: (real: RunImport) => RunImport = (real) => real,
): Promise<{ app: FastifyInstance; db: Db; key: string }> {
  const db = seededDb(t);
  const app = Fastify({ logger: false });
  t.teardown(() => app.close());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  app.decorate('db', db);
  await app.register(authentication, { authenticate: (header) => authenticateHeader(db, header) });
  await app.register(importRoutes, { run: wrap((source, opts) => importFile(db, source, opts)), prefix: '/v1', ...options });
  return { app, db, key: createApiKey(db, 'dashboard', 'admin').key };
}

/** A file's bytes, delivered in chunks of `chunkSize` bytes (to exercise chunk boundaries). */
export function bytesSource(bytes: Uint8Array | string, name = 'fixture', chunkSize = 1 << 16): ImportSource {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return {
    name,
    async *chunks() {
      for (let i = 0; i < data.length; i += chunkSize) yield data.subarray(i, i + chunkSize);
    },
  };
}

/**
 * A recommendations CSV export without the columns an import does not read back: version, createdAt and updatedAt (the
 * server's) and each source's reading (what the files printed when imported here: a copy imported from our export
 * was not imported from them). Still a CSV file, its rows in order.
 */
export function withoutServerFields(csv: string): string {
  const rows = parse(csv, { relax_quotes: false }) as string[][];
  const kept = rows[0]!.flatMap((name, i) => (NOT_READ_BACK.has(name) ? [] : [i]));
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return rows.map((row) => kept.map((i) => cell(row[i]!)).join(',')).join('\r\n') + '\r\n';
}

const NOT_READ_BACK = new Set(['version', 'createdAt', 'updatedAt', 'readingParagraphs', 'readingPositions', 'readingPositionLabels', 'readingPositionSources']);

export function run(db: Db, file: Uint8Array | string, options: Partial<ImportOptions> = {}) {
  return importFile(db, bytesSource(file), { actor: 'test', ...options });
}

/**
 * Imports a file into a test app's database, whichever backend it runs on (test/helpers.ts buildTestApp): the
 * import POST /v1/imports runs there (src/import/pg-import.ts on PostgreSQL), without its HTTP edge.
 */
export async function importInto(app: FastifyInstance, file: Uint8Array | string, options: Partial<ImportOptions> = {}): Promise<ImportReport> {
  const side = postgresSide(app);
  if (side === undefined) return run(app.db, file, options);
  await side.pending;
  // Imported here: SQLite runs need not load pg.
  const { pgImportFile } = await import('../src/import/pg-import.js');
  return pgImportFile({ pool: side.pool }, bytesSource(file), { actor: 'test', ...options });
}

/** The environment naming a test app's database to a command (npm run import, keys…): DATABASE_URL or DATABASE_PATH. */
export function databaseEnv(app: FastifyInstance): Record<string, string> {
  const side = postgresSide(app);
  if (side === undefined) return { DATABASE_PATH: app.db.$client.name };
  return { DATABASE_URL: side.pool.options.connectionString! };
}

function encoder(table: string[]): (text: string) => Uint8Array {
  const byChar = new Map(table.map((char, byte) => [char, byte]));
  return (text) =>
    Uint8Array.from([...text].map((char) => {
      const byte = byChar.get(char);
      if (byte === undefined) throw new Error(`"${char}" has no byte in this encoding`);
      return byte;
    }));
}

const MAC = [...new TextDecoder('macintosh').decode(Uint8Array.from({ length: 256 }, (_, i) => i))];
// Windows-1252, written out for 0x80–0x9F (Node 20's TextDecoder reads those bytes as Latin-1).
const CP1252 = [...new TextDecoder('latin1').decode(Uint8Array.from({ length: 256 }, (_, i) => i))];
CP1252.splice(0x80, 32, ...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ');

export const macRoman = encoder(MAC);
export const windows1252 = encoder(CP1252);

/** A small Terman-style CSV (Mac Roman, CR lines): a state spelled as the corpus does, an unresolved recommender
 * ("NA"), a Working Group "consider", two reviews. */
export const TERMAN_STYLE_CSV = macRoman(
  'text,to,decision,From,year,notes\r' +
    '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\r' +
    '"76.2. Protect the State’s defenders (Norway);",kyrgysztan,consider,Norway;,2010,\r' +
    '64.1 To ratify CRPD (Brazil);,Korea,support,Brazil,2011,\r' +
    '76.3 Abolish it (NA);,kyrgysztan,consider,NA,2010,\r',
);

// ── The Terman corpus and UPR Info on the same review (src/import/reconcile.ts) ──

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
const lines = (rows: string[][]) => rows.map((r) => r.map(quote).join(',')).join('\r') + '\r';
export const termanFile = (rows: string[][]) => lines([['text', 'to', 'decision', 'From', 'year', 'notes'], ...rows]);
export const uprInfoFile = (rows: string[][]) =>
  macRoman(lines([['To', 'To-Rgrp', 'To-Org', 'Text', 'From', 'From-Rgrp', 'From-Org', 'Response', 'Action', 'Issue', 'Session'], ...rows]));
/** A row of UPR Info's coding of Kyrgyzstan's first review. */
export const uprInfoRow = (text: string, from: string, response: string, action: string, issue: string) =>
  ['Kyrgyzstan', 'Asia', '', text, from, 'WEOG', '', response, action, issue, '8'];

/** Five paragraphs of Kyrgyzstan's 2010 report; the same text for France (76.4) and Italy (76.5). */
export const RECONCILE_TERMAN = termanFile([
  ['76.1. Ratify the Optional Protocol to the Convention against Torture (Czech Republic);', 'kyrgysztan', 'support', 'Czech Republic', '2010', ''],
  ['76.2. Consider abolishing the death penalty (Spain);', 'kyrgysztan', 'consider', 'Spain', '2010', ''],
  ['76.3. Ensure the independence of the judiciary and fight corruption in the courts (Norway);', 'kyrgysztan', 'support', 'Norway', '2010', ''],
  ['76.4. Protect journalists from attacks (France);', 'kyrgysztan', 'support', 'France', '2010', ''],
  ['76.5. Protect journalists from attacks (Italy);', 'kyrgysztan', 'support', 'Italy', '2010', ''],
]);

/** UPR Info's coding of the same: one text for France and Italy (split by paragraph either order), and a text the report lacks. */
export const RECONCILE_UPR_INFO = uprInfoFile([
  uprInfoRow('Ratify the Optional Protocol to the Convention against Torture ', 'Czech Republic', 'Accepted', '5', 'Torture and other CID treatment'),
  uprInfoRow('Consider abolishing the death penalty', 'Spain', 'Noted', '3', 'Death penalty'),
  uprInfoRow('Ensure the independence of the judiciary and fight corruption in courts', 'Norway', 'Accepted', '4', 'Justice'),
  uprInfoRow('Protect journalists from attacks', 'France', 'Accepted', '4', 'Freedom of the press'),
  uprInfoRow('Protect journalists from attacks', 'Italy', 'Accepted', '4', 'Freedom of the press'),
  uprInfoRow('Adopt a new law on non-governmental organisations', 'Germany', 'Noted', '5', 'Civil society'),
]);

// Tanzania 2011 (A/HRC/19/4): the report prints "Ratify the Convention against Torture …" word for word as 86.4
// (Denmark) and 86.5 (the Democratic Republic of the Congo); UPR Info gives the text once, for those two and Benin,
// whose request is 86.6 (the Convention and its Optional Protocol). Left ambiguous before session 42's audit
// (Benin had no paragraph of the text), which read 3 such texts (12 paragraphs) on the whole record.
const CAT = 'Ratify the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment';
export const TANZANIA_TERMAN = termanFile([
  [`86.4. ${CAT} (Denmark);`, 'tanzania', 'consider', 'Denmark', '2011', ''],
  [`86.5. ${CAT} (Democratic Republic of the Congo);`, 'tanzania', 'consider', 'Democratic Republic of the Congo', '2011', ''],
  [`86.6. ${CAT} and its Optional Protocol (Benin);`, 'tanzania', 'consider', 'Benin', '2011', ''],
]);
const tanzania = (from: string) => ['Tanzania', 'Africa', 'AU', CAT, from, 'Africa', '', 'Accepted', '5', 'International instruments', '12'];
export const TANZANIA_UPR_INFO = uprInfoFile([tanzania('Benin'), tanzania('Democratic Republic of Congo'), tanzania('Denmark')]);

/** Text saved as Mac Roman after being mis-encoded `times` times (Mac Roman bytes read as Windows-1252). */
export function misencodedMacRoman(text: string, times: number): Uint8Array {
  let current = text;
  for (let i = 0; i < times; i++) current = [...macRoman(current)].map((b) => CP1252[b]).join('');
  return macRoman(current);
}

// ── OHCHR matrices ──

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A paragraph of runs; "\t" and "\n" become tabs and breaks. */
export function p(text: string): string {
  const runs = text.split(/(\t|\n)/).map((part) => {
    if (part === '\t') return '<w:r><w:tab/></w:r>';
    if (part === '\n') return '<w:r><w:br/></w:r>';
    return `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">${escapeXml(part)}</w:t></w:r>`;
  });
  return `<w:p><w:pPr><w:spacing w:before="40"/></w:pPr>${runs.join('')}</w:p>`;
}

export function cell(...paragraphs: string[]): string {
  return `<w:tc><w:tcPr><w:tcW w:w="4435" w:type="dxa"/></w:tcPr>${paragraphs.map(p).join('')}</w:tc>`;
}

export function tr(...cells: string[]): string {
  return `<w:tr>${cells.join('')}</w:tr>`;
}

export interface Entry {
  text: string; // "121.1 Ratify … (France);"
  source?: string | null; // "A/HRC/43/15 - Para 121"
  position?: string;
  tags?: string[]; // the themes cell's lines
}

export function entryRow(entry: Entry): string {
  const first = entry.source === null ? [entry.text] : [entry.text, `Source of Position: ${entry.source ?? 'A/HRC/43/15 - Para 121'}`];
  return tr(cell(...first), cell(entry.position ?? 'Supported'), cell(...(entry.tags ?? ['- Right to education'])), cell(''));
}

export const HEADER_ROW = tr(cell('Recommendation'), cell('Position'), cell('Full list of themes'), cell('Assessment/comments on level of implementation'));
export const themeRow = (theme: string) => tr(`<w:tc><w:tcPr><w:gridSpan w:val="4"/></w:tcPr>${p(`Theme: ${theme}`)}</w:tc>`);

export interface DocxOptions {
  header?: string | null; // page header text; null for none
  mainPath?: string; // where the main document part lives
  bodyXml?: string; // replaces the table
  title?: string; // a paragraph before the table
  coreTitle?: string; // the title of the document's properties (docProps/core.xml)
  deflate?: boolean; // its parts compressed, as Word writes them (else stored)
}

/** A .docx with one table of rows, and a page header naming the review. */
export async function matrixDocx(rows: string[], options: DocxOptions = {}): Promise<Uint8Array> {
  const mainPath = options.mainPath ?? 'word/document.xml';
  const dir = mainPath.slice(0, mainPath.lastIndexOf('/') + 1);
  const name = mainPath.slice(dir.length);
  const zip = new JSZip();
  const core =
    options.coreTitle === undefined
      ? ''
      : `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>`;
  if (options.coreTitle !== undefined) {
    zip.file(
      'docProps/core.xml',
      `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
        `xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${escapeXml(options.coreTitle)}</dc:title><dc:creator>OHCHR</dc:creator></cp:coreProperties>`,
    );
  }
  zip.file(
    '_rels/.rels',
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${mainPath}"/>${core}</Relationships>`,
  );
  const header = options.header === undefined ? 'UPR of Slovenia (3rd Cycle - 34th Session)' : options.header;
  const rels = [];
  if (header !== null) {
    zip.file(`${dir}header1.xml`, `<?xml version="1.0"?><w:hdr xmlns:w="${W}">${p(header)}${p('Thematic list of recommendations')}</w:hdr>`);
    rels.push(`<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>`);
  }
  rels.push(`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`);
  zip.file(
    `${dir}_rels/${name}.rels`,
    `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`,
  );
  const title = options.title === undefined ? '' : p(options.title);
  const body = options.bodyXml ?? `${title}<w:tbl><w:tblPr/>${rows.join('')}</w:tbl><w:p/>`;
  zip.file(mainPath, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="${W}">\n  <w:body>${body}<w:sectPr/></w:body>\n</w:document>`);
  return zip.generateAsync({ type: 'uint8array', ...(options.deflate ? { compression: 'DEFLATE' } : {}) });
}

/** Count rows of a table, optionally where a condition holds. */
export function count(db: Db, table: string, where = '1 = 1', ...params: unknown[]): number {
  return db.$client.prepare(`select count(*) from ${table} where ${where}`).pluck().get(...params) as number;
}

export function codesOf(db: Db, id: string): string[] {
  return db.$client
    .prepare('select state_code from recommendation_states where recommendation_id = ? order by 1')
    .pluck()
    .all(id) as string[];
}

export function unresolvedOf(db: Db, id: string): string[] {
  return db.$client
    .prepare('select name from recommendation_unresolved_states where recommendation_id = ? order by 1')
    .pluck()
    .all(id) as string[];
}

export function recommendation(db: Db, id: string) {
  return db.$client.prepare('select * from recommendations where id = ?').get(id) as
    | Record<string, string | number | null>
    | undefined;
}
