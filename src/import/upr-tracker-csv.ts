import { slugify } from '../common/slug.js';
import { LABEL_SOURCES, type LabelSource, POSITIONS, type Position } from '../db/schema.js';
import { csvRecords, type CsvFindings } from './csv.js';
import { headerNames, isHeaderAgain, joinedFileNotes } from './csv-file.js';
import type { ImportLimits } from './limits.js';
import { NameCounter, type StateResolver } from './states.js';
import {
  ImportError,
  type ImportNote,
  type ImportRecord,
  type ImportSource,
  type LabelInput,
  type ParsedFile,
  type ReviewInput,
  type SourceInput,
} from './types.js';

// Our own CSV export of GET /v1/recommendations (columns: src/recommendations/csv.ts), read back by column
// name: export → import into an empty database → export again gives the same records (with new versions and
// timestamps). Columns the file lacks
// leave the stored fields alone; the *Name and *Labels columns only serve to create missing labels; the
// url, implementation and developmentCount columns are derived, and version, createdAt and updatedAt are the
// server's: all ignored.

export const UPR_TRACKER_REQUIRED_COLUMNS = ['id', 'reviewId', 'stateUnderReview', 'cycle', 'paragraph', 'text'] as const;

const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;
const SEPARATOR = '; ';

/** The text a cell holds: the export puts an apostrophe before text a spreadsheet would run as a formula. */
const cellText = (value: string) => (value.startsWith("'") ? value.slice(1) : value);

/**
 * A cycle or session as the API reads one (src/http/params.ts): decimal digits, else NaN (Number read 0x2 and 2e0
 * as 2, and a session "abc" was left out unsaid). Over 308 digits too big, not Infinity: validation says so.
 */
const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Math.min(Number(text), Number.MAX_VALUE) : NaN);

const list = (value: string) => (value === '' ? [] : value.split(SEPARATOR).map((v) => v.trim()));

/**
 * Each id's label from the labels cell, where a label may itself contain "; ": one label per id when the
 * counts agree, else the labels whose slug is the id, in order. Ids left without a label are absent.
 */
export function labelsOf(ids: string[], labels: string): Map<string, string> {
  const parts = list(labels);
  const found = new Map<string, string>();
  if (parts.length === ids.length) {
    ids.forEach((id, i) => found.set(id, parts[i]!));
    return found;
  }
  let next = 0;
  for (const id of ids) {
    for (let end = next + 1; end <= parts.length; end++) {
      const label = parts.slice(next, end).join(SEPARATOR);
      if (slugify(label) === id) {
        found.set(id, label);
        next = end;
        break;
      }
    }
  }
  return found;
}

async function* utf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes?: Uint8Array) => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new ImportError('Not UTF-8: an upr-tracker CSV export is UTF-8.');
    }
  };
  for await (const bytes of chunks) yield decode(bytes);
  yield decode();
}

