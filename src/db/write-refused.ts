// A write PostgreSQL refuses whatever the request: the database read only (`default_transaction_read_only = on`
// for the service's role or database, a hot standby, a connection that reached a replica after a failover:
// read_only_sql_transaction, 25006) or the service's role without the privilege (insufficient_privilege, 42501:
// a role granted SELECT only). Nothing was written. Not the client's fault, and not a bug of ours: a 503 problem
// that says so (was a 500), without Retry-After, since only an operator can change it (or a failover end).

const REFUSED = new Set(['25006', '42501']);

function refused(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && REFUSED.has(code);
}

/** Whether `error` (or the driver's error drizzle wrapped in it) is PostgreSQL refusing to write for the service. */
export function isWriteRefused(error: unknown): boolean {
  return refused(error) || refused((error as { cause?: unknown } | null)?.cause);
}

export const WRITE_REFUSED_DETAIL =
  "The database refuses this service's writes (it is read only, or the service's database role lacks the privilege); " +
  'nothing was changed. Reads are served; an operator must make the database writable for the service.';
