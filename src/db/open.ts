import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { applySeed } from '../../seed/apply.js';
import { freshenDocuments } from '../recommendations/documents.js';
import { freshenRelations } from '../related/refresh.js';
import { isDatabaseBusy, writeLockFree } from './busy.js';
import { NewerDatabaseError, refuseNewerDatabase } from './newer-release.js';
import { bumpRevision } from './revision.js';
import { limitWal } from './wal.js';
import * as schema from './schema.js';
import { registerFunctions } from './functions.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** How long a write waits for another connection's write lock, by default. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** How long opening a database waits for another process's write lock when it has to write, by default. */
export const OPEN_WAIT_MS = 15 * 60_000;

export interface OpenOptions {
  seed?: boolean; // seed reference data and sourced facts when the database is empty (default true)
  busyTimeoutMs?: number; // how long a write waits for another connection's write lock (default 5 s)
  /** How long the writes of opening (migrations, seed, stale relations and documents) wait for another process's write lock. */
  openWaitMs?: number;
  /** Called once when they start to wait: the caller says so (the server's log, a command's stderr). */
  onWait?: (waitMs: number) => void;
  /** Called before each of those writes (the server logs it: a start that migrates may take a while). */
  onStep?: (step: string) => void;
}

/** Opening needed to write, and another process (an `npm run import`, say) held the write lock all the while. */
export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
  /** A busy database (src/db/busy.ts): a request that met it is answered 503 with Retry-After. */
  readonly code = 'SQLITE_BUSY';
}

/**
 * Opens (creating, migrating and seeding it when new) the database at `path`; given a database file's bytes
 * instead, an in-memory database holding them (better-sqlite3's deserialize), opened the same way.
 */
export function openDatabase(path: string | Buffer, options: OpenOptions = {}): Db {
  if (typeof path === 'string' && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  registerFunctions(sqlite);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = drizzle(sqlite, { schema });
  try {
    openingWrites(db, options);
    // Query planner statistics (sqlite_stat1) for tables that have none or have grown a lot since: without
    // them SQLite guesses, e.g. reads the position index (a fifth of all rows) to find one state's records.
    // Never waited for: a process holding the write lock is an import, which analyzes when it commits (and
    // the server's connection then reads its statistics: planner-stats.ts).
    sqlite.pragma('busy_timeout = 0');
    try {
      sqlite.pragma('optimize = 0x10002');
    } catch (error) {
      if (!isBusy(error)) throw error;
    }
  } catch (error) {
    sqlite.close();
    throw error;
  }
  limitWal(sqlite);
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return db;
}

/**
 * The connection's settings, migrations, the seed of a new database, and relations and documents left stale (by a migration, which
 * marks every recommendation, or by another program's writes, the seed's included). Each step writes only
 * when it has something to do; when another process holds the write lock, they are run again waiting for it
 * up to openWaitMs (each is whole or not at all, and finds done what was committed before).
 */
const STALE =
  'select exists (select 1 from recommendation_relations_stale) or exists (select 1 from recommendation_documents_stale) or exists (select 1 from stats_dirty)';

function openingWrites(db: Db, options: OpenOptions): void {
  const sqlite = db.$client;
  const run = () => {
    // The settings too: while another process writes the file through a rollback journal (an import into a new
    // file), it can be neither read (its schema, which even these pragmas read) nor put in WAL mode.
    sqlite.pragma('journal_mode = WAL');
    // Writes are rare and an acknowledged write must survive a power loss.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    if (!migrated(sqlite)) {
      options.onStep?.(`SQLite: applying the migrations (${recordedCount(sqlite)} of ${expectedMigrationCount()} applied so far)`);
      migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    }
    if (options.seed !== false && isEmpty(db)) {
      options.onStep?.('SQLite: the database is empty: adding the seed');
      applySeed(db);
    }
    // What the answers show has changed (a migration's backfill, another program's writes): so must the revision,
    // which list, export and /related ETags name (a client's cached page would otherwise be a 304), as
    // PostgreSQL's start does (src/db/pg/freshen.ts). Its bump also counts what a migration left in stats_dirty.
    // One transaction with the rebuilds: a process killed after they committed and before a bump of its own left
    // nothing listed stale, and the next start served the rebuilt data under the old revision.
    if (sqlite.prepare(STALE).pluck().get() === 1) {
      options.onStep?.('SQLite: bringing up to date the relations, documents and counts listed stale');
      db.transaction(
        () => {
          freshenRelations(db);
          freshenDocuments(db);
          bumpRevision(db);
        },
        { behavior: 'immediate' },
      );
    }
  };
  sqlite.pragma('busy_timeout = 0');
  try {
    return run();
  } catch (error) {
    if (!isBusy(error)) throw error;
  }
  const waitMs = options.openWaitMs ?? OPEN_WAIT_MS;
  options.onWait?.(waitMs);
  sqlite.pragma(`busy_timeout = ${waitMs}`);
  try {
    run();
  } catch (error) {
    if (!isBusy(error)) throw error;
    throw new DatabaseLockedError(
      'opening the database had to write (migrations, the seed, or records to bring up to date), but another process ' +
        `(an import, say) held its write lock for more than ${duration(waitMs)}; nothing was changed: try again once it has finished`,
    );
  }
}

