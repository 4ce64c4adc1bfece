import type Database from 'better-sqlite3';

// Rows gathered for one statement and written ROWS_PER_STATEMENT at a time through one JSON array parameter
// (`insert … select … from json_each(?)`, `update … from json_each(?)`): an import writes tens of thousands
// of rows, and a call per row costs more than the write (the full-text index, for one, is written at the
// end of each statement). Values are strings, numbers or null (JSON keeps each one's SQL type).

const ROWS_PER_STATEMENT = 1000;

export interface Batched {
  add(row: unknown[]): void;
  /** Writes the rows gathered so far, in the order they were added. */
  flush(): void;
}

/** A statement taking its rows as one JSON array of arrays (its only parameter). */
export function batched(statement: Database.Statement<[string]>): Batched {
  let rows: unknown[][] = [];
  return {
    add(row) {
      rows.push(row);
    },
    flush() {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) statement.run(JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT)));
      rows = [];
    },
  };
}

/** Rows of these columns inserted into a table; `onConflict`: an upsert's clause applied to every row. */
export function bulkInsert(sql: Database.Database, table: string, columns: readonly string[], onConflict = ''): Batched {
  const values = columns.map((_, i) => `value ->> ${i}`).join(', ');
  // (`where true`: an upsert's select needs a where clause before `on conflict`, or SQLite reads it as a join.)
  return batched(sql.prepare(`insert into ${table} (${columns.join(', ')}) select ${values} from json_each(?) where true ${onConflict}`));
}
