import type pg from 'pg';
import type { FreshenLog } from './freshen.js';

// PG_POOL_MAX past the connections PostgreSQL lets the service's role open (max_connections less the slots kept for
// superusers, the role's CONNECTION LIMIT, the database's): under load the pool opened connections the server
// refused, and those requests were answered 503 "out of connections" (1 of 40 at once with a role's limit of 3 and
// the default pool of 10) while the open ones were about to be free. Told at start, to the operator; not clamped,
// since instances sharing the role share its limit.

const LIMITS = `select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int as server,
  (select rolconnlimit from pg_roles where rolname = current_user) as role,
  (select datconnlimit from pg_database where datname = current_database()) as database`;

/** Warns when `poolMax` is more than the connections the server, the role or the database allow (-1: no limit); returns the warning. */
export async function warnOfConnectionLimit(
  pool: Pick<pg.Pool, 'query'>,
  poolMax: number,
  log: Pick<FreshenLog, 'warn'> | undefined,
): Promise<string | undefined> {
  const limits = (await pool.query<{ server: number; role: number; database: number }>(LIMITS)).rows[0]!;
  const below = (Object.entries(limits) as Array<[string, number]>).filter(([, limit]) => limit >= 0 && limit < poolMax);
  if (below.length === 0) return undefined;
  const warning =
    `PG_POOL_MAX (${poolMax}) is more than the connections PostgreSQL allows this service (${below.map(([what, limit]) => `${what}: ${limit}`).join(', ')}): ` +
    'requests that need a connection past it are answered 503. Lower PG_POOL_MAX (shared by every instance on the same role and database) or raise the limit.';
  log?.warn?.({}, warning);
  return warning;
}
