import type pg from 'pg';

// PostgreSQL's statement_timeout on the service's pool (PG_READ_TIMEOUT_MS): one costly read held a pooled
// connection, and PostgreSQL's CPU, for as long as it ran. A statement running longer is cancelled by the server
// (SQLSTATE 57014, query_canceled) and the request answered 503 with Retry-After (src/http/problem.ts); its
// transaction rolls back, so nothing is half-read or half-written. Writes, imports, the start's migration and
// bringing stale records up to date lift it for their own transaction (NO_STATEMENT_TIMEOUT): they are bounded by
// the lock timeout and their own size, and cutting one would only lose the work. So do the start's checks (what it
// has to do, whether it is seeded, how it treats text: withoutReadTimeout): cut, the start failed on the raw error.
// Exports keep it, per statement (each chunk fetched), and EXPORT_MAX_SECONDS bounds the whole.

/** The default of PG_READ_TIMEOUT_MS: ten times the slowest read measured on the 100k database (1.1 s). */
export const DEFAULT_PG_READ_TIMEOUT_MS = 15_000;

/**
 * The least PG_READ_TIMEOUT_MS but 0 (none): a hundred times a one-row read (the revision every request reads, about
 * a millisecond on a busy machine). Shorter, reads that cost nothing were cut, and every request answered 503: 1 ms
 * cut the start's one-row reads, and a value meant in seconds (15) cut everything but those.
 */
export const MIN_PG_READ_TIMEOUT_MS = 100;

/** Seconds a client is asked to wait after a read that ran out of time: the load that slowed it may pass. */
export const READ_TIMEOUT_RETRY_AFTER_SECONDS = 10;

/**
 * Runs `read` on a connection of its own without the read timeout (the start's checks: is the database migrated,
 * is anything stale), as the work they decide on runs; the connection is dropped after, its setting with it.
 */
export async function withoutReadTimeout<T>(pool: Pick<pg.Pool, 'connect'>, read: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('set statement_timeout = 0');
    return await read(client);
  } finally {
    client.release(true);
  }
}

/** Lifts the read timeout for the rest of the current transaction (run after `begin`). */
export const NO_STATEMENT_TIMEOUT = 'set local statement_timeout = 0';

/** The pool option that sets it on each connection; none for 0 (PostgreSQL's own 0: no timeout). */
export function readTimeoutOption(ms: number | undefined): { statement_timeout?: number } {
  return ms === undefined || ms === 0 ? {} : { statement_timeout: ms };
}

function cancelled(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '57014';
}

/** Whether `error` (or the driver's error drizzle wrapped in it) is a statement cancelled by the read timeout. */
export function isReadTimeout(error: unknown): boolean {
  return cancelled(error) || cancelled((error as { cause?: unknown } | null)?.cause);
}