export async function readUprTrackerCsv(
  source: ImportSource,
  resolver: StateResolver,
  selectedReview: string | undefined,
  limits?: ImportLimits,
): Promise<ParsedFile> {
  const findings: CsvFindings = { byteOrderMarks: 0 };
  const headerRows: number[] = [];
  const parser = csvRecords(utf8(source.chunks()), { limits, findings });
  const skipped: ImportNote[] = [];
  const warnings: ImportNote[] = [];
  const records: ImportRecord[] = [];
  const reviews = new Map<string, ReviewInput>();
  const sources = new Map<string, SourceInput>();
  const themes = new Map<string, LabelInput>();
  const groups = new Map<string, LabelInput>();
  let columns: Map<string, number> | undefined;
  let names: Set<string> | undefined;
  let row = 0;
  let rowsRead = 0;
  let rowsNotSelected = 0;

  try {
    for await (const cells of parser) {
      row++;
      if (columns === undefined || isHeaderAgain(cells, names!)) {
        // A header again (files joined) is read as one: the rows below it may have their columns in another order.
        if (columns !== undefined) headerRows.push(row);
        columns = new Map(cells.map((name, i) => [name.trim(), i]));
        names ??= headerNames(cells);
        const missing = UPR_TRACKER_REQUIRED_COLUMNS.filter((c) => !columns!.has(c));
        if (missing.length > 0) {
          throw new ImportError(`Not an upr-tracker CSV export: the header lacks ${missing.map((m) => `"${m}"`).join(', ')}.`);
        }
        continue;
      }
      if (cells.every((c) => c.trim() === '')) continue;
      rowsRead++;
      const has = (name: string) => columns!.has(name);
      const cell = (name: string) => cellText(cells[columns!.get(name)!] ?? '');
      const at = { row, paragraph: cell('paragraph') || null };
      const skip = (message: string) => skipped.push({ ...at, message });
      const warn = (message: string) => warnings.push({ ...at, message });

      const id = cell('id');
      const reviewId = cell('reviewId');
      const stateCode = cell('stateUnderReview');
      const text = cell('text');
      if (!RECORD_ID.test(id)) {
        skip(id === '' ? 'no id' : `id "${id}" is not a record id (letters, digits, ".", "_", "~", "-")`);
        continue;
      }
      if (reviewId === '') {
        skip('no reviewId');
        continue;
      }
      if (selectedReview !== undefined && reviewId !== selectedReview) {
        rowsNotSelected++;
        continue;
      }
      if (!resolver.isCode(stateCode)) {
        skip(`stateUnderReview "${stateCode}" is not a state code`);
        continue;
      }
      const cycle = wholeNumber(cell('cycle'));
      if (!(Number.isInteger(cycle) && cycle >= 1 && cycle <= 4)) {
        skip(`cycle "${cell('cycle')}" is not a UPR cycle (1–4)`);
        continue;
      }
      const review = reviews.get(reviewId);
      if (review && (review.stateCode !== stateCode || review.cycle !== cycle)) {
        skip(`review ${reviewId} is ${review.stateCode} cycle ${review.cycle} in an earlier row, ${stateCode} cycle ${cycle} here`);
        continue;
      }
      if (text.trim() === '') {
        skip('no text');
        continue;
      }
      const session = has('session') && cell('session') !== '' ? wholeNumber(cell('session')) : null;
      if (Number.isNaN(session)) {
        skip(`session "${cell('session')}" is not a Working Group session number (digits 0-9)`);
        continue;
      }
      if (!review) reviews.set(reviewId, { id: reviewId, stateCode, cycle, wgSession: session });

      const record: ImportRecord = { id, reviewId, paragraph: at.paragraph, text, idText: text, rows: [row] };
      if (has('verbatim')) {
        const v = cell('verbatim');
        if (v === 'true' || v === 'false') record.verbatim = v === 'true';
        else warn(`verbatim "${v}" is neither true nor false: left as stored`);
      }
      if (has('recommendingStates')) {
        const codes = list(cell('recommendingStates'));
        const unknown = codes.filter((c) => !resolver.isCode(c));
        for (const code of unknown) warn(`recommending state "${code}" is not a state code: left out`);
        record.recommendingStates = codes.filter((c) => resolver.isCode(c));
      }
      if (has('position')) {
        const p = cell('position');
        if (p === '' || (POSITIONS as readonly string[]).includes(p)) record.position = p === '' ? null : (p as Position);
        else warn(`position "${p}" is not one of ${POSITIONS.join(', ')}: left as stored`);
      }
      if (has('positionLabel')) record.positionLabel = cell('positionLabel') || null;
      if (has('positionSource')) record.positionSource = cell('positionSource') || null;
      if (has('actionCategory')) {
        const a = cell('actionCategory');
        if (a === '' || /^[1-5]$/.test(a)) record.actionCategory = a === '' ? null : Number(a);
        else warn(`actionCategory "${a}" is not 1–5: left as stored`);
      }
      if (has('unresolvedRecommendingStates')) record.unresolvedRecommenders = list(cell('unresolvedRecommendingStates'));
      if (has('themes')) {
        const sources = has('themeSources') ? cell('themeSources') : '';
        record.themes = vocabulary(cell('themes'), has('themeLabels') ? cell('themeLabels') : '', themes, sources);
        record.themeSources = labelSourcesOf(cell('themes'), sources);
      }
      if (has('affectedPersons')) {
        const labels = has('affectedPersonLabels') ? cell('affectedPersonLabels') : '';
        record.affectedPersons = vocabulary(cell('affectedPersons'), labels, groups);
        if (has('affectedPersonSources')) record.affectedPersonSources = labelSourcesOf(cell('affectedPersons'), cell('affectedPersonSources'));
      }
      if (has('sdgs')) {
        const goals = list(cell('sdgs')).map(Number);
        for (const g of goals.filter((g) => !(Number.isInteger(g) && g >= 1 && g <= 17))) warn(`SDG "${g}" is not a goal 1–17: left out`);
        record.sdgs = goals.filter((g) => Number.isInteger(g) && g >= 1 && g <= 17);
        if (has('sdgSources')) record.sdgSources = labelSourcesOf(cell('sdgs'), cell('sdgSources'));
      }
      if (has('sources')) {
        // The first source is the source of the text (the others are files an import merged into the record).
        const ids = list(cell('sources'));
        const sourceId = ids[0] ?? '';
        record.sourceId = sourceId || null;
        // The first source's entry of a column listing a field of each source (a title may contain "; ").
        const first = (column: string) => {
          if (!has(column)) return undefined;
          const values = ids.length === 1 ? [cell(column)] : cell(column).split(SEPARATOR);
          return values.length === ids.length ? values[0] : undefined;
        };
        const url = first('sourceUrls');
        if (sourceId !== '' && url && !sources.has(sourceId)) {
          sources.set(sourceId, {
            id: sourceId,
            title: first('sourceTitles') ?? sourceId,
            publisher: first('sourcePublishers') ?? '',
            url,
            publishedOn: first('sourcePublicationDates') || null,
          });
        }
      }
      records.push(record);
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(`Not a readable CSV file: ${(error as Error).message}`);
  }
  if (columns === undefined) throw new ImportError('The file is empty: no header row.');

  warnings.push(...joinedFileNotes(findings, headerRows));
  return {
    format: 'upr-tracker-csv',
    records,
    reviews: [...reviews.values()],
    sources: [...sources.values()],
    themes: [...themes.values()],
    affectedPersons: [...groups.values()],
    rowsRead,
    rowsNotSelected,
    skipped,
    warnings,
    unresolvedRecommenders: new NameCounter().list(resolver),
    unresolvedStatesUnderReview: [],
  };
}

/** Who attached each label, as a themeSources (sdgSources…) cell says (ohchr, upr-info or curated; machine labels are not kept). */
function labelSourcesOf(idsCell: string, sourcesCell: string): Record<string, LabelSource> {
  const sources = list(sourcesCell);
  // No prototype: a theme id such as "constructor" or "__proto__" is a key like any other.
  const bySource: Record<string, LabelSource> = Object.create(null);
  list(idsCell).forEach((id, i) => {
    const source = sources[i] as LabelSource;
    if (source !== 'machine' && LABEL_SOURCES.includes(source)) bySource[id] = source;
  });
  return bySource;
}

/** The ids of a cell, recording each one's label (when the labels cell gives it) for the vocabulary. */
function vocabulary(idsCell: string, labelsCell: string, into: Map<string, LabelInput>, sourcesCell = ''): string[] {
  const ids = list(idsCell);
  // Machine labels (themeSources "machine") are not imported: tagging gives them again where they apply.
  const sources = list(sourcesCell);
  const kept = new Set(ids.filter((_, i) => sources[i] !== 'machine'));
  for (const [id, label] of labelsOf(ids, labelsCell)) {
    // Our own export does not say whether a label is UHRI wording: a label new here is marked unconfirmed.
    if (kept.has(id) && !into.has(id)) into.set(id, { id, label, uhri: false });
  }
  return ids.filter((id) => kept.has(id));
}
