import { type SQL, sql } from 'drizzle-orm';
import type { KeyKind, KeyValue } from '../http/pagination.js';

// A sort order that keyset pagination can resume: every column ascending, or every column descending,
// ending in a unique column so that the order is total.
type SortColumns = Pick<KeysetSort<never>, 'columns' | 'descending'>;

export interface KeysetSort<Row = never> {
  name: string;
  columns: SQL[];
  /** What each column's value is, to check a cursor's values against (decodeCursor). */
  kinds: readonly KeyKind[];
  descending: boolean;
  /** The values of `columns` in a fetched row, for the cursor that resumes after it. */
  keysOf: (row: Row) => KeyValue[];
}

/**
 * SQLite's relevance order over an FTS5 match joined as `f` (bm25(), lower for better matches, then the match's
 * row key), for any list searched with q; only used with q, so every row has its rank. PostgreSQL's relevance is
 * (minus ts_rank, id) instead, in each list's pg-queries.ts.
 */
export function relevanceSort<Row extends { rank?: number | null; fts_rowid?: number | null }>(): KeysetSort<Row> {
  return {
    name: 'relevance',
    descending: false,
    columns: [sql`f.rank`, sql`f.fts_rowid`],
    kinds: ['rank', 'rowKey'],
    keysOf: (row) => [row.rank!, row.fts_rowid!],
  };
}

export function keysetOrder(sort: SortColumns): SQL {
  const direction = sort.descending ? sql.raw('desc') : sql.raw('asc');
  return sql.join(
    sort.columns.map((c) => sql`${c} ${direction}`),
    sql`, `,
  );
}

/**
 * The rows after `keys` in the sort's order. `reused`: for a SQLite statement prepared once and run for one key
 * after another (an export's chunks), each key as `+?`. SQLite, built with STAT4 as better-sqlite3 is, compiles a
 * statement again at its first step after a value is bound to a parameter compared with an indexed column, so as
 * to plan with that value; the unary plus, which changes neither the value nor how it compares, keeps the planner
 * from looking at it, and the statement keeps the one plan it was prepared with (a 100k export compiled its two
 * statements again at each of its 100 chunks: 4 % of the server's CPU). Not for PostgreSQL: its unary plus is numeric.
 */
export function keysetAfter(sort: SortColumns, keys: KeyValue[], reused = false): SQL {
  const operator = sort.descending ? sql.raw('<') : sql.raw('>');
  return sql`(${sql.join(sort.columns, sql`, `)}) ${operator} (${sql.join(
    keys.map((k) => (reused ? sql`+${k}` : sql`${k}`)),
    sql`, `,
  )})`;
}

/** `where a and b …`, or nothing for no conditions. */
export function whereClause(conditions: SQL[]): SQL {
  return conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;
}

/** `expr in (…)` for a non-empty list. */
export function inList(expr: SQL, values: readonly (string | number)[]): SQL {
  return sql`${expr} in (${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`;
}
