import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { shapeOf, type Shape, toPg } from '../db/copy/copy.js';
import { BATCH_ROWS, COPY_TABLES } from '../db/copy/tables.js';
import { type Db, openDatabase } from '../db/open.js';
import { pgFillSearch } from '../db/pg/fulltext.js';
import { NO_STATEMENT_TIMEOUT } from '../db/pg/read-timeout.js';
import { WRITE_LOCK } from '../db/pg/write-transaction.js';

// A SQLite write run on PostgreSQL through a scratch SQLite file (an import: pg-import.ts; `npm run seed` on a
// database holding records: seed/postgres.ts): the rows the write can read are copied into the file
// (pg-import-scope.ts), the write runs there unchanged, and what it changed (each table's differences, the audit
// entries it appended) is written into PostgreSQL. So its checks, ids, versions, audit entries, stored
// documents, CSV lines, relations, stats and machine labels are SQLite's to the byte, with no second
// implementation. All in one transaction on `client`, under the write lock every writer takes
// (src/db/pg/write-transaction.ts), so nothing else writes between the copy and the differences.

export interface Scratch {
  /** The transaction's connection. */
  client: pg.PoolClient;
  /** The scratch database, migrated and empty until filled. */
  db: Db;
  /** Its folder, removed at the end. */
  dir: string;
}

/**
 * Runs `work` in one transaction on a connection of `pool` with a scratch SQLite file: committed when it
 * resolves (rolled back instead when `readOnly`: a dry run, which takes no write lock but reads in one
 * REPEATABLE READ snapshot), rolled back when it fails.
 */
export async function inScratchTransaction<T>(pool: Pick<pg.Pool, 'connect'>, readOnly: boolean, work: (scratch: Scratch) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'upr-pg-scratch-'));
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // An import, dry run or not, is not cut by the read timeout (src/db/pg/read-timeout.ts).
    if (readOnly) await client.query(`begin isolation level repeatable read; ${NO_STATEMENT_TIMEOUT}`);
    else {
      await client.query(`begin; ${NO_STATEMENT_TIMEOUT}`);
      await client.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    }
    const db = openDatabase(join(dir, 'scratch.sqlite'), { seed: false });
    try {
      db.$client.pragma('synchronous = off'); // a scratch file: nothing in it needs to survive a crash
      const result = await work({ client, db, dir });
      await client.query(readOnly ? 'rollback' : 'commit');
      return result;
    } finally {
      db.$client.close();
    }
  } catch (error) {
    // A connection that cannot roll back is broken: released with the error, the pool drops it.
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `write` on the scratch file, filled with what it can read, and writes what it changed into PostgreSQL:
 * each table's differences, the audit entries appended, the full-text terms of the records new or with a new
 * text.
 */
export async function writeThroughScratch<T>({ client, db, dir }: Scratch, write: () => Promise<T>): Promise<T> {
  const before = join(dir, 'before.sqlite');
  db.$client.prepare('vacuum into ?').run(before);
  const result = await write();
  db.$client.prepare('attach database ? as before').run(before);
  await writeDifferences(db.$client, client);
  await pgFillSearch(client);
  // The stats' kept counts just written are the scratch write's, flushed there for every record it touched
  // (and any left marked before it): the marks PostgreSQL's triggers made while writing them are done with.
  // Those the scratch file still holds (copied whole, and flushed only by a write that bumps the revision) stay.
  const unflushed = db.$client.prepare('select recommendation_id from main.stats_dirty').pluck().all();
  await client.query('delete from stats_dirty where recommendation_id <> all($1::text[])', [unflushed]);
  return result;
}

const quote = (name: string) => `"${name}"`;

/** The differences between the scratch database (main) and its copy as it was (before), written into PostgreSQL. */
async function writeDifferences(sqlite: Database.Database, client: pg.PoolClient): Promise<void> {
  const tables = COPY_TABLES.filter((table) => table !== 'audit_log');
  const shapes = new Map<string, Shape & { keys: string[] }>();
  for (const table of tables) {
    const info = sqlite.prepare(`pragma table_info(${quote(table)})`).all() as { name: string; pk: number }[];
    const keys = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
    shapes.set(table, { ...(await shapeOf(sqlite, client, table)), keys });
  }
  // Children before parents for the rows gone, parents before children for the rows new or changed.
  for (const table of [...tables].reverse()) {
    const shape = shapes.get(table)!;
    const { keys } = shape;
    // The key columns' own shape (a stats key holds a jsonb value), to send each key as PostgreSQL stores it.
    const at = keys.map((key) => shape.columns.indexOf(key));
    const keyShape = { ...shape, booleans: at.map((i) => shape.booleans[i]!), json: at.map((i) => shape.json[i]!) };
    const list = keys.map(quote).join(', ');
    const gone = sqlite.prepare(`select ${list} from before.${quote(table)} except select ${list} from main.${quote(table)}`).raw();
    await inBatches(gone.iterate() as Iterable<unknown[]>, async (rows) => {
      const tuples = rows.map((_, r) => `(${keys.map((_, c) => `$${r * keys.length + c + 1}`).join(', ')})`);
      await client.query(
        `delete from ${quote(table)} where (${list}) in (${tuples.join(', ')})`,
        rows.flatMap((row) => toPg(keyShape, row)),
      );
    });
  }
  for (const table of tables) {
    const shape = shapes.get(table)!;
    const list = shape.columns.map(quote).join(', ');
    const others = shape.columns.filter((column) => !shape.keys.includes(column));
    const onConflict =
      others.length === 0
        ? 'do nothing'
        : `do update set ${others.map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ')}`;
    const changed = sqlite.prepare(`select ${list} from main.${quote(table)} except select ${list} from before.${quote(table)}`).raw();
    await inBatches(changed.iterate() as Iterable<unknown[]>, async (rows) => {
      const width = shape.columns.length;
      const tuples = rows.map((_, r) => `(${shape.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
      await client.query(
        `insert into ${quote(table)} (${list}) values ${tuples.join(', ')} on conflict (${shape.keys.map(quote).join(', ')}) ${onConflict}`,
        rows.flatMap((row) => toPg(shape, row)),
      );
    });
  }
  // The audit entries the write appended, in order, numbered by PostgreSQL's identity (which has moved past
  // any seq a rolled-back write took): the change feed continues without a gap in its order.
  const AUDIT = ['entity', 'entity_id', 'action', 'changes', 'actor', 'at', 'revision', 'reason'];
  const appended = sqlite
    .prepare(`select ${AUDIT.join(', ')} from main.audit_log
      where seq > (select coalesce(max(seq), 0) from before.audit_log) order by seq`)
    .raw();
  await inBatches(appended.iterate() as Iterable<unknown[]>, async (rows) => {
    const tuples = rows.map((_, r) => `(${AUDIT.map((_, c) => `$${r * AUDIT.length + c + 1}`).join(', ')})`);
    await client.query(`insert into audit_log (${AUDIT.join(', ')}) values ${tuples.join(', ')}`, rows.flat());
  });
}

/** Rows BATCH_ROWS at a time: the memory a write holds is bounded whatever the write's size. */
async function inBatches(rows: Iterable<unknown[]>, write: (batch: unknown[][]) => Promise<void>): Promise<void> {
  let batch: unknown[][] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length < BATCH_ROWS) continue;
    await write(batch);
    batch = [];
  }
  if (batch.length > 0) await write(batch);
}
