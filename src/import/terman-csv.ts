import type { Position } from '../db/schema.js';
import { cycleOfSession, REVIEW_SESSIONS, sessionOfReview, uprSession } from '../reference/sessions.js';
import { readDecodedCsv } from './csv-file.js';
import type { ImportLimits } from './limits.js';
import { type ResolveName, resolveGroup, trailingGroups, withoutStrayParenthesis } from '../states/names-in-text.js';
import { NameCounter, type StateResolver } from './states.js';
import {
  ImportError,
  type ImportNote,
  type ImportRecord,
  type ImportSource,
  type ParsedFile,
  type ReviewInput,
  type SourceInput,
} from './types.js';

// The academic CSV corpus of UPR recommendations 2008–2014 (header `text,to,decision,From,year,notes`; one
// row per recommending state). See /work/shared/data/README.md for its quirks and the README's "Import"
// section for how each is read.

export const TERMAN_SOURCE: SourceInput = {
  id: 'terman-uprs-2008-2014',
  // A data set has no printed title: ours, in square brackets (see Source.title).
  title: '[UPR recommendations 2008–2014, one CSV file per year (v.1/Data/year-csvs at commit 986898e)]',
  publisher: 'GitHub repository rochelleterman/uprs',
  url: 'https://github.com/rochelleterman/uprs/tree/986898e/v.1/Data/year-csvs',
  publishedOn: null,
};

/** Where a position read from the corpus is recorded: its `decision` column (the label keeps the value). */
export const TERMAN_POSITION_SOURCE = 'Terman UPR data set (rochelleterman/uprs, v.1/Data/year-csvs), column "decision"';

export const TERMAN_COLUMNS = ['text', 'to', 'decision', 'from', 'year'] as const;

/** `decision` as printed → position; the label keeps the printed decision when it says more than the position. */
export const DECISIONS: Record<string, { position: Position | null; label: string | null }> = {
  support: { position: 'supported', label: null },
  noted: { position: 'noted', label: null },
  reject: { position: 'noted', label: 'reject' },
  consider: { position: 'pending', label: 'consider' },
  implemented: { position: 'supported', label: 'implemented' },
  implement: { position: 'supported', label: 'implement' },
  unknown: { position: null, label: 'unknown' },
  '': { position: null, label: null },
};

/** The UPR cycle of a review held in a year: 2008–2011 → 1, 2012–2016 → 2, 2017–2021 → 3, 2022– → 4. */
export function cycleOfYear(year: number): number {
  if (year <= 2011) return 1;
  if (year <= 2016) return 2;
  if (year <= 2021) return 3;
  return 4;
}

/**
 * The cycle of a state's review that the corpus dates by its report's year: the cycle of the session the UPR
 * calendar holds that state's review at in the year or the year before (a review held late in a year has its report
 * the next: Tajikistan's of session 12, October 2011, is of the first cycle whatever year its report bears); where
 * the calendar knows none, the cycle of the year.
 */
export function cycleOfReport(stateCode: string, year: number): number {
  const held = (REVIEW_SESSIONS[stateCode] ?? []).filter((s) => [year - 1, year].includes(uprSession(s)!.year));
  return held.length === 1 ? cycleOfSession(held[0]!) : cycleOfYear(year);
}

export interface ParagraphReading {
  paragraph: string | null;
  text: string; // the text after the number, leading punctuation and spaces removed
  note?: string; // when the printed number needed interpretation
}

/**
 * The paragraph number at the start of a text, in each shape the corpus prints: "76.1." or "76.1 " →
 * 76.1; "61 1." (a space for the dot) and "111. 29" → 61.1 and 111.29; the scraper's sub-numbers of a
 * paragraph holding several recommendations ("93.3..2", "96.1.1") → the report's paragraph, 93.3 and 96.1;
 * a sub-number glued to the next paragraph ("106.40..1 106.41.") → that next paragraph, 106.41; a bare
 * "111." → 111. No number: null.
 */
export function readParagraph(printed: string): ParagraphReading {
  const source = printed.trimStart();
  const clean = (rest: string) => rest.replace(/^[\s.,;:/]+/, '').replace(/\s+/g, ' ').trim();
  const glued = /^(\d+)\.(\d+)\.+\d{1,3}?\s*(\d+)\.(\d+)\.?/.exec(source);
  if (glued) {
    const paragraph = `${glued[3]}.${glued[4]}`;
    const number = glued[0].trim();
    return { paragraph, text: clean(source.slice(glued[0].length)), note: `paragraph printed "${number}" read as ${paragraph}` };
  }
  const pair = /^(\d+)(?:\.\s*|\s+)(\d+)(?!\d)(?:\.+\d+)*\.*/.exec(source);
  if (pair) return { paragraph: `${pair[1]}.${pair[2]}`, text: clean(source.slice(pair[0].length)) };
  const bare = /^(\d+)\./.exec(source);
  if (bare) return { paragraph: bare[1]!, text: clean(source.slice(bare[0].length)) };
  return { paragraph: null, text: clean(source) };
}

