import type { Db } from '../db/open.js';

// How SQLite reads a page (or an export's chunk) of the list without q, chosen by how many records match
// (meta.total, counted once per data revision: src/db/count-cache.ts). A page of few matches read in the sort's
// order scans the table until it meets them (the whole table when they are none, or all at its end); a page of
// many matches read by its filter's index sorts every match for each page (position=noted at 1M: 250,000 records
// sorted, 1.1–2.5 s a page). SQLite's planner cannot tell them apart: it knows neither the count nor the LIMIT.

/**
 * - 'none': no record matches; nothing is read.
 * - 'matches': few match; each filter is read by its own index, as the count reads it, and every match (after the
 *   cursor) is sorted for each page: a cost that grows with the matches.
 * - 'sort-order': many match; the records are read in the sort's order, each filter checked row by row, until the
 *   page is full: about rows × table / matches records when the matches are spread over the order (at worst the
 *   rest of the table, when they all come last).
 */
export type PagePlan = 'none' | 'matches' | 'sort-order';

/**
 * The plan of a page of `rows` records (the limit and one more, or an export's chunk) of a list whose filter
 * matches `matches` of about `tableRows` records: the sort's order when it expects to read no more records than the
 * matches that the other plan reads and sorts, rows × table ≤ matches² (a page of 50 at 300,000 records: 3,900
 * matches, 1.3 %; at 1M: 7,100).
 */
export function choosePagePlan(matches: number, tableRows: number, rows: number): PagePlan {
  if (matches === 0) return 'none';
  return rows * tableRows <= matches * matches ? 'sort-order' : 'matches';
}

const estimates = new WeakMap<object, () => number>();

/**
 * How many recommendations the table holds, at least: its largest rowid, one step down the table's b-tree (a
 * count(*) reads a whole index: 130 ms at 1M). Rowids are distinct and positive, so it is never less than the
 * count; deleted records make it more, which leans towards 'matches', the plan of old.
 */
export function tableRowsEstimate(db: Db): number {
  let read = estimates.get(db.$client);
  if (!read) {
    const statement = db.$client.prepare<[], number | null>('select max(rowid) from recommendations').pluck();
    estimates.set(db.$client, (read = () => statement.get() ?? 0));
  }
  return read();
}
