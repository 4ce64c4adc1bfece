import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { AppConfig } from '../../src/config.js';
import type { Db } from '../../src/db/open.js';
import { openSnapshots } from '../../src/db/snapshot.js';
import { buildTestApp, postgresSide, tempDir, testBackend } from '../helpers.js';
import { copyLargeExportDatabase, largeExportTemplateName } from './template-db.js';

// The large-export database (test/support/template-db.ts) behind a test app on either backend, and what an
// export's read snapshot holds, seen from beside the app: on SQLite its own connection (the WAL it pins), on
// PostgreSQL its repeatable-read transaction on a pooled connection (the xmin horizon it holds back).

let largeCopy: string | undefined;

/**
 * A test app on a copy of the large-export database: on PostgreSQL a copy of its template, made once per run
 * (restored from a pg_dump kept across runs: its copy costs the server tens of seconds).
 */
export async function buildLargeExportApp(t: Test, overrides: Partial<AppConfig> = {}): Promise<FastifyInstance> {
  if (testBackend() === 'sqlite') {
    const databasePath = join(tempDir(t), 'large-export.sqlite');
    copyLargeExportDatabase(databasePath);
    return buildTestApp(t, { ...overrides, databasePath });
  }
  return buildTestApp(t, overrides, async (clusterUrl) => {
    const { copiedDatabase } = await import('./postgres.js');
    // The cluster's template is named after the SQLite template's name (its contents: the fill and the sources);
    // a SQLite copy, one per process, is made only when the template is made from it rather than a kept dump.
    const sqlite = () => {
      if (largeCopy === undefined) {
        let root = t;
        while (root.parent !== undefined) root = root.parent as Test;
        largeCopy = join(tempDir(root), 'large-export.sqlite');
        copyLargeExportDatabase(largeCopy);
      }
      return largeCopy;
    };
    return copiedDatabase(clusterUrl, sqlite, { keepDump: true, family: 'large-export', key: largeExportTemplateName() });
  });
}

/** The read snapshots the app's exports hold open now. */
export async function openExportSnapshots(app: FastifyInstance): Promise<number> {
  return postgresSide(app) === undefined ? openSnapshots() : heldBack(app);
}

/**
 * How many snapshots hold back what the database could reclaim: on SQLite 1 when a checkpoint cannot pass
 * them (pragma wal_checkpoint: busy), on PostgreSQL the other connections holding an xmin (vacuum's horizon).
 */
export async function snapshotsPinning(app: FastifyInstance): Promise<number> {
  if (postgresSide(app) === undefined) return checkpointBusy(app.db);
  return heldBack(app);
}

/**
 * 1 when a TRUNCATE checkpoint of `db` cannot pass a reader's snapshot, else 0 (the checkpoint is done). Asked
 * with busy_timeout at 0: a blocked TRUNCATE checkpoint calls the busy handler, which would wait the
 * connection's whole busy_timeout (5 s) for a reader the test itself holds open, the event loop blocked
 * meanwhile, before answering the same 1.
 */
export function checkpointBusy(db: Db): number {
  const client = db.$client;
  const timeout = client.pragma('busy_timeout', { simple: true }) as number;
  client.pragma('busy_timeout = 0');
  try {
    return (client.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]!.busy;
  } finally {
    client.pragma(`busy_timeout = ${timeout}`);
  }
}

async function heldBack(app: FastifyInstance): Promise<number> {
  const { rows } = await postgresSide(app)!.pool.query<{ n: number }>(
    `select cast(count(*) as integer) as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and backend_xmin is not null`,
  );
  return rows[0]!.n;
}
