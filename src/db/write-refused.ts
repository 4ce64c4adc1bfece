// A write PostgreSQL refuses whatever the request: the database read only (`default_transaction_read_only = on`
// for the service's role or database, a hot standby, a connection that reached a replica after a failover:
// read_only_sql_transaction, 25006) or the service's role without the privilege (insufficient_privilege, 42501:
// a role granted SELECT only). Nothing was written. Not the client's fault, and not a bug of ours: a 503 problem
// that says so (was a 500), without Retry-After, since only an operator can change it (or a failover end).
// 42501 on a read (GET, HEAD: a role without SELECT on a table the request reads) is the same 503 saying the
// database refused the read (it said the write was refused, to a client that wrote nothing).

const REFUSED = new Set(['25006', '42501']);

/** The SQLSTATEs of `error` and of the driver's error drizzle wrapped in it. */
const codes = (error: unknown): unknown[] => [error, (error as { cause?: unknown } | null)?.cause].map((e) => (e as { code?: unknown } | null)?.code);

/** Whether `error` (or the driver's error drizzle wrapped in it) is PostgreSQL refusing to write for the service. */
export const isWriteRefused = (error: unknown): boolean => codes(error).some((code) => typeof code === 'string' && REFUSED.has(code));

/** Whether `error` is the service's role lacking a privilege (42501), whatever the statement. */
export const isPrivilegeRefused = (error: unknown): boolean => codes(error).includes('42501');

export const READ_REFUSED_DETAIL =
  "The database refuses this service's reads of what this request needs (the service's database role lacks the privilege to read it); " +
  'an operator must grant the role SELECT on the service’s tables.';

export const WRITE_REFUSED_DETAIL =
  "The database refuses this service's writes (it is read only, or the service's database role lacks the privilege); " +
  'nothing was changed. Reads are served; an operator must make the database writable for the service.';
