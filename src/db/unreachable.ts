// PostgreSQL that cannot be reached for this request: the server restarting or stopped (connection refused,
// "terminating connection due to administrator command", "the database system is starting up"), a connection
// dropped mid-query, no connection slot left, a host that does not answer (the connect timeout). The service
// recovers by itself once the database answers again (the pool opens new connections), so the answer is a 503
// with Retry-After, not a 500 that reads as a bug.

/** Node's socket and name-resolution errors met connecting to the database. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** SQLSTATEs: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections (class 08: below). */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

// node-postgres's own, without a code: a connection ended under a query, a client broken by an earlier one, or
// a connection given up after PG_CONNECT_TIMEOUT_MS (src/db/pg/connect-timeout.ts).
const DRIVER_MESSAGES = /^Connection terminated|^Client has encountered a connection error|^Client was closed and is not queryable|^timeout expired$/;

/** Seconds a client is asked to wait: about what a PostgreSQL restart takes. */
export const UNREACHABLE_RETRY_AFTER_SECONDS = 5;

function unreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || POSTGRES_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return DRIVER_MESSAGES.test(error.message);
}

/** Whether `error` (or the driver's error drizzle wrapped in it) says the database could not be reached. */
export function isDatabaseUnreachable(error: unknown): boolean {
  return unreachable(error) || unreachable((error as { cause?: unknown } | null)?.cause);
}
