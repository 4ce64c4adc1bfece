import type { Db } from '../db/open.js';
import { applyImport } from './apply.js';
import { readOhchrMatrix } from './ohchr-matrix.js';
import { StateResolver } from './states.js';
import { readTermanCsv, TERMAN_COLUMNS } from './terman-csv.js';
import {
  IMPORT_FORMATS,
  ImportError,
  type ImportFormat,
  type ImportOptions,
  type ImportReport,
  type ImportSource,
  optionText,
  type ImportCaller,
  type ParsedFile,
} from './types.js';
import { readUprInfoCsv, UPR_INFO_COLUMNS } from './upr-info.js';
import { readUprTrackerCsv, UPR_TRACKER_REQUIRED_COLUMNS } from './upr-tracker-csv.js';

// One import: detect the format (unless given), read the file into records, apply them in one transaction.

/** An import into the service's database (src/db/backend.ts): importFile on SQLite, pgImportFile on PostgreSQL. */
export type RunImport = (source: ImportSource, options: ImportOptions) => Promise<ImportReport>;

export const REVIEW_ID = /^[A-Z]{3}-[1-4]$/;

export async function importFile(db: Db, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  return applyRead(db, await readImport(db, source, options), options);
}

/** The file read into records: what it reads of the database is its vocabularies (states, aliases, labels) and reviews. */
export async function readImport(db: Db, source: ImportSource, options: ImportOptions): Promise<ParsedFile> {
  if (options.review !== undefined && !REVIEW_ID.test(options.review)) {
    throw new ImportError(
      `${optionText(options.caller, 'review', `"${options.review}"`)} is not a review id like KGZ-3 (ISO code, hyphen, cycle 1–4).`,
    );
  }
  const format = options.format ?? (await detectFormat(source, options.caller));
  if (format !== 'ohchr-matrix') refuseUtf16(await headOf(source));
  const resolver = new StateResolver(db);
  if (resolver.empty) {
    // Every row would be skipped, its states unresolved: a 200 that imported nothing.
    throw new ImportError(
      'The database holds no states, so no state the file names can be resolved and nothing would be imported. ' +
        'A new PostgreSQL database is empty until seeded: run `npm run seed` with its DATABASE_URL (or copy a SQLite ' +
        'database into it with `npm run db:copy`).',
    );
  }
  return format === 'ohchr-matrix'
    ? await readOhchrMatrix(source, resolver, db, options.review, options.limits, options.caller)
    : format === 'terman-csv'
      ? await readTermanCsv(source, resolver, options.review, options.limits)
      : format === 'upr-info'
        ? await readUprInfoCsv(source, resolver, options.review, options.limits)
        : await readUprTrackerCsv(source, resolver, options.review, options.limits);
}

/** What readImport read, written in one transaction. */
export function applyRead(db: Db, parsed: ParsedFile, options: ImportOptions): ImportReport {
  return applyImport(db, parsed, {
    actor: options.actor,
    dryRun: options.dryRun ?? false,
    scope: options.scope ?? 'admin',
    now: options.now ?? new Date().toISOString(),
    newDatabase: options.newDatabase ?? false,
  });
}

export function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

/** The file's first 4096 bytes. */
async function headOf(source: ImportSource): Promise<Uint8Array> {
  const head: number[] = [];
  for await (const chunk of source.chunks()) {
    for (const byte of chunk) {
      head.push(byte);
      if (head.length >= 4096) break;
    }
    if (head.length >= 4096) break;
  }
  return Uint8Array.from(head);
}

/**
 * A CSV in UTF-16 (Excel's "Unicode Text", a byte order mark FF FE or FE FF, or ASCII with a zero byte beside
 * each letter) is refused as such: it was read as a file whose header lacked every column, or whose rows each
 * held NUL characters.
 */
function refuseUtf16(head: Uint8Array): void {
  const bom = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const zeros = head.length >= 4 && ((head[1] === 0 && head[3] === 0) || (head[0] === 0 && head[2] === 0));
  if (bom || zeros) {
    throw new ImportError(
      'The file is in UTF-16 (Excel\'s "Unicode Text"), which the importer does not read: save it as CSV in UTF-8 ' +
        '(Excel: Save As → CSV UTF-8 (Comma delimited); LibreOffice: Save As → Text CSV, character set Unicode (UTF-8)) and import that.',
    );
  }
}

/**
 * The format from the file's first bytes: a zip (.docx) is a matrix; a CSV is known by its header. When none
 * is known, the message names how `caller` gives the format.
 */
export async function detectFormat(source: ImportSource, caller?: ImportCaller): Promise<ImportFormat> {
  const bytes = await headOf(source);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'ohchr-matrix';
  // OLE2 compound file: a Word 97–2003 .doc (older OHCHR matrices), which this importer does not read.
  if ([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1].every((b, i) => bytes[i] === b)) {
    throw new ImportError(
      'This is a legacy Word 97–2003 document (.doc), which the importer does not read: convert it to .docx ' +
        '(Word: Save As → Word Document; LibreOffice: soffice --headless --convert-to docx FILE.doc) and import that.',
    );
  }
  refuseUtf16(bytes);
  const firstLine = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)[0]!;
  const header = firstLine.split(',').map((cell) => cell.trim().replace(/^"|"$/g, '').trim().toLowerCase());
  if (TERMAN_COLUMNS.every((c) => header.includes(c))) return 'terman-csv';
  if (UPR_INFO_COLUMNS.every((c) => header.includes(c))) return 'upr-info';
  if (UPR_TRACKER_REQUIRED_COLUMNS.every((c) => header.includes(c.toLowerCase()))) return 'upr-tracker-csv';
  throw new ImportError(
    `Cannot tell the file's format (not a .docx, and the first line is not a known CSV header): pass ${optionText(caller, 'format', IMPORT_FORMATS.join('|'))}.`,
  );
}
