import { sql } from 'drizzle-orm';
import type { Tx } from '../db/audit.js';
import { SQLITE_STATE_NAMES_SQL, type StateNames, stateNamesOfKeys } from './state-names.js';

// A change of the states' spellings (state_aliases: a state created, renamed, given other aliases or deleted;
// a release of the seed adding aliases) changes which parenthesised names the texts are compared without
// (state-names.ts): the recommendations whose text is stripped differently are listed stale in the same
// transaction, and their states recomputed whole before it commits (refresh.ts; PostgreSQL:
// pg-state-name-changes.ts), so that the relations stay what `npm run relate` gives. Only those, found by
// reading the texts that hold a ")" (the others strip to themselves): 15 ms on UPR Info's 32,084
// recommendations, 0.2–0.4 s on the Terman corpus's 37,963, where listing every recommendation stale cost
// 0.7–2.4 s each time (docs/related-recommendations.md). A change that keeps the set of keys (an alias
// reworded, the same list given again, a state's group changed) reads the keys twice and nothing else.

/** The ids of the rows (id, text) whose text the names `before` and `after` strip differently. */
export function strippedDifferently(rows: Iterable<readonly [string, string, ...unknown[]]>, before: StateNames, after: StateNames): string[] {
  const [was, is] = [new Set(before.list()), new Set(after.list())];
  const changed = new Set([...was].filter((key) => !is.has(key)).concat([...is].filter((key) => !was.has(key))));
  const ids: string[] = [];
  // (Both strips only of a text whose strip looks a changed key up: the Terman corpus's texts compared in
  // 95–99 ms, against 182 ms with both strips of every text.)
  for (const [id, text] of rows) if (before.looksUp(text, changed) && before.strip(text) !== after.strip(text)) ids.push(id);
  return ids;
}

/** The states' names as a SQLite write's transaction reads them. */
function namesIn(tx: Pick<Tx, 'values'>): StateNames {
  return stateNamesOfKeys(tx.values<[string]>(sql.raw(SQLITE_STATE_NAMES_SQL))[0]![0]);
}

/**
 * Runs `write` (a write of state_aliases in a writeTransaction), then lists stale the recommendations whose
 * compared text the change of keys made a different text: writeTransaction recomputes their states.
 */
export function changingStateNames<T>(tx: Pick<Tx, 'values' | 'run'>, write: () => T): T {
  const before = namesIn(tx);
  const result = write();
  const after = namesIn(tx);
  if (after.fingerprint === before.fingerprint) return result;
  const rows = tx.values<[string, string]>(sql`select id, text from recommendations where instr(text, ')') > 0`);
  const ids = strippedDifferently(rows, before, after);
  if (ids.length > 0) {
    tx.run(sql`insert or ignore into recommendation_relations_stale (recommendation_id) select value from json_each(${JSON.stringify(ids)})`);
  }
  return result;
}
