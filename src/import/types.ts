import type { ImportLimits } from '../config.js';
import type { ChangeReason } from '../changes/schemas.js';
import type { ApiKeyScope, LabelScheme, LabelSource, Position } from '../db/schema.js';
import type { SourceReading } from './reconcile.js';

// The shapes every importer shares: each format turns a file into ImportRecords (plus the reviews and
// sources they need), and one `apply` writes them. A field left undefined is one the format does not
// carry: an update keeps the stored value (the Terman CSV has no themes, so it never clears curated ones).

export const IMPORT_FORMATS = ['ohchr-matrix', 'terman-csv', 'upr-info', 'upr-tracker-csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/**
 * Who asked for an import, so that a message names what that caller can give: an option of the command line
 * (`npm run import`), or a query parameter of POST /v1/imports.
 */
export type ImportCaller = 'cli' | 'http';

/** An import option with its value (or a placeholder) as `caller` gives it: `--format terman-csv`, or the query parameter `format=terman-csv`. */
export function optionText(caller: ImportCaller | undefined, name: 'format' | 'review', value: string): string {
  return caller === 'http' ? `the query parameter ${name}=${value}` : `--${name} ${value}`;
}

/** Where a record or a problem is in the file: a CSV row (the header is row 1) or a row of the matrix table. */
export interface Location {
  row?: number;
  paragraph?: string | null;
}

export interface ImportRecord {
  /** Given by formats that carry ids (our own export); otherwise derived from review, paragraph and text. */
  id?: string;
  reviewId: string;
  paragraph: string | null;
  text: string;
  /** The text the id's suffix is derived from when several texts share a paragraph (the text minus its states). */
  idText: string;
  verbatim?: boolean;
  recommendingStates?: string[]; // ISO codes
  unresolvedRecommenders?: string[]; // names as printed, when no code resolves them
  position?: Position | null;
  positionLabel?: string | null;
  positionSource?: string | null;
  sourceId?: string | null;
  themes?: string[]; // theme ids
  sdgs?: number[];
  affectedPersons?: string[]; // affected-persons group ids
  /** Who attached the themes, SDGs and affected persons given here (undefined: the format carries none). */
  labelSource?: LabelSource;
  /** Who attached each theme, where the file says it per label (our own CSV's themeSources): wins over labelSource. */
  themeSources?: Record<string, LabelSource>;
  /** Likewise each goal (by its number) and each affected-persons group: our own CSV's sdgSources and affectedPersonSources. */
  sdgSources?: Record<string, LabelSource>;
  affectedPersonSources?: Record<string, LabelSource>;
  /** UPR Info's 1–5 action category (undefined: the format does not carry it). */
  actionCategory?: number | null;
  /** Set by reconcile when the official wording merges into a record stored from a source without it: its states replace the stored ones. */
  statesReplaceStored?: boolean;
  /** What this file itself says (kept in recommendation_sources), set by reconcile before a merge. */
  reading?: SourceReading;
  /** Why this import changes or creates the record, for its audit entry: set by reconcile on the parts of a record it splits. */
  reason?: ChangeReason;
  /** The rows (or table rows) the record was read from, for the report. */
  rows: number[];
}

export interface ReviewInput {
  id: string;
  stateCode: string;
  cycle: number;
  wgSession?: number | null;
  reportSymbol?: string | null;
  /** The year of the Working Group report as the file gives it (the Terman corpus's `year`). */
  reportYear?: number | null;
}

export interface SourceInput {
  id: string;
  title: string;
  publisher: string;
  url: string;
  publishedOn: string | null;
}

/** A vocabulary entry a file uses: added when missing (uhri: true for OHCHR's own wording). */
export interface LabelInput {
  id: string;
  label: string;
  uhri: boolean;
  /** The vocabulary (default: uhri when `uhri`, else local). */
  scheme?: LabelScheme;
}

/** A row (or entry) that could not be imported, or one imported with something the reader should know. */
export interface ImportNote extends Location {
  message: string;
}

export interface NameCount {
  name: string;
  count: number; // rows
  note: string; // why it did not resolve: unknown, ambiguous, several states in one cell
}

/** A label a matrix prints that the vocabulary did not hold: added as printed, to check. */
export interface UnmappedLabel {
  kind: 'theme' | 'affected-persons group';
  label: string;
  count: number; // entries that give it
}

export interface EncodingReport {
  encoding: 'utf-8' | 'windows-1252' | 'macintosh';
  lineEndings: 'none' | 'LF' | 'CRLF' | 'CR' | 'mixed';
  /** How many times the text was re-read (Windows-1252 bytes as Mac Roman) to undo later mis-encodings. */
  repairSteps: number;
  repairs: number; // characters replaced
  repaired: Record<string, number>; // "Õ → ’": 474
}

/** What a format reader produces from one file. */
export interface ParsedFile {
  format: ImportFormat;
  records: ImportRecord[];
  reviews: ReviewInput[];
  sources: SourceInput[];
  themes: LabelInput[]; // every theme the records use, added to the vocabulary when missing
  affectedPersons: LabelInput[];
  rowsRead: number;
  /** Rows outside the review selected with --review (not imported, not problems). */
  rowsNotSelected: number;
  skipped: ImportNote[];
  warnings: ImportNote[];
  unresolvedRecommenders: NameCount[];
  unresolvedStatesUnderReview: NameCount[];
  encoding?: EncodingReport;
  /** Labels (of an OHCHR matrix) that map to nothing in the vocabulary. */
  unmappedLabels?: UnmappedLabel[];
  /** UHRI codes an OHCHR matrix prints for themes that have none stored yet ("B32" → racial-discrimination). */
  uhriIds?: ThemeUhriId[];
}

export interface ThemeUhriId {
  id: string;
  /** The UHRI code OHCHR prints before the label ("B32"). */
  uhriId: string;
}

export interface KeptField {
  id: string;
  field: string;
  value: unknown;
  offered: unknown;
}

export interface ImportReport {
  format: ImportFormat;
  dryRun: boolean;
  encoding?: EncodingReport;
  rowsRead: number;
  rowsNotSelected: number;
  recommendations: { created: number; updated: number; unchanged: number };
  /** Records merged into one another source gave (same review, same or nearly the same text), and those that
   * fit several equally (kept apart, listed in warnings). */
  reconciliation: { matched: number; ambiguous: number };
  skipped: number; // rows not imported
  updated: { id: string; fields: string[] }[];
  /** Fields a curator wrote last, kept, with the value the file offered instead (src/recommendations/curated-fields.ts). */
  kept: KeptField[];
  reviewsCreated: string[];
  reviewsUpdated: string[];
  sourcesCreated: string[];
  themesCreated: string[];
  affectedPersonsCreated: string[];
  /** Stored recommendations of the imported reviews that this file does not contain (kept as they are). */
  notInFile: string[];
  problems: ImportNote[]; // every row that could not be imported, with the reason
  warnings: ImportNote[]; // imported, with something to check
  unresolvedRecommenders: NameCount[];
  unresolvedStatesUnderReview: NameCount[];
  /** Labels the file prints that map to nothing in the vocabulary (added as printed; to check). */
  unmappedLabels: UnmappedLabel[];
  /** UHRI codes stored for the first time, each with the theme it keys from now on. */
  uhriIdsLearned: ThemeUhriId[];
  revision: number; // the data revision after the import (unchanged by a dry run or a no-op)
}

/** The file cannot be imported at all (unreadable, not the format, no review): nothing is written. */
export class ImportError extends Error {
  override name = 'ImportError';

  /** 422, or 403 when the import needs a scope the key lacks (creating a review needs admin, as in the API). */
  constructor(
    message: string,
    readonly status: 403 | 422 = 422,
  ) {
    super(message);
  }
}

export interface ImportOptions {
  format?: ImportFormat;
  /** ohchr-matrix: the review the file is about; CSV formats: import only this review's rows. */
  review?: string;
  dryRun?: boolean;
  /** Who asked (default cli): the options a message names are that caller's (optionText). */
  caller?: ImportCaller;
  actor: string;
  /**
   * The scope the import acts with, as the write API checks it: creating or completing a review needs admin.
   * Default admin: the operator running the command with the database file; POST /v1/imports passes its key's.
   */
  scope?: ApiKeyScope;
  now?: string;
  /** What the file may cost (IMPORT_MAX_*); the defaults when absent. */
  limits?: ImportLimits;
  /**
   * SQLite: the caller created the database file and nothing else uses it (the command line's new
   * DATABASE_PATH): the import is written through a rollback journal instead of the WAL (see applyImport).
   */
  newDatabase?: boolean;
}

/** A file to import: its bytes, readable more than once (detection reads a CSV twice, streaming). */
export interface ImportSource {
  name: string;
  chunks(): AsyncIterable<Uint8Array>;
  /** The whole file, when it is held in memory (an upload): what the import thread is sent (import-thread.ts). */
  bytes?: Uint8Array;
}