const duration = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/** SQLITE_BUSY, also when drizzle has wrapped it. */
const isBusy = (error: unknown): boolean =>
  isDatabaseBusy(error) || isDatabaseBusy((error as { cause?: unknown } | null)?.cause);

/**
 * openDatabase for a command (seed, import, tag, relate, keys): its writes wait for another process's write
 * lock as long as opening does (a command is not answering anyone meanwhile), and it says so on stderr (a
 * command that only `reads` does not wait).
 */
export function openForCommand(path: string, err: (line: string) => void, options: OpenOptions & { reads?: boolean } = {}): Db {
  const waitMs = options.openWaitMs ?? OPEN_WAIT_MS;
  let said = false;
  const say = () => {
    if (!said) err(`${path}: another process (an import, say) is writing to the database: waiting for it (at most ${duration(waitMs)})\n`);
    said = true;
  };
  const db = openDatabase(path, { ...options, busyTimeoutMs: waitMs, onWait: say });
  if (options.reads !== true && !writeLockFree(db.$client)) say();
  return db;
}

// SQLite's answers about the file rather than about a statement: not there or not openable (a directory), not a
// database, damaged, read-only, full, an I/O error.
const FILE_TROUBLE = /^SQLITE_(CANTOPEN|NOTADB|CORRUPT|READONLY|FULL|IOERR|PERM)/;

/**
 * What the server or a command says, in one line, when the database cannot be opened or written: another
 * process held the write lock all the while, or SQLite says what is wrong with the file. Undefined for any
 * other error (a fault of ours: its stack trace is wanted).
 */
export function databaseFailure(error: unknown): string | undefined {
  if (error instanceof DatabaseLockedError || error instanceof NewerDatabaseError) return error.message;
  if (isBusy(error)) return 'another process (an import, say) held the database\'s write lock all the while; nothing was written: try again once it has finished';
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && FILE_TROUBLE.test(code) ? `${String(message)} (${code})` : undefined;
}
function isEmpty(db: Db): boolean {
  return db.$client.prepare('select count(*) as n from states').pluck().get() === 0;
}

let journal: Array<{ when: number }> | undefined;

/** The migrations' journal (drizzle-kit's meta/_journal.json), read once. */
function journalEntries(): Array<{ when: number }> {
  journal ??= (JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: Array<{ when: number }> })
    .entries;
  return journal;
}

/**
 * Whether every migration is applied: drizzle's migrate applies those made after the last one recorded
 * (`created_at` is the journal's `when`), and with none to apply does nothing, but reads and hashes every
 * migration file first (a few ms at each open: every test app's).
 */
function migrated(sqlite: Database.Database): boolean {
  const recorded = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (recorded === undefined) return false;
  const last = sqlite.prepare('select created_at from __drizzle_migrations order by created_at desc limit 1').pluck().get();
  if (last === undefined) return false;
  refuseNewerDatabase(Number(last), journalEntries(), appliedCount(sqlite));
  return journalEntries().every(({ when }) => Number(last) >= when);
}

export function expectedMigrationCount(): number {
  return journalEntries().length;
}

export function appliedMigrationCount(db: Db): number {
  return appliedCount(db.$client);
}

/** The migrations applied, 0 in a new file (which has no table of them yet). */
const recordedCount = (sqlite: Database.Database): number =>
  sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get() === undefined ? 0 : appliedCount(sqlite);

const appliedCount = (sqlite: Database.Database) => sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get() as number;
