import type { Db } from '../db/open.js';
import { slugify } from '../common/slug.js';
import type { Position } from '../db/schema.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, ImportLimitError } from './limits.js';
import { cellLines, childrenOf, elements, loadDocx, readXml, related, textOf } from './ohchr-docx.js';
import { LabelVocabulary, readTags } from './ohchr-labels.js';
import { DEFAULT_LAYOUT, headerLayout, isHeading, statesInCell } from './ohchr-matrix-layouts.js';
import { trailingGroups } from '../states/names-in-text.js';
import { NameCounter, recommendersInText, type StateResolver } from './states.js';
import {
  type ImportCaller,
  ImportError,
  type ImportNote,
  type ImportRecord,
  type ImportSource,
  optionText,
  type ParsedFile,
  type ReviewInput,
  type SourceInput,
} from './types.js';
import { cutText } from '../common/cut-text.js';

// The OHCHR "thematic list of recommendations" (the UPR matrix) as a Word .docx: a table whose rows are
// a header, "Theme: …" headings and entries of four cells — the recommendation ("121.1 Ratify … (France)
// (Lithuania);" and "Source of Position: A/HRC/43/15 - Para 121"), the position (Supported / Noted), the
// UHRI themes with optional "SDGs:" and "Affected persons:" lists, and an assessment column (ignored).
// Other generations move or add columns (ohchr-matrix-layouts.ts) and print labels otherwise (ohchr-labels.ts).
// The page header (else the document's title) names the review: "UPR of Slovenia (3rd Cycle - 34th Session)".

const POSITIONS: Record<string, Position> = {
  supported: 'supported',
  noted: 'noted',
  'partially supported': 'partially_supported',
  // Older matrices print a recommendation supported in part and noted in part as "Supported/Noted".
  'supported/noted': 'partially_supported',
};