const normalizeSpace = (text: string) => text.replace(/\s+/g, ' ').trim();
const firstLetterLower = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * An ambiguous state under review ("Korea": KOR or PRK) resolved by the UPR calendar: the one candidate whose
 * review of the year's cycle was held in the report's year or the year before (2008's "Korea" is the Republic of
 * Korea, reviewed in May 2008; the Democratic People's Republic was first reviewed in December 2009). Else undefined.
 */
function reviewedInYear(resolver: StateResolver, name: string, year: number): string | undefined {
  if (!(year >= 2008) || resolver.resolve(name) !== undefined) return undefined;
  const cycle = cycleOfYear(year);
  const held = resolver.candidates(name).filter((code) =>
    (REVIEW_SESSIONS[code] ?? []).some((s) => cycleOfSession(s) === cycle && [year - 1, year].includes(uprSession(s)!.year)),
  );
  return held.length === 1 ? held[0] : undefined;
}

/**
 * The states the text's closing parentheses name ("… (Hungary, Spain);", "… (Spain) (France) (India);"), in
 * printed order, the state under review left out: the report's own attribution. Read from the last group back
 * while each group resolves whole; empty when the last does not.
 */
export function statesClosingText(text: string, resolve: ResolveName, stateCode: string): string[] {
  const { groups } = trailingGroups(withoutStrayParenthesis(text));
  const named: string[][] = [];
  for (let g = groups.length - 1; g >= 0; g--) {
    const codes = resolveGroup(groups[g]!, resolve);
    if (codes === undefined) break;
    named.unshift(codes);
  }
  return [...new Set(named.flat())].filter((code) => code !== stateCode);
}

/** Whether any parenthesised group of the text names the state ("Take legal, educational (Norway) and … (France);"). */
function namedInText(text: string, code: string, resolve: ResolveName): boolean {
  for (const match of text.matchAll(/\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
    if (resolveGroup(match[1]!, resolve)?.includes(code)) return true;
  }
  return false;
}

interface Group {
  record: ImportRecord;
  texts: string[]; // distinct printed texts, in row order
  decisions: string[]; // distinct decisions as printed
  fromStates: Set<string>; // the states its rows' `From` give
}

export async function readTermanCsv(
  source: ImportSource,
  resolver: StateResolver,
  selectedReview: string | undefined,
  limits?: ImportLimits,
): Promise<ParsedFile> {
  const csv = await readDecodedCsv(source, headerColumns, { relaxQuotes: true, limits });

  const skipped: ImportNote[] = [];
  const warnings: ImportNote[] = [];
  const recommenderNames = new NameCounter();
  const reviewNames = new NameCounter();
  const groups = new Map<string, Group>();
  const reviews = new Map<string, ReviewInput>();
  // The year each review's rows give, with the first row giving it; a review whose rows disagree keeps none.
  const reviewYears = new Map<string, { year: number; row: number }>();
  const yearConflicts = new Set<string>();
  let rowsRead = 0;
  let rowsNotSelected = 0;
  // The last row read that has a text of its own: where a row of states alone belongs.
  let previous: { key: string; reviewId: string; paragraph: string | null; row: number } | undefined;

  for await (const batch of csv.batches) for (const { row, cells, columns } of batch) {
    rowsRead++;
    const cell = (name: (typeof TERMAN_COLUMNS)[number]) => (cells[columns[name]] ?? '').trim();
    // A quoted text followed by more before the comma ("…(The Netherlands).";,denmark) is not valid CSV:
    // the parser keeps the quotes; they are removed, as the spreadsheet that wrote the row meant.
    const cellText = cells[columns.text] ?? '';
    const misquoted = /^"([^"]*)"(\s*[;.,]\s*)$/.exec(cellText);
    const reading = readParagraph(misquoted ? misquoted[1]! + misquoted[2]! : cellText);
    const at = { row, paragraph: reading.paragraph };
    if (misquoted) warnings.push({ ...at, message: 'the text was quoted with more after the closing quote: quotes removed' });
    const skip = (message: string) => skipped.push({ ...at, message });

    const to = cell('to');
    const yearOfRow = Number(cell('year'));
    const reviewedThen = to === '' ? undefined : reviewedInYear(resolver, to, yearOfRow);
    const stateCode = to === '' ? undefined : (resolver.resolve(to) ?? reviewedThen);
    if (reviewedThen !== undefined && resolver.resolve(to) === undefined) {
      warnings.push({
        ...at,
        message: `state under review "${to}" (${resolver.candidates(to).join(' or ')}) read as ${reviewedThen}: the only one the UPR calendar reviews in ${yearOfRow - 1}–${yearOfRow}`,
      });
    }
    if (stateCode === undefined) {
      if (to === '') skip('no state under review (`to` is empty)');
      else {
        reviewNames.add(to);
        skip(`state under review "${to}" not resolved: ${resolver.explain(to)}`);
      }
      continue;
    }
    const yearText = cell('year');
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
    if (!(year >= 2008)) {
      skip(`year "${yearText}" is not a year of the UPR (2008 or later)`);
      continue;
    }
    const cycle = cycleOfReport(stateCode, year);
    const reviewId = `${stateCode}-${cycle}`;
    if (selectedReview !== undefined && reviewId !== selectedReview) {
      rowsNotSelected++;
      continue;
    }
    if (reading.text === '') {
      skip('no recommendation text');
      continue;
    }
    if (reading.paragraph === null) warnings.push({ ...at, message: 'no paragraph number at the start of the text' });
    if (reading.note) warnings.push({ ...at, message: reading.note });

    const decision = cell('decision');
    if (!Object.hasOwn(DECISIONS, decision.toLowerCase())) {
      warnings.push({ ...at, message: `decision "${decision}" is not one the importer knows: position left empty` });
    }
    const from = cell('from');
    const recommender = from === '' ? undefined : resolver.resolve(from);
    if (from === '') warnings.push({ ...at, message: 'no recommending state (`From` is empty)' });
    else if (recommender === undefined) recommenderNames.add(from);
    // A state never recommends to itself: such a `From` repeats the state under review (3 rows of 2014). The
    // report's own wording names the recommenders in its closing parenthesis: read from there when every name
    // in it resolves, else none recorded.
    let recommenders = recommender === undefined ? [] : [recommender];
    const resolve = (name: string) => resolver.resolve(name);
    // The text's closing parentheses are the report's attribution; `From` is the corpus's coding of it, one
    // state a row, and sometimes not all of them (KAZ-2 125.8 "Ratify CRPD (Hungary, Spain);": two rows, both
    // Hungary) or another row's state (LCA-1 89.21 "… (Portugal)" coded Morocco, as the row before it). The
    // states the text names are recorded; `From` too when the text names it anywhere.
    const named = statesClosingText(reading.text, resolve, stateCode);
    let fromReplaced = false;
    if (named.length > 0 && recommender !== stateCode) {
      if (recommender === undefined || named.includes(recommender) || namedInText(reading.text, recommender, resolve)) {
        recommenders = [...new Set([...recommenders, ...named])];
      } else {
        recommenders = named;
        warnings.push({
          ...at,
          message: `\`From\` ("${from}") is not among the states the text names: recommending states read from its closing parenthesis (${named.join(', ')})`,
        });
      }
      if (recommender === undefined && from !== '') {
        fromReplaced = true;
        warnings.push({
          ...at,
          message: `\`From\` ("${from}") does not resolve: recommending states read from the text's closing parenthesis (${named.join(', ')})`,
        });
      }
    }
    if (recommender !== undefined && recommender === stateCode) {
      const printed = trailingGroups(reading.text).groups.at(-1);
      const named = printed === undefined ? undefined : resolveGroup(printed, (name) => resolver.resolve(name));
      recommenders = named !== undefined && !named.includes(stateCode) ? named : [];
      warnings.push({
        ...at,
        message:
          `\`From\` is the state under review ("${from}"): ` +
          (recommenders.length > 0 ? `recommending states read from the text's closing parenthesis (${printed})` : 'no recommending state recorded'),
      });
    }

    // The year is the review's report's, as the corpus gives it: kept as such (reportYear). The session comes
    // from the calendar where it knows the review, and is never guessed from the year.
    const given = reviewYears.get(reviewId);
    if (given === undefined) reviewYears.set(reviewId, { year, row });
    else if (given.year !== year && !yearConflicts.has(reviewId)) {
      yearConflicts.add(reviewId);
      warnings.push({
        ...at,
        message: `review ${reviewId}: rows give different years (${given.year} in row ${given.row}, ${year} in row ${row}): its year left empty`,
      });
    }
    reviews.set(reviewId, {
      id: reviewId,
      stateCode,
      cycle,
      wgSession: sessionOfReview(stateCode, cycle),
      reportYear: yearConflicts.has(reviewId) ? null : year,
    });
    const idText = normalizeSpace(trailingGroups(reading.text).body);
    // A paragraph's later parts continue its sentence after "; ": "90.14 Establish a moratorium … (Brazil);" and
    // "90.14.3 establish a moratorium … (Portugal);" are one recommendation made by both states.
    let key = `${reviewId}\u0000${reading.paragraph ?? ''}\u0000${firstLetterLower(idText)}`;
    // A row that is only its states ("128.31..1 (Slovakia);", 4 rows) adds a co-author to the recommendation
    // printed just before it in the same paragraph: the report prints "… (Uruguay); (Slovakia);".
    if (idText === '' && previous !== undefined && previous.reviewId === reviewId && previous.paragraph === reading.paragraph) {
      warnings.push({
        ...at,
        message: `the text is only its recommending states ("${reading.text}"): read as a co-author of row ${previous.row}'s recommendation`,
      });
      key = previous.key;
    }
    let group = groups.get(key);
    if (!group) {
      group = {
        record: {
          reviewId,
          paragraph: reading.paragraph,
          text: '',
          idText,
          verbatim: true,
          recommendingStates: [],
          unresolvedRecommenders: [],
          sourceId: TERMAN_SOURCE.id,
          rows: [],
        },
        texts: [],
        decisions: [],
        fromStates: new Set(),
      };
      groups.set(key, group);
    }
    if (idText !== '') previous = { key, reviewId, paragraph: reading.paragraph, row };
    const { record } = group;
    // The id comes from the capitalised wording whichever row comes first, as it did before such rows merged.
    if (idText.charAt(0) !== idText.charAt(0).toLowerCase()) record.idText = idText;
    record.rows.push(row);
    // States a row's own warning already gives (a `From` the text replaced) count as given.
    for (const code of recommender === undefined || recommenders.includes(recommender) ? [recommender] : recommenders) {
      if (code !== undefined) group.fromStates.add(code);
    }
    if (!group.texts.includes(reading.text)) group.texts.push(reading.text);
    if (!group.decisions.some((d) => d.toLowerCase() === decision.toLowerCase())) group.decisions.push(decision);
    for (const code of recommenders) if (!record.recommendingStates!.includes(code)) record.recommendingStates!.push(code);
    if (from !== '' && recommender === undefined && !fromReplaced && !record.unresolvedRecommenders!.includes(from)) {
      record.unresolvedRecommenders!.push(from);
    }
  }

  const records = [...groups.values()].map(({ record, texts, decisions, fromStates }) => {
    record.text = texts.join(' ');
    const textOnly = record.recommendingStates!.filter((code) => !fromStates.has(code));
    if (textOnly.length > 0 && fromStates.size > 0) {
      warnings.push({
        row: record.rows[0],
        paragraph: record.paragraph,
        message: `recommending states the text names and no row's \`From\` gives: ${textOnly.join(', ')} (recorded)`,
      });
    }
    record.positionSource = decisions.some((d) => d !== '') ? TERMAN_POSITION_SOURCE : null;
    if (decisions.length === 1) {
      const mapped = Object.hasOwn(DECISIONS, decisions[0]!.toLowerCase()) ? DECISIONS[decisions[0]!.toLowerCase()] : undefined;
      record.position = mapped ? mapped.position : null;
      record.positionLabel = mapped ? mapped.label : decisions[0]!;
    } else {
      record.position = null;
      record.positionLabel = decisions.join(' / ');
      warnings.push({
        row: record.rows[0],
        paragraph: record.paragraph,
        message: `rows ${record.rows.join(', ')} give different decisions (${decisions.join(', ')}): position left empty`,
      });
    }
    return record;
  });

  warnings.push(...csv.notes());
  return {
    format: 'terman-csv',
    records,
    reviews: [...reviews.values()],
    sources: records.length > 0 ? [TERMAN_SOURCE] : [],
    themes: [],
    affectedPersons: [],
    rowsRead,
    rowsNotSelected,
    skipped,
    warnings,
    unresolvedRecommenders: recommenderNames.list(resolver),
    unresolvedStatesUnderReview: reviewNames.list(resolver),
    encoding: csv.encoding,
  };
}

function headerColumns(cells: string[]): Record<(typeof TERMAN_COLUMNS)[number], number> {
  const names = cells.map((c) => c.trim().toLowerCase());
  const missing = TERMAN_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new ImportError(
      `Not a Terman UPR CSV: the header lacks ${missing.map((m) => `"${m}"`).join(', ')} (expected text,to,decision,From,year,notes).`,
    );
  }
  return Object.fromEntries(TERMAN_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<
    (typeof TERMAN_COLUMNS)[number],
    number
  >;
}
