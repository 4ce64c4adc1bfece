import { type SQL, sql } from 'drizzle-orm';
import { CURATED_FIELDS, type CuratedField } from '../db/schema.js';

// Who wrote a recommendation's field last: a curator (a row of recommendation_curated_fields) or the files (no
// row). An import never replaces a curator's value: it keeps it and reports what the file offered, stored as
// files_value (src/import/apply.ts). A curator hands a field back to the files by writing the value they
// last offered (a PATCH with it): the row goes, and the next file's value is the record's. Both backends' writes
// (writes.ts, pg-writes.ts) run the statements these functions give.

/** A field's value as compared and stored: lists in order (a set of states, goals or groups). */
export function fieldJson(value: unknown): string {
  if (!Array.isArray(value)) return JSON.stringify(value ?? null);
  return JSON.stringify([...value].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A curator's position holds its label and source with it, and a curator's source its position and label: the file's
 * would describe another position, or the curator's source name a position it does not give.
 */
export const FIELDS_KEPT_WITH: Partial<Record<CuratedField, readonly string[]>> = {
  position: ['positionLabel', 'positionSource'],
  positionSource: ['position', 'positionLabel'],
};

/** The field of the record each write body's key writes (`sources` sets sourceId; themes have label sources of their own). */
const BODY_FIELD: Record<string, CuratedField | undefined> = Object.fromEntries([...CURATED_FIELDS.map((f) => [f, f]), ['sources', 'sourceId']]);

export const curatedFieldsQuery = (id: string) =>
  sql`select field, files_value as "filesValue" from recommendation_curated_fields where recommendation_id = ${id}`;

export type CuratedMarks = { field: string; filesValue: string | null }[];

const mark = (id: string, field: string, filesValue: string | null) => sql`insert into recommendation_curated_fields
  (recommendation_id, field, files_value) values (${id}, ${field}, ${filesValue}) on conflict do nothing`;

/** A created record: each field the curator gave a value (a null or an empty list is none, for files to fill) is theirs. */
export function createdMarks(id: string, after: Record<string, unknown>): SQL[] {
  return CURATED_FIELDS.filter((f) => after[f] !== null && !(Array.isArray(after[f]) && after[f].length === 0)).map((f) => mark(id, f, null));
}

/** What a PATCH does to a record's marks: the statements, and which fields it hands back (for the history). */
export interface PatchedMarks {
  statements: SQL[];
  /** The curator's fields before and after, when the PATCH handed any back: the context of its history entry. */
  context?: { before: { curatedFields: string[] }; after: { curatedFields: string[] } };
}

/**
 * A PATCH: each field it gives is the curator's from now on when it changes it (what the files gave before is
 * kept as files_value), and goes back to the files when it is the value they last offered. On a record a curator
 * created, a field no file has offered yet (files_value null) goes back when the PATCH empties it (null, or an
 * empty list), as a POST leaves it empty for files to fill: a file's null (files_value 'null') is an offer.
 */
export function patchedMarks(id: string, patch: Record<string, unknown>, before: Record<string, unknown>, after: Record<string, unknown>, marks: CuratedMarks): PatchedMarks {
  const statements: SQL[] = [];
  const handedBack: string[] = [];
  const taken: string[] = [];
  const stored = new Map(marks.map((m) => [m.field, m.filesValue]));
  for (const key of Object.keys(patch)) {
    const field = BODY_FIELD[key];
    if (field === undefined) continue;
    const value = fieldJson(after[field]);
    if (!stored.has(field)) {
      if (value === fieldJson(before[field])) continue;
      statements.push(mark(id, field, fieldJson(before[field])));
      taken.push(field);
    } else if (stored.get(field) === value || (stored.get(field) === null && (value === 'null' || value === '[]'))) {
      statements.push(sql`delete from recommendation_curated_fields where recommendation_id = ${id} and field = ${field}`);
      handedBack.push(field);
    }
  }
  if (handedBack.length === 0) return { statements };
  const curated = [...stored.keys()].sort();
  // The fields the same PATCH takes are the curator's after it too.
  const kept = [...curated.filter((f) => !handedBack.includes(f)), ...taken].sort();
  return { statements, context: { before: { curatedFields: curated }, after: { curatedFields: kept } } };
}