// "UPR of Slovenia (3rd Cycle - 34th Session)"; in some titles "UPR of Slovenia - 3rd Cycle, 34th Session".
// Matched in text whose whitespace runs are one space (namedReview): its adjacent `\s*`, `\s+` and the lazy name
// each backtrack over a whole run, so that a run of n spaces cost n² steps (100,000 spaces in a 618-byte .docx
// held the event loop 14 s). The session's digits are bounded for the same reason.
const REVIEW_HEADER =
  /UPR of (.{1,200}?)\s*[(,–—-]\s*(\d)\s*(?:st|nd|rd|th)?\s+Cycle\s*[-–—,]\s*(\d{1,9})\s*(?:st|nd|rd|th)?\s+Session\b/i;

/** The review a page header or title names ("UPR of Slovenia (3rd Cycle - 34th Session)"), in linear time. */
export function namedReview(text: string): RegExpExecArray | null {
  return REVIEW_HEADER.exec(text.replace(/\s{2,}/g, ' '));
}

export async function readOhchrMatrix(
  source: ImportSource,
  resolver: StateResolver,
  db: Db,
  selectedReview: string | undefined,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
  caller?: ImportCaller,
): Promise<ParsedFile> {
  const docx = await loadDocx(source, limits);
  const mainPath = (await related(docx, '_rels/.rels', '', 'officeDocument'))[0] ?? 'word/document.xml';
  const document = await readXml(docx, mainPath);
  if (!document) throw new ImportError('Not a Word document: the .docx has no main document part.');
  const dir = mainPath.slice(0, mainPath.lastIndexOf('/') + 1);
  const relsPath = `${dir}_rels/${mainPath.slice(dir.length)}.rels`;
  const headerTexts: string[] = [];
  for (const path of await related(docx, relsPath, dir, 'header')) {
    const header = await readXml(docx, path);
    if (header) headerTexts.push(header.map(textOf).join(' '));
  }

  const body = childrenOf(elements(childrenOf(elements(document, 'w:document')[0] ?? {}), 'w:body')[0] ?? {});
  const rows = elements(body, 'w:tbl').flatMap((table) => elements(childrenOf(table), 'w:tr'));
  if (rows.length === 0) throw new ImportError('Not an OHCHR matrix: the document has no table.');
  if (rows.length > limits.maxRows) {
    throw new ImportLimitError(`The document's tables have ${rows.length} rows; at most ${limits.maxRows} are read.`);
  }
  // The document's title: its paragraphs outside the tables, and the title of its properties.
  const titleTexts = elements(body, 'w:p').map(textOf);
  for (const path of await related(docx, '_rels/.rels', '', 'core-properties')) {
    const core = await readXml(docx, path);
    const titles = (core ?? []).flatMap((node) => elements(childrenOf(node), 'dc:title'));
    titleTexts.push(...titles.flatMap(childrenOf).map((text) => String(text['#text'] ?? '')));
  }

  const skipped: ImportNote[] = [];
  const warnings: ImportNote[] = [];
  const names = new NameCounter();
  const records: ImportRecord[] = [];
  const symbols = new Map<string, number>();
  const themes = new LabelVocabulary(db, 'theme');
  const affected = new LabelVocabulary(db, 'affected-persons group');
  let layout = DEFAULT_LAYOUT;

  rows.forEach((tr, index) => {
    const row = index + 1;
    const cells = elements(childrenOf(tr), 'w:tc').map(cellLines);
    if (cells.some((c) => c.reduce((length, p) => length + p.length, 0) > limits.maxCellChars)) {
      throw new ImportLimitError(`Row ${row} of the table has a cell longer than ${limits.maxCellChars} characters.`);
    }
    const texts = cells.map((c) => c.filter((p) => p !== '').join(' '));
    if (texts.every((c) => c === '')) return;
    const header = headerLayout(texts);
    if (header) {
      layout = header;
      return;
    }
    if (isHeading(texts[0]!) || /^recommendations?$/i.test(texts[0]!)) return; // a theme heading, a header
    if (cells.length <= Math.max(layout.recommendation, layout.position, layout.themes)) {
      skipped.push({ row, message: `not an entry (expected recommendation, position and themes cells): "${cutText(texts[0]!, 80)}"` });
      return;
    }
    const first = cells[layout.recommendation]!;
    const sourceLine = first.find((p) => /^source of position\s*:/i.test(p));
    const printed = first.filter((p) => p !== sourceLine && p !== '').join(' ');
    const numbered = /^(\d+(?:\.\d+)*)\.?(?:\s+(.*))?$/.exec(printed);
    const paragraph = numbered ? numbered[1]! : null;
    const text = numbered ? (numbered[2] ?? '').trim() : printed;
    const at = { row, paragraph };
    if (text === '') {
      skipped.push({ ...at, message: 'no recommendation text' });
      return;
    }
    if (paragraph === null) warnings.push({ ...at, message: 'no paragraph number at the start of the text' });

    const positionSource = sourceLine ? sourceLine.replace(/^source of position\s*:\s*/i, '').trim() || null : null;
    if (positionSource === null) warnings.push({ ...at, message: 'no "Source of Position"' });
    const symbol = positionSource?.match(/^A\/HRC\/\d+\/\d+/)?.[0];
    if (symbol) symbols.set(symbol, (symbols.get(symbol) ?? 0) + 1);

    const printedPosition = texts[layout.position]!;
    const printedKey = printedPosition.toLowerCase().replace(/\s*\/\s*/g, '/');
    // Own keys only: "Constructor" found Object's constructor, and the row was refused for its position.
    const position = Object.hasOwn(POSITIONS, printedKey) ? POSITIONS[printedKey]! : null;
    if (printedPosition === '') warnings.push({ ...at, message: 'no position' });
    else if (position === null) {
      warnings.push({ ...at, message: `position "${printedPosition}" is not one the importer knows: left empty` });
    }

    const tags = readTags(cells[layout.themes]!);
    const sdgColumn = layout.sdgs === undefined ? undefined : readTags(cells[layout.sdgs] ?? [], 'sdgs');
    const sdgs = [...new Set([...tags.sdgs, ...(sdgColumn?.sdgs ?? [])])];
    for (const message of [...tags.problems, ...(sdgColumn?.problems ?? [])]) warnings.push({ ...at, message });

    // A "Recommending State/s" column names the states; without one (or when it is empty), the text's parentheses.
    const stateLines = layout.states === undefined ? [] : (cells[layout.states] ?? []);
    const recommenders = stateLines.some((l) => l !== '') ? statesInCell(stateLines, resolver) : recommendersInText(text, resolver);
    for (const message of recommenders.warnings) warnings.push({ ...at, message });
    for (const name of recommenders.unresolved) names.add(name);

    const labelProblems: string[] = [];
    const themeIds = themes.map(tags.themes, labelProblems);
    const groupIds = affected.map(tags.affectedPersons, labelProblems);
    for (const message of labelProblems) warnings.push({ ...at, message });

    records.push({
      reviewId: '', // set below, once the review is known
      paragraph,
      text,
      idText: trailingGroups(text).body,
      verbatim: true,
      recommendingStates: recommenders.codes,
      unresolvedRecommenders: recommenders.unresolved,
      position,
      positionLabel: position === null && printedPosition !== '' ? printedPosition : null,
      positionSource,
      themes: themeIds,
      sdgs,
      affectedPersons: groupIds,
      labelSource: 'ohchr',
      rows: [row],
    });
  });

  if (records.length === 0) {
    throw new ImportError(`Not an OHCHR matrix: none of the table's ${rows.length} rows is an entry that can be imported.`);
  }
  const reportSymbol = [...symbols].sort(([, a], [, b]) => b - a)[0]?.[0] ?? null;
  const review = whichReview(headerTexts.join('\n'), titleTexts.join('\n'), reportSymbol, resolver, db, selectedReview, caller);
  const report = reportSource(db, review);
  if (!report) {
    warnings.push({ message: `no report symbol in the "Source of Position" lines or stored for ${review.id}: the recommendations cite no source` });
  }
  for (const record of records) {
    record.reviewId = review.id;
    if (report) record.sourceId = report.id;
  }

  return {
    format: 'ohchr-matrix',
    records,
    reviews: [review],
    sources: report ? [report] : [],
    themes: themes.newLabels(),
    affectedPersons: affected.newLabels(),
    rowsRead: records.length + skipped.length,
    rowsNotSelected: 0,
    skipped,
    warnings,
    unresolvedRecommenders: names.list(resolver),
    unresolvedStatesUnderReview: [],
    unmappedLabels: [...themes.notMapped(), ...affected.notMapped()],
    uhriIds: themes.uhriIdsLearned(),
  };
}

/**
 * The document a matrix's recommendations come from: the Working Group report whose symbol its "Source of
 * Position" lines give (or the review has stored), at its UN Official Document System address.
 */
export function reportSource(db: Db, review: ReviewInput): SourceInput | undefined {
  const stored = db.$client.prepare('select report_symbol from reviews where id = ?').pluck().get(review.id) as string | null | undefined;
  const symbol = review.reportSymbol ?? stored ?? null;
  if (symbol === null) return undefined;
  const state = db.$client.prepare('select name from states where code = ?').pluck().get(review.stateCode) as string;
  return {
    id: `report-${slugify(symbol)}`,
    // The report's title, then what we add in square brackets (see Source.title).
    title: `Report of the Working Group on the Universal Periodic Review: ${state} [${symbol}, as listed in OHCHR's matrix of recommendations]`,
    publisher: 'UN Human Rights Council',
    url: `https://undocs.org/${symbol}`,
    publishedOn: null,
  };
}

function whichReview(
  header: string,
  title: string,
  reportSymbol: string | null,
  resolver: StateResolver,
  db: Db,
  selected: string | undefined,
  caller: ImportCaller | undefined,
): ReviewInput {
  const given = (value: string) => optionText(caller, 'review', value);
  const match = namedReview(header) ?? namedReview(title);
  const named = match
    ? { name: match[1]!.trim(), code: resolver.resolve(match[1]!), cycle: Number(match[2]), session: Number(match[3]) }
    : undefined;
  if (named && (named.cycle < 1 || named.cycle > 4)) {
    throw new ImportError(`The document is a matrix of cycle ${named.cycle}; UPR cycles are 1–4 here.`);
  }
  const bySymbol = reportSymbol
    ? (db.$client
        .prepare('select id, state_code as stateCode, cycle from reviews where report_symbol = ? order by id')
        .all(reportSymbol) as { id: string; stateCode: string; cycle: number }[])
    : [];

  if (selected !== undefined) {
    const [code, cycle] = selected.split('-') as [string, string];
    if (!resolver.isCode(code)) throw new ImportError(`${given(selected)}: there is no state ${code}.`);
    if (named && (named.code !== code || named.cycle !== Number(cycle))) {
      throw new ImportError(
        `${given(selected)} contradicts the document, a matrix of "${named.name}" (cycle ${named.cycle}, session ${named.session}).`,
      );
    }
    return { id: selected, stateCode: code, cycle: Number(cycle), wgSession: named?.session ?? null, reportSymbol };
  }
  if (named) {
    if (named.code === undefined) {
      throw new ImportError(
        `The document is a matrix of "${named.name}", a name no state alias resolves (${resolver.explain(named.name)}): pass ${given('<ISO code>-<cycle>')}.`,
      );
    }
    const id = `${named.code}-${named.cycle}`;
    if (bySymbol.length > 0 && !bySymbol.some((r) => r.id === id)) {
      throw new ImportError(
        `The header names review ${id}, but report ${reportSymbol} is stored for ${bySymbol.map((r) => r.id).join(', ')}.`,
      );
    }
    return { id, stateCode: named.code, cycle: named.cycle, wgSession: named.session, reportSymbol };
  }
  if (bySymbol.length === 1) return { ...bySymbol[0]!, reportSymbol };
  throw new ImportError(
    `Cannot tell which review this matrix is about: no "UPR of <State> (<n>th Cycle - <n>th Session)" in the page header or the title` +
      (reportSymbol ? ` and no stored review with report ${reportSymbol}` : '') +
      `. Pass ${given('<ISO code>-<cycle>')}, e.g. SVN-3.`,
  );
}
