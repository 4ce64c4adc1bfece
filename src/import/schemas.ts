import { z } from 'zod';
import { booleanParam } from '../http/params.js';
import { IMPORT_FORMATS, type ImportReport } from './types.js';

// The import endpoint's parameters and its report, for validation, serialization and OpenAPI.

const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' });

const noteSchema = z
  .object({
    row: count.optional().describe('CSV row (the header is row 1) or row of the matrix table.'),
    paragraph: z.string().nullable().optional().describe('Paragraph number, when the row has one.'),
    message: z.string(),
  })
  .meta({ id: 'ImportNote' });

const nameCountSchema = z
  .object({
    name: z.string().describe('The name as printed.'),
    count: count.describe('Rows that give it.'),
    note: z.string().describe('Why it did not resolve: unknown, ambiguous, or several states in one cell.'),
  })
  .meta({ id: 'UnresolvedName' });

export const importReportSchema = z
  .object({
    format: z.enum(IMPORT_FORMATS),
    dryRun: z.boolean().describe('true: everything was read and checked, nothing was written.'),
    encoding: z
      .object({
        encoding: z.enum(['utf-8', 'windows-1252', 'macintosh']),
        lineEndings: z.enum(['none', 'LF', 'CRLF', 'CR', 'mixed']),
        repairSteps: count.describe('How many times mis-encoded text was re-read (Windows-1252 bytes as Mac Roman).'),
        repairs: count.describe('Characters repaired.'),
        repaired: z.record(z.string(), count).describe('Repairs by character, e.g. {"Õ → ’": 474}.'),
      })
      .optional()
      .describe('CSV files of the Terman corpus: how the text was decoded and repaired.'),
    rowsRead: count.describe('Data rows (or matrix entries) read.'),
    rowsNotSelected: count.describe('Rows of other reviews than the one selected with `review`.'),
    recommendations: z.object({ created: count, updated: count, unchanged: count }),
    reconciliation: z
      .object({ matched: count, ambiguous: count })
      .describe(
        'matched: records merged into the one another source gave (same review, same or nearly the same text); ambiguous: records that fit several equally, kept apart (each in `warnings`).',
      ),
    skipped: count.describe('Rows not imported; each is in `problems`.'),
    updated: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })).describe('What each update changed.'),
    kept: z
      .array(
        z.object({
          id: z.string().describe('The recommendation.'),
          field: z.string().describe('The field, as the write API names it (`sourceId`: the `sources` of a PATCH).'),
          value: z.unknown().describe('Its value, a curator\'s, kept.'),
          offered: z.unknown().describe('What the file gives instead, not written. PATCH the field with it to hand the field back to the files.'),
        }),
      )
      .describe(
        'Fields a curator wrote last (PATCH, POST), which an import never replaces: each with the value the file offered, for review. ' +
          'A position keeps its label and source with it, and a source its position and label.',
      ),
    reviewsCreated: z.array(z.string()),
    reviewsUpdated: z.array(z.string()).describe('Reviews whose missing session, report symbol or report year was filled in.'),
    sourcesCreated: z.array(z.string()),
    themesCreated: z.array(z.string()),
    affectedPersonsCreated: z.array(z.string()),
    notInFile: z.array(z.string()).describe('Stored recommendations of the imported reviews that the file lacks (kept).'),
    problems: z.array(noteSchema).describe('Every row that could not be imported, with the reason.'),
    warnings: z.array(noteSchema).describe('Imported, with something to check.'),
    unresolvedRecommenders: z.array(nameCountSchema).describe('Recommending states kept as printed.'),
    unresolvedStatesUnderReview: z.array(nameCountSchema).describe('States under review whose rows were skipped.'),
    unmappedLabels: z
      .array(
        z.object({
          kind: z.enum(['theme', 'affected-persons group']),
          label: z.string().describe('The wording as printed, without its code ("B32", "12.4.").'),
          count: count.describe('Entries that give it.'),
        })
        .meta({ id: 'UnmappedLabel' }),
      )
      .describe('OHCHR matrix: labels that map to nothing in the UHRI vocabulary, added as printed (to check).'),
    uhriIdsLearned: z
      .array(z.object({ id: z.string().describe('The theme.'), uhriId: z.string().describe('Its UHRI code ("B32"), the theme\'s `uhriId`.') }))
      .describe(
        'OHCHR matrix: UHRI codes stored for the first time with the theme their label maps to; from then on the code ' +
          'keys the theme in every matrix, whatever wording it prints.',
      ),
    revision: count.describe('The data revision after the import.'),
  })
  .meta({ id: 'ImportReport' });

// The report type and its schema describe the same object (this fails to compile when they drift apart).
type ReportShape = z.output<typeof importReportSchema>;
type Same = [ImportReport] extends [ReportShape] ? ([ReportShape] extends [ImportReport] ? true : false) : false;
export const REPORT_SCHEMA_MATCHES: Same = true;

export const importQuery = z
  .object({
    format: z
      .enum(IMPORT_FORMATS)
      .optional()
      .describe('The file format; detected when not given (a .docx is a matrix, a CSV is known by its header).'),
    review: z
      .string()
      .regex(/^[A-Z]{3}-[1-4]$/, 'Expected a review id like KGZ-3')
      .meta({ maxLength: 5 }) // the pattern allows exactly 5 characters
      .optional()
      .describe('ohchr-matrix: the review the file is about (else read from the document); CSV: import only its rows.'),
    dryRun: booleanParam('true: read, check and report everything, write nothing.'),
  })
  .strict();
