import type { Database } from 'better-sqlite3';

// SQLite reads the query planner's statistics (sqlite_stat1, sqlite_stat4) when a connection loads the
// schema, and another connection's ANALYZE (an import's `pragma optimize`) leaves the schema as it was. A
// server started on a just-seeded database (8 recommendations, 2 relations) kept those statistics after
// `npm run import` had added 40,000 recommendations and 480,000 relations, and planned `recurring` as a scan
// of every relation for each recommendation: one request held the event loop for many minutes, until a
// restart. `ANALYZE sqlite_schema` makes a connection read the statistics again.

interface Watch {
  /** The statistics this connection planned with when last read. */
  seen: string;
  /** Another connection committed since: look again until the statistics are read or found unchanged. */
  pending: boolean;
}

const watches = new WeakMap<Database, Watch>();

const STATS = `select coalesce(group_concat(tbl || ' ' || coalesce(idx, '') || ' ' || stat, char(10)), '')
  from (select tbl, idx, stat from sqlite_stat1 order by tbl, idx)`;

/** The statistics in the file ('' before the first ANALYZE creates sqlite_stat1). */
function fileStats(client: Database): string {
  const exists = client.prepare("select 1 from sqlite_schema where name = 'sqlite_stat1'").pluck().get();
  return exists === undefined ? '' : (client.prepare(STATS).pluck().get() as string);
}

/** Starts watching a connection's planner statistics (those it loaded at open are current). */
export function watchPlannerStats(client: Database): void {
  if (watches.has(client) || client.readonly || client.memory) return;
  watches.set(client, { seen: fileStats(client), pending: false });
}

/**
 * After another connection committed (`changed`), and on later calls until done: when the statistics in the
 * file differ from those this connection loaded, reads them again. That takes the write lock for a moment,
 * never waited for: while another connection writes (or if it fails), planning goes on with the statistics
 * it has, and it is tried again at the next call.
 */
export function refreshPlannerStats(client: Database, changed: boolean): void {
  const watch = watches.get(client);
  if (!watch) return;
  watch.pending ||= changed;
  if (!watch.pending) return;
  const stats = fileStats(client);
  const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
  client.pragma('busy_timeout = 0');
  try {
    if (stats !== watch.seen) client.exec('analyze sqlite_schema');
    watch.seen = stats;
    watch.pending = false;
  } catch {
    // SQLITE_BUSY: another connection writes; looked at again at the next call.
  } finally {
    client.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
