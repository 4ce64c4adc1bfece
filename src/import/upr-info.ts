import type { Position } from '../db/schema.js';
import { slugify } from '../common/slug.js';
import { cycleOfSession, uprSession } from '../reference/sessions.js';
import { UPR_INFO_ISSUES } from '../reference/upr-info.js';
import { readDecodedCsv } from './csv-file.js';
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

// UPR Info's database of recommendations, sessions 1–17 (header
// `To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session`; one row per recommending
// state, no paragraph numbers). See ../shared/data/README.md and the README's "Import" section.

export const UPR_INFO_SOURCE: SourceInput = {
  id: 'upr-info-database-2008-2013',
  // A data set has no printed title: ours, in square brackets (see Source.title).
  title: "[UPR Info's database of UPR recommendations, sessions 1–17, as CSV files (v.2/Data/CSVs at commit 986898e)]",
  publisher: 'UPR Info, via GitHub repository rochelleterman/uprs',
  url: 'https://github.com/rochelleterman/uprs/tree/986898e/v.2/Data/CSVs',
  publishedOn: null,
};

export const UPR_INFO_POSITION_SOURCE = 'UPR Info database (sessions 1–17), column "Response"';

export const UPR_INFO_COLUMNS = ['to', 'text', 'from', 'response', 'action', 'issue', 'session'] as const;
type Column = (typeof UPR_INFO_COLUMNS)[number];

/** `Response` as printed → position; the label keeps the printed word when it is not the position's. */
const RESPONSES: Record<string, { position: Position; label: string | null }> = {
  accepted: { position: 'supported', label: 'Accepted' },
  noted: { position: 'noted', label: null },
};

const ISSUE_IDS = new Map(UPR_INFO_ISSUES.map((label) => [label.toLowerCase(), { id: `upr-info-${slugify(label)}`, label }]));

/** The text that identifies a recommendation within its review: whitespace collapsed, case folded. */
export const normalizeText = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

/** The same, punctuation and accents left out: co-authors' rows that differ only so are one recommendation. */
export const looseText = (text: string) =>
  text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

