import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { type CopyReport, type Shape, shapeOf, toPg } from '../db/copy/copy.js';
import { BATCH_ROWS, COPY_TABLES } from '../db/copy/tables.js';
import { openDatabase } from '../db/open.js';
import { pgFillSearch } from '../db/pg/fulltext.js';
import { WRITE_LOCK } from '../db/pg/write-transaction.js';
import { copyScope, copyVocabularies, fileScope } from './pg-import-scope.js';
import { applyRead, readImport } from './run.js';
import type { ImportOptions, ImportReport, ImportSource } from './types.js';

// An import on PostgreSQL (DATABASE_URL) runs the SQLite import unchanged, on a scratch SQLite file holding
// what the import can read, and writes what it changed into PostgreSQL: so its checks, ids, versions, audit
// entries, stored documents, CSV lines, relations and machine labels are SQLite's to the byte, with no second
// implementation.
//
// Under the write lock every writer takes (src/db/pg/write-transaction.ts), in one transaction: the
// vocabularies are copied into the scratch file and the file is read against them; then the rows the import
// can read, given what the file names (pg-import-scope.ts: the states under review's records and what hangs on
// them), are copied; that file is kept as it was, the import runs on the scratch file, and each table's
// differences between the two (rows gone, rows new or changed, by primary key; the audit entries appended) are
// written into PostgreSQL. Nothing else writes meanwhile, so the copy is what the differences apply to;
// anything failing rolls all of it back. The cost is the file's and its states', not the database's.
//
// A dry run writes nothing, so it takes no write lock (which made other writers wait for it, then fail with
// 503, for as long as it read): it reads in one REPEATABLE READ transaction, whose statements all see the
// database as it was at the first (the copy is as consistent as under the lock), and rolls back. Its report
// is what the import would have done at that moment, as if it had run then; writes committed meanwhile are
// not in it, as they would not be in a dry run that had finished before them.

export interface PgImportTarget {
  pool: Pick<pg.Pool, 'connect'>;
  /** Called with the rows copied into the scratch file, per table (how much of the database an import read). */
  onCopied?: (copied: CopyReport) => void;
  /** Awaited in the import's transaction once the file is read (`read`: the vocabularies copied, the rest not
   * yet) and once it has run on the scratch file (`applied`: nothing written yet, or for a dry run, not yet
   * rolled back): tests hold the transaction open there. */
  pause?: (at: 'read' | 'applied') => Promise<void>;
}

export async function pgImportFile(target: PgImportTarget, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  const dir = mkdtempSync(join(tmpdir(), 'upr-pg-import-'));
  const client = await target.pool.connect();
  let broken: Error | undefined;
  try {
    const dryRun = options.dryRun ?? false;
    if (dryRun) await client.query('begin isolation level repeatable read');
    else {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    }
    const scratch = join(dir, 'scratch.sqlite');
    const before = join(dir, 'before.sqlite');
    const db = openDatabase(scratch, { seed: false });
    try {
      db.$client.pragma('synchronous = off'); // a scratch file: nothing in it needs to survive a crash
      const copied: CopyReport = {};
      await copyVocabularies(client, db.$client, copied);
      const parsed = await readImport(db, source, options);
      await target.pause?.('read');
      await copyScope(client, db.$client, fileScope(parsed, db.$client), copied);
      target.onCopied?.(copied);
      if (dryRun) {
        const report = applyRead(db, parsed, options); // rolled back in the scratch file: nothing to write
        await target.pause?.('applied');
        await client.query('rollback');
        return report;
      }
      db.$client.prepare('vacuum into ?').run(before);
      const report = applyRead(db, parsed, options);
      await target.pause?.('applied');
      db.$client.prepare('attach database ? as before').run(before);
      await writeDifferences(db.$client, client);
      await pgFillSearch(client); // the full-text terms of the records new or with a new text
      // The stats' kept counts just written are the scratch import's, flushed there for every record it touched
      // (and any left marked before it): the marks PostgreSQL's triggers made while writing them are done with.
      await client.query('delete from stats_dirty');
      await client.query('commit');
      return report;
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
  // The audit entries the import appended, in order, numbered by PostgreSQL's identity (which has moved past
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

/** Rows BATCH_ROWS at a time: the memory a write holds is bounded whatever the import's size. */
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
