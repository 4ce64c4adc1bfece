import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expectedMigrationCount, openDatabase } from '../open.js';
import { DEFAULT_PG_CONNECT_TIMEOUT_MS, timedClient } from '../pg/connect-timeout.js';
import { expectedPgMigrationCount, openPostgres } from '../pg/open.js';
import { rowSearchVector } from '../pg/fulltext.js';
import { databaseNameFault, redactUrl } from '../pg/url.js';
import { BATCH_ROWS, COPY_TABLES, CopyError, DERIVED_TABLES, isSqliteInternal, PG_ONLY_COLUMNS, TargetNotEmptyError } from './tables.js';
import { checkpointAndClose } from '../wal.js';

// Copies a whole database between SQLite and an empty PostgreSQL database, either way: same rows, same ids,
// same audit log (seq included, so the change feed keeps its order). One transaction on each side: the
// source is read from one snapshot, and the target has everything or nothing. Rows move BATCH_ROWS at a
// time (SQLite iterates, PostgreSQL fetches from a cursor), so memory stays bounded by the batch.

export type Endpoint = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export function parseEndpoint(value: string): Endpoint {
  if (!/^postgres(ql)?:\/\//i.test(value)) return { kind: 'sqlite', path: value };
  const fault = databaseNameFault(value);
  if (fault !== undefined) throw new Error(`${redactUrl(value)}: ${fault}`);
  return { kind: 'postgres', url: value };
}

export interface CopyOptions {
  /** Called after each batch with the table and its rows copied so far, and once more when it is done. */
  onProgress?: (table: string, rows: number, done: boolean) => void;
  batchRows?: number;
  /** Tables of PostgreSQL's the copy may find rows in (the seed's copy: API keys minted before it; the source has none). */
  filledAllowed?: readonly string[];
  /** How long opening a PostgreSQL connection may take (PG_CONNECT_TIMEOUT_MS; its default when not given). */
  connectTimeoutMs?: number;
}

/** Rows copied per table, in copy order. */
export type CopyReport = Record<string, number>;

export async function copyDatabase(from: Endpoint, to: Endpoint, options: CopyOptions = {}): Promise<CopyReport> {
  if (from.kind === 'sqlite' && to.kind === 'postgres') return sqliteToPostgres(from.path, to.url, options);
  if (from.kind === 'postgres' && to.kind === 'sqlite') return postgresToSqlite(from.url, to.path, options);
  throw new CopyError('copies between SQLite and PostgreSQL: one of --from and --to must be a postgres:// URL, the other a file');
}

export interface Shape {
  table: string;
  columns: string[];
  /** PostgreSQL's type of each column, where it differs from SQLite's way of storing it. */
  booleans: boolean[];
  json: boolean[];
  orderBy: string;
}

const quote = (name: string) => `"${name}"`;

function sqliteTableNames(db: Database.Database): string[] {
  const names = db.prepare(`select name from sqlite_master where type = 'table'`).pluck().all() as string[];
  return names.filter((name) => !isSqliteInternal(name));
}

function checkSqliteSchema(db: Database.Database, path: string): void {
  const applied = db.prepare('select count(*) from __drizzle_migrations').pluck().get() as number;
  if (applied !== expectedMigrationCount()) throw new CopyError(`${path} ${migrationFault(applied, expectedMigrationCount(), '')}`);
  const unknown = sqliteTableNames(db).filter((name) => !COPY_TABLES.includes(name));
  if (unknown.length > 0) throw new CopyError(`the copy does not know the SQLite table(s) ${unknown.join(', ')}`);
}

export async function shapeOf(sqlite: Database.Database, client: pg.PoolClient, table: string): Promise<Shape> {
  const info = sqlite.prepare(`pragma table_info(${quote(table)})`).all() as { name: string; pk: number }[];
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns
      where table_schema = current_schema() and table_name = $1 and is_generated = 'NEVER'`,
    [table],
  );
  const pgTypes = new Map(rows.filter((row) => !PG_ONLY_COLUMNS.has(`${table}.${row.column_name}`)).map((row) => [row.column_name, row.data_type]));
  const columns = info.map((column) => column.name);
  if (columns.length !== pgTypes.size || columns.some((name) => !pgTypes.has(name))) {
    throw new CopyError(
      `table ${table} has columns (${columns.join(', ')}) in SQLite but (${[...pgTypes.keys()].join(', ')}) in ` +
        'PostgreSQL: the two schemas are out of step (src/db/schema.ts, src/db/pg/schema.ts)',
    );
  }
  const keys = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
  return {
    table,
    columns,
    booleans: columns.map((name) => pgTypes.get(name) === 'boolean'),
    json: columns.map((name) => pgTypes.get(name) === 'jsonb'),
    orderBy: keys.map((column) => quote(column.name)).join(', '),
  };
}

const DERIVED: ReadonlySet<string> = new Set(DERIVED_TABLES);

// meta alone holds no record: a migrated SQLite database already has its revision ('0').
const RECORD_TABLES = COPY_TABLES.filter((table) => table !== 'meta');

async function firstNonEmptyPgTable(client: pg.PoolClient, allowed: readonly string[] = []): Promise<string | undefined> {
  for (const table of RECORD_TABLES.filter((name) => !allowed.includes(name))) {
    const { rowCount } = await client.query(`select 1 from ${quote(table)} limit 1`);
    if (rowCount !== 0) return table;
  }
  return undefined;
}

function firstNonEmptySqliteTable(db: Database.Database): string | undefined {
  const present = new Set(sqliteTableNames(db));
  return RECORD_TABLES.find((table) => present.has(table) && db.prepare(`select 1 from ${quote(table)} limit 1`).get());
}

const refuse = (where: string, table: string) => new TargetNotEmptyError(where, table);

export function toPg(shape: Shape, row: unknown[]): unknown[] {
  return row.map((value, i) => {
    if (value === null) return null;
    if (shape.booleans[i]) return value !== 0;
    return shape.json[i] ? JSON.stringify(value) : value;
  });
}

// better-sqlite3 binds every JS number as REAL: an integer goes in as a BigInt, so a column without type
// affinity (stats_*.value) stores an INTEGER as the source did.
export function toSqlite(shape: Shape, row: unknown[]): unknown[] {
  return row.map((value, i) => {
    if (shape.booleans[i] && value !== null) return value ? 1n : 0n;
    return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
  });
}

async function insertPg(client: pg.PoolClient, shape: Shape, rows: unknown[][]): Promise<void> {
  // The full-text terms of recommendations and developments, PostgreSQL's own column, with each row.
  const search = rowSearchVector(shape.table, shape.columns);
  const columns = search === undefined ? shape.columns : [...shape.columns, 'search'];
  const tuples = rows.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
  await client.query(
    `insert into ${quote(shape.table)} (${columns.map(quote).join(', ')}) values ${tuples.join(', ')}`,
    rows.flatMap((row) => (search === undefined ? toPg(shape, row) : [...toPg(shape, row), search(row)])),
  );
}

async function sqliteToPostgres(path: string, url: string, options: CopyOptions): Promise<CopyReport> {
  if (!existsSync(path)) throw new CopyError(`no SQLite database at ${path}`);
  const batchRows = options.batchRows ?? BATCH_ROWS;
  const source = new Database(path, { readonly: true, fileMustExist: true });
  try {
    checkSqliteSchema(source, path);
    const db = await openPostgres(url, { poolMax: 1, connectTimeoutMs: options.connectTimeoutMs });
    const client = await db.$client.connect();
    try {
      await client.query('begin');
      const filled = await firstNonEmptyPgTable(client, options.filledAllowed);
      if (filled !== undefined) throw refuse('the PostgreSQL database', filled);
      const report: CopyReport = {};
      source.exec('begin'); // one read snapshot for every table
      for (const table of COPY_TABLES) {
        // PostgreSQL's stats triggers have marked the copied recommendations (stats_dirty): the source's rows
        // replace what they filled, as in the copy into SQLite below.
        if (DERIVED.has(table)) await client.query(`delete from ${quote(table)}`);
        const shape = await shapeOf(source, client, table);
        const select = source.prepare(`select ${shape.columns.map(quote).join(', ')} from ${quote(table)} order by ${shape.orderBy}`);
        let batch: unknown[][] = [];
        let copied = 0;
        for (const row of select.raw().iterate() as Iterable<unknown[]>) {
          batch.push(row);
          if (batch.length < batchRows) continue;
          await insertPg(client, shape, batch);
          copied += batch.length;
          batch = [];
          options.onProgress?.(table, copied, false);
        }
        if (batch.length > 0) await insertPg(client, shape, batch);
        report[table] = copied + batch.length;
        options.onProgress?.(table, report[table], true);
      }
      source.exec('commit');
      // The identity continues after the copied audit log, so new writes append to the same change feed.
      await client.query(
        `select setval(pg_get_serial_sequence('audit_log', 'seq'), max(seq)) from audit_log having max(seq) is not null`,
      );
      await client.query('commit');
      // The planner's statistics for the copied rows now, not whenever autovacuum gets to them: until then
      // it guesses the tables' sizes and the spread of their values.
      await client.query('analyze');
      return report;
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
      await db.$client.end();
    }
  } finally {
    source.close();
  }
}

async function checkPgSchema(client: pg.PoolClient): Promise<void> {
  const journal = await client.query(`select to_regclass('public.__drizzle_migrations') is not null as migrated`);
  const { rows } = journal.rows[0].migrated
    ? await client.query<{ n: number }>('select count(*)::int as n from public.__drizzle_migrations')
    : { rows: [{ n: 0 }] };
  const applied = rows[0]!.n;
  if (applied !== expectedPgMigrationCount()) {
    throw new CopyError(`the PostgreSQL database ${migrationFault(applied, expectedPgMigrationCount(), ' from it')}`);
  }
}

/** Why a database at another migration than this version's is not copied, and what to do. */
function migrationFault(applied: number, expected: number, from: string): string {
  // A newer release's database: this version's server refuses to open it, so "start the server on it" could not help.
  if (applied > expected) return `is at migration ${applied} of ${expected}: a newer release of upr-tracker migrated it; copy it with that release`;
  return `is at migration ${applied} of ${expected}: start this version of the server on it once (it migrates on start) before copying${from}`;
}

async function postgresToSqlite(url: string, path: string, options: CopyOptions): Promise<CopyReport> {
  const batchRows = options.batchRows ?? BATCH_ROWS;
  if (existsSync(path) && statSync(path).size > 0) {
    const existing = new Database(path, { readonly: true });
    const filled = firstNonEmptySqliteTable(existing);
    existing.close();
    if (filled !== undefined) throw refuse(path, filled);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    Client: timedClient(pg.Client, options.connectTimeoutMs ?? DEFAULT_PG_CONNECT_TIMEOUT_MS),
  });
  try {
    const client = await pool.connect();
    try {
      await client.query('begin isolation level repeatable read read only');
      await checkPgSchema(client);
      const target = openDatabase(path, { seed: false });
      const sqlite = target.$client;
      try {
        sqlite.exec('begin immediate');
        const report: CopyReport = {};
        for (const table of COPY_TABLES) {
          // SQLite's triggers have filled the derived tables from the rows copied before: the source's rows
          // replace them (and meta's revision).
          if (table === 'meta' || DERIVED.has(table)) sqlite.exec(`delete from ${quote(table)}`);
          const shape = await shapeOf(sqlite, client, table);
          const insert = sqlite.prepare(
            `insert into ${quote(table)} (${shape.columns.map(quote).join(', ')}) values (${shape.columns.map(() => '?').join(', ')})`,
          );
          await client.query(
            `declare copy_rows no scroll cursor for select ${shape.columns.map(quote).join(', ')} from ${quote(table)} order by ${shape.orderBy}`,
          );
          let copied = 0;
          for (;;) {
            const { rows } = await client.query<unknown[]>({ text: `fetch ${batchRows} from copy_rows`, rowMode: 'array' });
            if (rows.length === 0) break;
            for (const row of rows) insert.run(toSqlite(shape, row));
            copied += rows.length;
            options.onProgress?.(table, copied, false);
          }
          await client.query('close copy_rows');
          report[table] = copied;
          options.onProgress?.(table, copied, true);
        }
        sqlite.exec('commit');
        return report;
      } finally {
        if (sqlite.inTransaction) sqlite.exec('rollback');
        checkpointAndClose(sqlite);
      }
    } finally {
      await client.query('rollback').catch(() => undefined);
      client.release();
    }
  } finally {
    await pool.end();
  }
}
