import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';

/**
 * A query's rows, `rows` at a time, through a server-side cursor on the client's connection (an export's): the
 * query runs once, where resuming by keys ran a full-text match again for each chunk (M matches costing M²/rows).
 * Each chunk of rows is turned into records by `toRecords` on the same connection.
 */
export function pgCursorChunks<Row extends pg.QueryResultRow, Item>(
  client: pg.PoolClient,
  query: SQL,
  rows: number,
  toRecords: (client: pg.PoolClient, rows: Row[]) => Promise<Item[]>,
): AsyncGenerator<Item[], void, undefined> {
  const { sql: text, params } = new PgDialect().sqlToQuery(query);
  return (async function* () {
    await client.query({ text: `declare upr_export_rows no scroll cursor for ${text}`, values: params });
    for (;;) {
      const fetched = await client.query<Row>(`fetch ${rows} from upr_export_rows`);
      if (fetched.rows.length > 0) yield await toRecords(client, fetched.rows);
      if (fetched.rows.length < rows) break;
    }
  })();
}
