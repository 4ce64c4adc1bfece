import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './open.js';

// A full-text export's matches, found once: their ids, in the export's order, written into a temporary table of
// the export's own connection (src/db/snapshot.ts; SQLite spills it to a file past a few MiB), then read a chunk
// at a time by their place in it. Resumed by its keys instead, each chunk ran the match again and sorted every
// match to take the next chunk's: an export of M matches cost M²/chunk. The recommendations' exports do the same
// with their stored lines (fullTextChunks in src/recommendations/queries.ts).

let tables = 0;

/**
 * Every id `ids` selects (its one column, in its order), `rows` at a time: `read(matches, after, rows)` reads the
 * records of the `rows` matches after the `after`-th, given `matches` as a table (`m`) of `n` (1, 2, …, the
 * order) and `k` (the id). The table is dropped when the iteration ends, early too.
 */
export function* matchTableChunks<Row>(
  db: Db,
  ids: SQL,
  rows: number,
  read: (matches: SQL, after: number, rows: number) => Row[],
): Generator<Row[], void, undefined> {
  const table = sql.identifier(`export_matches_${++tables}`);
  db.run(sql`create temp table ${table} (n integer primary key, k text not null)`);
  try {
    // Rows are numbered 1, 2, … in the order they are inserted, into an empty table: the query's.
    db.run(sql`insert into temp.${table} (k) ${ids}`);
    for (let after = 0; ; after += rows) {
      const found = read(sql`temp.${table} m`, after, rows);
      if (found.length > 0) yield found;
      if (found.length < rows) break;
    }
  } finally {
    db.run(sql`drop table temp.${table}`);
  }
}
