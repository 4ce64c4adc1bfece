import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Test } from 'tap';
import { copyDatabase } from '../../src/db/copy/copy.js';
import { COPY_TABLES } from '../../src/db/copy/tables.js';
import { tempDir } from '../helpers.js';
import { alignCursors } from './both-backends.js';

// The same data in SQLite and in PostgreSQL, table by table (the PostgreSQL database copied back into SQLite),
// but for the instants each stamped: what an import on PostgreSQL must leave (test/postgres-import*.test.ts).

const INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

/**
 * An ETag as two databases written alike share it: a record's whole (a digest of what it shows), a list's
 * revision only (the rest hashes the token each revision bump draws at random: src/db/revision.ts).
 */
export function comparableEtag(etag: unknown): unknown {
  return typeof etag === 'string' ? etag.replace(/^("r\d+-).*/, '$1…"') : etag;
}

/** PostgreSQL's text with each instant replaced by SQLite's at the same place: equal when all else is. */
export function alignInstants(sqliteText: string, pgText: string): string {
  pgText = alignCursors(sqliteText, pgText);
  const instants = [...sqliteText.matchAll(INSTANT)].map((m) => m[0]);
  let i = 0;
  return pgText.replace(INSTANT, (match) => (i < instants.length ? instants[i++]! : match));
}

/**
 * Every table but the keys' (their secrets differ by design), in key order, as text; meta without the token each
 * revision bump draws at random (src/db/revision.ts).
 */
function tablesOf(path: string): Map<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = new Map<string, string>();
    for (const table of COPY_TABLES.filter((name) => name !== 'api_keys' && name !== 'idempotency_keys')) {
      const keys = (db.prepare(`pragma table_info("${table}")`).all() as { name: string; pk: number }[])
        .filter((column) => column.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((column) => `"${column.name}"`);
      const rows = `select * from "${table}"${table === 'meta' ? " where key <> 'revision_token'" : ''} order by ${keys.join(', ')}`;
      tables.set(table, JSON.stringify(db.prepare(rows).raw().all()));
    }
    return tables;
  } finally {
    db.close();
  }
}

/** The PostgreSQL database's tables (copied back into SQLite) against the SQLite database's, table by table. */
export async function sameTables(t: Test, sqlitePath: string, url: string): Promise<void> {
  const back = join(tempDir(t), 'back.sqlite');
  await copyDatabase({ kind: 'postgres', url }, { kind: 'sqlite', path: back });
  const fromPg = tablesOf(back);
  for (const [table, rows] of tablesOf(sqlitePath)) {
    t.equal(alignInstants(rows, fromPg.get(table)!), rows, `table ${table}: the same rows`);
  }
}
