import type Database from 'better-sqlite3';

// A write that lost a race for the database rather than failed: SQLite's write lock held by another process
// past busy_timeout (an `npm run import`, say), or on PostgreSQL a serialization failure, a deadlock or a lock
// not available. Nothing was written; the same request can succeed a moment later, so the answer is a 503
// with Retry-After, not a 500.

const POSTGRES_RETRYABLE = new Set(['40001', '40P01', '55P03']);

/** Seconds a client is asked to wait before retrying a write that found the database busy. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_RECOVERY, SQLITE_BUSY_TIMEOUT).
  return code.startsWith('SQLITE_BUSY') || POSTGRES_RETRYABLE.has(code);
}

/** Whether SQLite's write lock is free now: taken and let go at once, never waited for. */
export function writeLockFree(client: Database.Database): boolean {
  const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
  client.pragma('busy_timeout = 0');
  try {
    client.exec('begin immediate');
    client.exec('rollback');
    return true;
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
    return false;
  } finally {
    client.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/**
 * How long a command writing in many transactions (`npm run tag`, `npm run relate`) leaves SQLite's write lock
 * free between two: a writer waiting for it (the server's busy_timeout) tries again at most every 100 ms
 * (SQLite's default busy handler), and would otherwise almost never find it free.
 */
export const WRITE_LOCK_GAP_MS = 120;

/** Lets writers waiting for the write lock take it: the calling thread sleeps WRITE_LOCK_GAP_MS, holding nothing. */
export function letWritersIn(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WRITE_LOCK_GAP_MS);
}
