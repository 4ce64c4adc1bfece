import type Database from 'better-sqlite3';

// Rows gathered for one table and inserted ROWS_PER_STATEMENT at a time through one JSON array parameter
// (`insert … select … from json_each(?)`): an import creates tens of thousands of rows, and a call per row
// costs more than the insert. Values are strings, numbers or null (JSON keeps each one's SQL type).

const ROWS_PER_STATEMENT = 1000;

export interface BulkInsert {
  add(row: unknown[]): void;
  /** Inserts the rows gathered so far, in the order they were added. */
  flush(): void;
}

/** `onConflict`: an upsert's clause (`on conflict do update set …`) applied to every row. */
export function bulkInsert(sql: Database.Database, table: string, columns: readonly string[], onConflict = ''): BulkInsert {
  const values = columns.map((_, i) => `value ->> ${i}`).join(', ');
  // (`where true`: an upsert's select needs a where clause before `on conflict`, or SQLite reads it as a join.)
  const statement = sql.prepare(`insert into ${table} (${columns.join(', ')}) select ${values} from json_each(?) where true ${onConflict}`);
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
