import type Database from 'better-sqlite3';

// Rows gathered for one statement and written many at a time: an import writes tens of thousands of rows,
// and a call per row costs more than the write (the full-text index, for one, is written at the end of each
// statement), ROWS_PER_STATEMENT a statement: updates as one JSON array parameter (`update … from json_each(?)`),
// inserts as bound parameters (`insert … values (…), (…)`: a fifth cheaper than a JSON array to encode and
// decode). Values are strings, numbers or null (a number binds as a REAL, which the integer columns store as
// an integer, as JSON's did).

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

/** SQLite's most parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER). */
const MAX_PARAMETERS = 32_766;

/** Rows of these columns inserted into a table; `onConflict`: an upsert's clause applied to every row. */
export function bulkInsert(sql: Database.Database, table: string, columns: readonly string[], onConflict = ''): Batched {
  const head = `insert into ${table} (${columns.join(', ')}) values`;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  // As many rows as an update's statement takes (fewer statements, fewer full-text index segments), or fewer
  // when they would need more parameters than a statement takes.
  const perInsert = Math.min(ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns.length));
  // Each size prepared once (a caller that flushes often, between statements of its own, flushes a few rows).
  const sized = new Map<number, Database.Statement>();
  const insert = (rows: number) => {
    let statement = sized.get(rows);
    if (statement === undefined) {
      statement = sql.prepare(`${head} ${Array.from({ length: rows }, () => tuple).join(', ')} ${onConflict}`);
      sized.set(rows, statement);
    }
    return statement;
  };
  let rows: unknown[][] = [];
  return {
    add(row) {
      rows.push(row);
    },
    flush() {
      let i = 0;
      for (; i + perInsert <= rows.length; i += perInsert) insert(perInsert).run(rows.slice(i, i + perInsert).flat());
      // The rest in one statement of its own size.
      if (i < rows.length) insert(rows.length - i).run(rows.slice(i).flat());
      rows = [];
    },
  };
}
