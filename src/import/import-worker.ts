import { type MessagePort, workerData } from 'node:worker_threads';
import '../common/zod-messages.js';
import { openDatabase } from '../db/open.js';
import { importFile } from './run.js';
import type { ImportOptions, ImportReport, ImportSource } from './types.js';
import { checkpointAndClose } from '../db/wal.js';

// The import thread (src/import/import-thread.ts): imports a file into the service's database (SQLite's file or
// PostgreSQL), on a connection of its own opened for the job, and answers with the report or the error.

/** The database a job imports into: SQLite's file, or PostgreSQL's URL (lock_timeout as the service's pool has it). */
export type ImportTarget = { kind: 'sqlite'; path: string; busyTimeoutMs: number } | { kind: 'postgres'; url: string; lockTimeoutMs?: number; connectTimeoutMs?: number };

export interface ImportJob {
  id: number;
  target: ImportTarget;
  name: string;
  bytes: Uint8Array;
  options: ImportOptions;
}

/** What an error thrown by the import carries across the thread boundary. */
export interface ThrownError {
  name: string;
  message: string;
  /** ImportError's HTTP status. */
  status?: number;
  /** SQLite's error code (SQLITE_BUSY: the database was busy). */
  code?: string;
  stack?: string;
}

/** A job begun (`started`), then its report or its error. */
export type ImportAnswer = { id: number; started: true } | { id: number; report: ImportReport } | { id: number; error: ThrownError };

/** The file imported into the target, on a connection of the job's own. */
async function imported(target: ImportTarget, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  if (target.kind === 'postgres') {
    // Loaded here, as app.ts loads PostgreSQL's backend: a SQLite service's thread need not load pg.
    const [{ default: pg }, { pgImportFile }, { DEFAULT_PG_CONNECT_TIMEOUT_MS, timedClient }] = await Promise.all([
      import('pg'),
      import('./pg-import.js'),
      import('../db/pg/connect-timeout.js'),
    ]);
    const pool = new pg.Pool({
      connectionString: target.url,
      max: 1,
      Client: timedClient(pg.Client, target.connectTimeoutMs ?? DEFAULT_PG_CONNECT_TIMEOUT_MS),
      ...(target.lockTimeoutMs === undefined ? {} : { lock_timeout: Math.max(1, target.lockTimeoutMs) }),
    });
    pool.on('error', () => undefined); // (the import's own query fails and says why)
    try {
      return await pgImportFile({ pool }, source, options);
    } finally {
      await pool.end();
    }
  }
  // (The database is the service's: migrated and seeded when it started.)
  const db = openDatabase(target.path, { seed: false, busyTimeoutMs: target.busyTimeoutMs, openWaitMs: target.busyTimeoutMs });
  try {
    return await importFile(db, source, options);
  } finally {
    checkpointAndClose(db.$client);
  }
}

export async function runJob(job: ImportJob): Promise<ImportAnswer> {
  try {
    const source = {
      name: job.name,
      async *chunks() {
        yield job.bytes;
      },
    };
    return { id: job.id, report: await imported(job.target, source, job.options) };
  } catch (thrown) {
    const error = thrown as Partial<ThrownError> & Error;
    return {
      id: job.id,
      error: {
        name: error.name,
        message: error.message,
        stack: error.stack,
        ...(typeof error.status === 'number' ? { status: error.status } : {}),
        ...(typeof error.code === 'string' ? { code: error.code } : {}),
      },
    };
  }
}

// (Its own name in workerData: the relations' worker module, which this thread loads too, answers a `port`.)
const port = (workerData as { importJobs?: MessagePort } | null)?.importJobs;
port?.on('message', (job: ImportJob) => {
  port.postMessage({ id: job.id, started: true } satisfies ImportAnswer);
  void runJob(job).then((answer) => port.postMessage(answer));
});
