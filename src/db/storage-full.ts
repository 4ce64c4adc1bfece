// A write the database had no room for: SQLite's disk full (or its max_page_count reached), PostgreSQL's
// disk_full. The transaction rolled back, so nothing was written; but unlike a busy database no retry helps
// until an operator frees space, so the answer is a 507 that says so, neither a 500 (as for a bug) nor a 503
// with a Retry-After no one can promise.

const POSTGRES_DISK_FULL = '53100';

export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === POSTGRES_DISK_FULL;
}
