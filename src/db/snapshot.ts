import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { registerFunctions } from './functions.js';
import type { Db } from './open.js';
import { currentRevision } from './revision.js';
import * as schema from './schema.js';
import { truncateWalAfterSnapshots } from './wal.js';

// A read snapshot for a long read such as a streamed export: its own read-only connection in one read
// transaction, so that every chunk sees the database as it was when the export began (no record twice or
// missing when a write lands meanwhile), while the main connection keeps serving other requests.

export interface Snapshot {
  db: Db;
  /** The data revision the snapshot shows. */
  revision: number;
  close(): void;
}

let openCount = 0;

/** Snapshots open now in this process (each pins the WAL: a checkpoint cannot pass what it may read). */
export function openSnapshots(): number {
  return openCount;
}

export function openSnapshot(db: Db): Snapshot {
  const main = db.$client;
  // An in-memory database has no file another connection could open: the snapshot is a copy of it.
  const client = main.memory
    ? new Database(main.serialize())
    : new Database(main.name, { readonly: true, fileMustExist: true });
  registerFunctions(client);
  client.pragma('busy_timeout = 5000');
  // A long read touches each page about once: better-sqlite3's default page cache (16 MiB) would only grow
  // the process by that much per export; 2 MiB holds the indexes' inner pages.
  client.pragma('cache_size = -2000');
  const snapshot = drizzle(client, { schema }) as Db;
  client.exec('begin');
  const revision = currentRevision(snapshot); // the first read fixes the snapshot
  openCount += 1;
  return {
    db: snapshot,
    revision,
    close() {
      client.exec('rollback');
      client.close();
      openCount -= 1;
      if (openCount === 0) truncateWalAfterSnapshots(main);
    },
  };
}
