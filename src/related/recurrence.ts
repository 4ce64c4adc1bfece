import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { lookupByIds } from '../db/batch.js';
import { RECURRENCE_THRESHOLD } from './settings.js';

// A recommendation's recurrence: the earlier-cycle recommendations to the same state under review whose
// text scores at least RECURRENCE_THRESHOLD with its own (among the RELATED_PER_RECORD most similar kept).

export interface Recurrence {
  count: number;
  earliestCycle: number | null;
}

/**
 * Whether recommendation r has been made before (SQL over recommendations r). The threshold is written as a literal:
 * PostgreSQL's partial index recommendation_relations_recurring_idx serves it only when the query states its predicate.
 */
export const RECURRING = sql.raw(`exists (select 1 from recommendation_relations rl where rl.recommendation_id = r.id
  and rl.relation = 'earlier' and rl.score >= ${RECURRENCE_THRESHOLD})`);

/** The `recurring` filter's condition. */
export function recurringCondition(recurring: boolean): SQL {
  return recurring ? RECURRING : sql`not ${RECURRING}`;
}

const RECURRENCES = `select recommendation_id, count(*), min(related_cycle) from recommendation_relations
  where recommendation_id in (select value from json_each(?)) and relation = 'earlier' and score >= ${RECURRENCE_THRESHOLD}
  group by recommendation_id`;

/** The recurrence of each of these recommendations (those missing have none: count 0). */
export function recurrences(db: Db, ids: readonly string[]): Map<string, Recurrence> {
  const found = lookupByIds<[id: string, count: number, earliest: number]>(db, RECURRENCES, ids);
  const result = new Map<string, Recurrence>();
  // One row per id (grouped by it).
  for (const [id, [row]] of found) result.set(id, { count: row![1], earliestCycle: row![2] });
  return result;
}

export const NO_RECURRENCE: Recurrence = { count: 0, earliestCycle: null };
