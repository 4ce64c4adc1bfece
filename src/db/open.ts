import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { applySeed } from '../../seed/apply.js';
import { freshenDocuments } from '../recommendations/documents.js';
import { freshenRelations } from '../related/refresh.js';
import * as schema from './schema.js';
import { registerFunctions } from './functions.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** How long a write waits for another connection's write lock, by default. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  seed?: boolean; // seed reference data and sourced facts when the database is empty (default true)
  busyTimeoutMs?: number; // how long a write waits for another connection's write lock (default 5 s)
}

/**
 * Opens (creating, migrating and seeding it when new) the database at `path`; given a database file's bytes
 * instead, an in-memory database holding them (better-sqlite3's deserialize), opened the same way.
 */
export function openDatabase(path: string | Buffer, options: OpenOptions = {}): Db {
  if (typeof path === 'string' && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  registerFunctions(sqlite);
  sqlite.pragma('journal_mode = WAL');
  // Writes are rare and an acknowledged write must survive a power loss.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
  const db = drizzle(sqlite, { schema });
  if (!migrated(sqlite)) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  if (options.seed !== false && isEmpty(db)) applySeed(db);
  // Relations and documents left stale by a migration (which marks every recommendation) or by another
  // program's writes (the seed included).
  freshenRelations(db);
  freshenDocuments(db);
  // Query planner statistics (sqlite_stat1) for tables that have none or have grown a lot since: without
  // them SQLite guesses, e.g. reads the position index (a fifth of all rows) to find one state's records.
  sqlite.pragma('optimize = 0x10002');
  return db;
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
  return last !== undefined && journalEntries().every(({ when }) => Number(last) >= when);
}

export function expectedMigrationCount(): number {
  return journalEntries().length;
}

export function appliedMigrationCount(db: Db): number {
  return db.$client.prepare('select count(*) from __drizzle_migrations').pluck().get() as number;
}
