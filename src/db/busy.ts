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
