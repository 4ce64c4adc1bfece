import { type SQL, sql } from 'drizzle-orm';
import { COUNT_CACHE_ENTRIES } from '../count-cache.js';

// meta.total on PostgreSQL, counted once per data revision and filter, as SQLite's count cache does
// (src/db/count-cache.ts): each page used to count every match again (at 300,000 recommendations 0.5–1.4 s a
// page with no filter, the whole walk once per page). A total is kept with the revision and token it was
// counted at, and handed to the page's statement as parameters; the statement reads the revision in its own
// snapshot and counts only when the data is no longer the one counted (an uncorrelated subquery in a CASE
// is run only when that branch is taken). So a page and its total stay one statement, one snapshot, one
// round trip, and a total is never of another revision than its page.

/** A total and the data revision it was counted at (meta's 'revision' and 'revision_token' values). */
export interface KnownTotal {
  revision: string | null;
  token: string | null;
  total: number;
}

/** Totals per list and filter (count-cache.ts normaliseFilter), the most recently used last; at most COUNT_CACHE_ENTRIES (one per store: per database). */
export class KnownTotals {
  private readonly totals = new Map<string, KnownTotal>();

  get(key: string): KnownTotal | undefined {
    const known = this.totals.get(key);
    if (known !== undefined) {
      this.totals.delete(key);
      this.totals.set(key, known);
    }
    return known;
  }

  set(key: string, known: KnownTotal): void {
    this.totals.delete(key);
    if (this.totals.size >= COUNT_CACHE_ENTRIES) this.totals.delete(this.totals.keys().next().value!);
    this.totals.set(key, known);
  }
}

/**
 * The total as a column: `known`'s when the revision read in this statement (the columns `revision` and `token`
 * of `stamp`, an alias) is the one it was counted at, else `count` (run only then). Its parameters are the same
 * whether a total is known or not, so that a named statement stays one text.
 */
export function totalUnlessKnown(known: KnownTotal | undefined, stamp: SQL, count: SQL): SQL {
  return sql`case when ${stamp}.revision = ${known?.revision ?? null}::text and ${stamp}.token = ${known?.token ?? null}::text
    then ${known?.total ?? null}::int else (${count}) end`;
}