// The files escape a few characters as HTML numeric entities ("&#40;Unknown&#41;"), and two texts as
// JavaScript's escape() does ("Sudan%u2019s debt", "women%u2019s access to justice").
export const decodeEntities = (text: string) => {
  const entities = text.includes('&#') ? text.replace(/&#(\d{1,5});/g, (_, code: string) => String.fromCharCode(Number(code))) : text;
  return entities.includes('%u') ? entities.replace(/%u([0-9A-Fa-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : entities;
};

/** At most so many rows are named in a warning about another row's text. */
const ROWS_NAMED = 5;

const rowList = (rows: number[]) => (rows.length === 1 ? `row ${rows[0]}` : `rows ${rows.join(', ')}`);

interface Group {
  record: ImportRecord;
  responses: Set<string>;
  actions: Set<string>;
}

export async function readUprInfoCsv(
  source: ImportSource,
  resolver: StateResolver,
  selectedReview: string | undefined,
  limits?: ImportLimits,
  /** Keep co-authors' texts that differ only in punctuation apart: the texts as printed (the tagging model's training data). */
  asPrinted = false,
): Promise<ParsedFile> {
  const csv = await readDecodedCsv(source, headerColumns, { limits });

  const skipped: ImportNote[] = [];
  const warnings: ImportNote[] = [];
  const recommenderNames = new NameCounter();
  const reviewNames = new NameCounter();
  const groups = new Map<string, Group>();
  const reviews = new Map<string, ReviewInput>();
  const themes = new Map<string, LabelInput>();
  let rowsRead = 0;
  let rowsNotSelected = 0;
  let pledges = 0;

  for await (const batch of csv.batches) for (const { row, cells, columns } of batch) {
    rowsRead++;
    const cell = (name: Column) => decodeEntities(cells[columns[name]] ?? '').trim();
    const skip = (message: string) => skipped.push({ row, message });

    const response = cell('response');
    if (response.toLowerCase() === 'voluntary pledge') {
      pledges++;
      skip('a voluntary pledge (a commitment the State made itself), not a recommendation');
      continue;
    }
    const to = cell('to');
    const stateCode = resolver.resolve(to);
    if (stateCode === undefined) {
      reviewNames.add(to);
      skip(`state under review "${to}" not resolved: ${resolver.explain(to)}`);
      continue;
    }
    const sessionText = cell('session');
    const session = /^\d{1,3}$/.test(sessionText) ? uprSession(Number(sessionText)) : undefined;
    if (session === undefined) {
      skip(`session "${sessionText}" is not a UPR Working Group session`);
      continue;
    }
    const reviewId = `${stateCode}-${cycleOfSession(session.session)}`;
    if (selectedReview !== undefined && reviewId !== selectedReview) {
      rowsNotSelected++;
      continue;
    }
    const text = cell('text').replace(/\s+/g, ' ');
    if (text === '') {
      skip('no recommendation text');
      continue;
    }
    const from = cell('from');
    const recommender = from === '' ? undefined : resolver.resolve(from);
    if (from === '') warnings.push({ row, message: 'no recommending state (`From` is empty)' });
    else if (recommender === undefined) recommenderNames.add(from);

    reviews.set(reviewId, { id: reviewId, stateCode, cycle: session.cycle, wgSession: session.session });
    const idText = normalizeText(text);
    const key = `${reviewId}\u0000${idText}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        record: {
          reviewId,
          paragraph: null,
          text,
          idText,
          verbatim: false,
          recommendingStates: [],
          unresolvedRecommenders: [],
          sourceId: UPR_INFO_SOURCE.id,
          positionSource: UPR_INFO_POSITION_SOURCE,
          themes: [],
          labelSource: 'upr-info',
          rows: [],
        },
        responses: new Set(),
        actions: new Set(),
      };
      groups.set(key, group);
    }
    const { record } = group;
    record.rows.push(row);
    group.responses.add(response);
    group.actions.add(cell('action'));
    if (recommender !== undefined && !record.recommendingStates!.includes(recommender)) record.recommendingStates!.push(recommender);
    if (from !== '' && recommender === undefined && !record.unresolvedRecommenders!.includes(from)) {
      record.unresolvedRecommenders!.push(from);
    }
    for (const issue of cell('issue').split(',').map((i) => i.trim()).filter((i) => i !== '')) {
      const known = ISSUE_IDS.get(issue.toLowerCase());
      if (known === undefined) {
        warnings.push({ row, message: `issue "${issue}" is not one of UPR Info's 54 issues: left out` });
        continue;
      }
      themes.set(known.id, { id: known.id, label: known.label, uhri: false, scheme: 'upr-info' });
      if (!record.themes!.includes(known.id)) record.themes!.push(known.id);
    }
  }

  // Co-authors' rows whose texts differ only in punctuation ("…Criminal Court." for Brazil and Spain, "…Criminal
  // Court ." for France: one paragraph of the report) are one recommendation, when they give the same response
  // and action category; otherwise they stay apart. Keyed by that response and action category too, so that which
  // rows are merged does not depend on their order; a warning names the first text's own rows, at most a few (a
  // crafted file of many variants costs linearly).
  const MERGED = ['recommendingStates', 'unresolvedRecommenders', 'themes'] as const;
  const loose = new Map<string, { into: ImportRecord; rows: number[]; have?: Map<(typeof MERGED)[number], Set<string>> }>();
  for (const [key, group] of asPrinted ? [] : groups) {
    if (group.responses.size !== 1 || group.actions.size !== 1) continue;
    const { record } = group;
    const looseKey = [record.reviewId, looseText(record.text), ...group.responses, ...group.actions].join('\u0000');
    const lead = loose.get(looseKey);
    if (lead === undefined) {
      loose.set(looseKey, { into: record, rows: record.rows });
      continue;
    }
    const { into } = lead;
    const named = lead.rows.length > ROWS_NAMED ? `${rowList(lead.rows.slice(0, ROWS_NAMED))}, …` : rowList(lead.rows);
    warnings.push({
      row: record.rows[0],
      paragraph: null,
      message: `${rowList(record.rows)} ${record.rows.length === 1 ? 'gives' : 'give'} the text of ${named} but for punctuation: one recommendation`,
    });
    if (lead.have === undefined) {
      lead.have = new Map(MERGED.map((field) => [field, new Set(into[field])]));
      into.rows = [...into.rows];
    }
    for (const row of record.rows) into.rows.push(row);
    for (const field of MERGED) {
      const have = lead.have.get(field)!;
      for (const value of record[field]!) {
        if (have.has(value)) continue;
        have.add(value);
        into[field]!.push(value);
      }
    }
    groups.delete(key);
  }
  for (const { into, have } of loose.values()) if (have !== undefined) into.rows.sort((a, b) => a - b);

  const records = [...groups.values()].map(({ record, responses, actions }) => {
    const at = { row: record.rows[0], paragraph: null };
    const rows = record.rows.join(', ');
    if (responses.size === 1) {
      const [printed] = responses as Set<string>;
      const mapped = Object.hasOwn(RESPONSES, printed!.toLowerCase()) ? RESPONSES[printed!.toLowerCase()] : undefined;
      record.position = mapped?.position ?? null;
      record.positionLabel = mapped ? mapped.label : printed!;
      if (!mapped) warnings.push({ ...at, message: `response "${printed}" is not Accepted or Noted: position left empty` });
    } else {
      record.position = null;
      record.positionLabel = [...responses].join(' / ');
      warnings.push({ ...at, message: `rows ${rows} give different responses (${record.positionLabel}): position left empty` });
    }
    const action = actions.size === 1 ? [...actions][0]! : undefined;
    record.actionCategory = action !== undefined && /^[1-5]$/.test(action) ? Number(action) : null;
    if (record.actionCategory === null) {
      const printed = [...actions].map((a) => `"${a}"`).join(', ');
      const message =
        actions.size > 1 ? `rows ${rows} give different action categories (${printed}): left empty` : `action category ${printed} is not one of 1–5: left empty`;
      warnings.push({ ...at, message });
    }
    return record;
  });

  if (pledges > 0) warnings.push({ message: `${pledges} voluntary pledges are not recommendations: not imported` });
  warnings.push(...csv.notes());
  return {
    format: 'upr-info',
    records,
    reviews: [...reviews.values()],
    sources: records.length > 0 ? [UPR_INFO_SOURCE] : [],
    themes: [...themes.values()],
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

function headerColumns(cells: string[]): Record<Column, number> {
  const names = cells.map((c) => c.trim().toLowerCase());
  const missing = UPR_INFO_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new ImportError(
      `Not a UPR Info CSV: the header lacks ${missing.map((m) => `"${m}"`).join(', ')} (expected To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session).`,
    );
  }
  return Object.fromEntries(UPR_INFO_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<Column, number>;
}
