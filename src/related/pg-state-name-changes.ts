import type pg from 'pg';
import { pgRelateStates, pgStateNames } from './pg-freshen.js';
import { strippedDifferently } from './state-name-changes.js';
import type { StateNames } from './state-names.js';

// state-name-changes.ts on PostgreSQL, which has no stale list for a write: the states of the recommendations
// whose text the change of the states' spellings strips differently are recomputed whole at once, in the
// writer's transaction (a state's write, `npm run seed`).

/**
 * Recomputes, after a write of state_aliases, the relations of the states whose texts the names read before
 * it (`before`) and now strip differently; returns the recommendations whose recurrence changed (their stored
 * documents are stale). Nothing is read beyond the names when the set of keys is the same.
 */
export async function pgRelateRenamed(client: pg.ClientBase, before: StateNames): Promise<string[]> {
  const after = await pgStateNames(client);
  if (after.fingerprint === before.fingerprint) return [];
  const { rows } = await client.query<[string, string, string]>({
    text: `select r.id, r.text, v.state_code from recommendations r join reviews v on v.id = r.review_id where strpos(r.text, ')') > 0`,
    rowMode: 'array',
  });
  const changed = new Set(strippedDifferently(rows, before, after));
  const states = [...new Set(rows.filter(([id]) => changed.has(id)).map(([, , state]) => state))];
  if (states.length === 0) return [];
  const counts = { states: 0, recommendations: 0, inserted: 0, updated: 0, deleted: 0 };
  return pgRelateStates(client, states, after, counts);
}
