import { type MessagePort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { importFile } from './run.js';
import type { ImportOptions, ImportReport } from './types.js';

// The import thread (src/import/import-thread.ts): imports a file into the database at a path, on a connection
// of its own opened for the job, and answers with the report or the error. One job at a time.

export interface ImportJob {
  id: number;
  path: string;
  busyTimeoutMs: number;
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

export type ImportAnswer = { id: number; report: ImportReport } | { id: number; error: ThrownError };

export async function runJob(job: ImportJob): Promise<ImportAnswer> {
  try {
    // (The database is the service's: migrated and seeded when it started.)
    const db = openDatabase(job.path, { seed: false, busyTimeoutMs: job.busyTimeoutMs });
    try {
      const source = {
        name: job.name,
        async *chunks() {
          yield job.bytes;
        },
      };
      return { id: job.id, report: await importFile(db, source, job.options) };
    } finally {
      db.$client.close();
    }
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
  void runJob(job).then((answer) => port.postMessage(answer));
});
