import type pg from 'pg';
import type { NeighbourLists } from './neighbours-worker.js';
import { askGroups, PAIR_VALUES, type RelateCounts, type StateDoc, stateDifference, type StoredRelation } from './refresh.js';
import { RECURRENCE_THRESHOLD } from './settings.js';
import { STATE_NAMES_SQL, type StateNames, stateNamesOfKeys } from './state-names.js';

// refresh.ts's refreshStaleRelations on PostgreSQL, for a start that finds relations listed stale (a
// migration lists them all, as SQLite's 0020 does: src/db/pg/freshen.ts) and for a write of a
// recommendation's text or review (pg-refresh.ts): every state with a recommendation listed is recomputed
// whole (its neighbour lists computed as SQLite's, in the neighbour thread when large, and the difference
// with the stored pairs written): the same pairs and scores as SQLite's refresh of the same database. The
// caller's transaction holds the write lock; the recommendations whose recurrence changed are listed in
// recommendation_documents_stale, rebuilt after (or, for a write, marked stale in its transaction).

/** A state with relations listed stale: how many of its recommendations are listed, and how many it has. */
export interface StaleState {
  state: string;
  stale: number;
  recommendations: number;
}

/** The states under review with relations listed stale, in code order. */
export async function staleRelationStates(client: pg.ClientBase): Promise<StaleState[]> {
  const { rows } = await client.query<StaleState>(`select v.state_code as state, count(s.recommendation_id)::int as stale,
      count(*)::int as recommendations
    from recommendations r join reviews v on v.id = r.review_id
    left join recommendation_relations_stale s on s.recommendation_id = r.id
    group by v.state_code having count(s.recommendation_id) > 0 order by v.state_code collate "C"`);
  return rows;
}

/** The states' names and aliases the texts are compared without (as SQLite's refresh reads them). */
export async function pgStateNames(client: pg.ClientBase): Promise<StateNames> {
  return stateNamesOfKeys((await client.query<{ keys: string }>(STATE_NAMES_SQL)).rows[0]!.keys);
}

/** Rows per statement when writing relation rows as arrays. */
const WRITE_ROWS = 5000;

/** Each list's columns as arrays, at most WRITE_ROWS rows at a time. */
async function inArrays<Row extends unknown[]>(rows: Row[], columns: number, write: (arrays: unknown[][]) => Promise<unknown>): Promise<void> {
  for (let at = 0; at < rows.length; at += WRITE_ROWS) {
    const chunk = rows.slice(at, at + WRITE_ROWS);
    await write(Array.from({ length: columns }, (_, c) => chunk.map((row) => row[c])));
  }
}

/** A recommendation's recurrence as its document shows it, as a key: the earlier pairs counted, their earliest cycle. */
const recurrenceKey = (count: number, earliest: number) => (count === 0 ? '' : `${count}/${earliest}`);

/** The recommendations of the state whose recurrence the new lists change (src/related/recurrence.ts). */
function recurrenceChanged(docs: StateDoc[], lists: NeighbourLists, stored: StoredRelation[]): string[] {
  const before = new Map<string, { count: number; earliest: number }>();
  for (const [from, , score, relation, cycle] of stored) {
    if (relation !== 'earlier' || !(score >= RECURRENCE_THRESHOLD)) continue;
    const seen = before.get(from);
    if (seen) {
      seen.count++;
      seen.earliest = Math.min(seen.earliest, cycle);
    } else before.set(from, { count: 1, earliest: cycle });
  }
  const changed: string[] = [];
  docs.forEach((own, i) => {
    let count = 0;
    let earliest = Infinity;
    for (let p = lists.offsets[i]!; p < lists.offsets[i + 1]!; p++) {
      const other = docs[lists.index[p]!]!;
      if (other.cycle < own.cycle && lists.score[p]! >= RECURRENCE_THRESHOLD) {
        count++;
        earliest = Math.min(earliest, other.cycle);
      }
    }
    const old = before.get(own.id);
    if (recurrenceKey(count, earliest) !== recurrenceKey(old?.count ?? 0, old?.earliest ?? Infinity)) changed.push(own.id);
  });
  return changed;
}

/** Lists these recommendations' documents stale (rebuilt after the relations: src/db/pg/freshen.ts). */
async function documentsStale(client: pg.ClientBase, ids: Iterable<string>): Promise<void> {
  const list = [...new Set(ids)];
  if (list.length === 0) return;
  await client.query(
    'insert into recommendation_documents_stale (recommendation_id) select unnest($1::text[]) on conflict do nothing',
    [list],
  );
}

/**
 * Recomputes the relations of these states whole, in the caller's transaction (holding the write lock): each
 * state's texts read, its lists computed (the next state's in the neighbour thread while this one's are
 * written, when they are many), the difference with the stored pairs written, in statements of at most
 * WRITE_ROWS rows. Returns the recommendations whose recurrence changed (their documents are stale).
 */
export async function pgRelateStates(client: pg.ClientBase, states: string[], names: StateNames, counts: RelateCounts): Promise<string[]> {
  const { rows } = await client.query<[string, string, string, number]>({
    text: `select v.state_code, r.id, r.text, v.cycle from reviews v join recommendations r on r.review_id = v.id
      where v.state_code = any($1::text[]) order by v.state_code collate "C", r.id collate "C"`,
    values: [states],
    rowMode: 'array',
  });
  const loaded: { docs: StateDoc[]; texts: string[] }[] = [];
  let last: string | undefined;
  for (const [state, id, text, cycle] of rows) {
    if (state !== last) loaded.push({ docs: [], texts: [] });
    last = state;
    loaded.at(-1)!.docs.push({ id, cycle });
    loaded.at(-1)!.texts.push(text);
  }
  const whole = askGroups(loaded, names);
  const recurrence: string[] = [];
  for (let i = 0; i < loaded.length; i++) {
    const docs = whole.docs[i]!;
    const lists = whole.lists(i);
    const stored = (
      await client.query<StoredRelation>({
        text: `select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations
          where recommendation_id = any($1::text[])`,
        values: [docs.map((doc) => doc.id)],
        rowMode: 'array',
      })
    ).rows;
    const { added, changed, removed } = stateDifference(docs, lists, stored);
    const addedRows: unknown[][] = [];
    for (let at = 0; at < added.length; at += PAIR_VALUES) addedRows.push(added.slice(at, at + PAIR_VALUES));
    await inArrays(addedRows, PAIR_VALUES, (arrays) =>
      client.query(
        `insert into recommendation_relations (recommendation_id, related_id, score, relation, related_cycle)
          select * from unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::int[])`,
        arrays,
      ),
    );
    await inArrays(changed, PAIR_VALUES, (arrays) =>
      client.query(
        `update recommendation_relations l set score = u.score, relation = u.relation, related_cycle = u.cycle
          from unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::int[]) as u(a, b, score, relation, cycle)
          where l.recommendation_id = u.a and l.related_id = u.b`,
        arrays,
      ),
    );
    await inArrays(removed, 2, (arrays) =>
      client.query(
        `delete from recommendation_relations l using unnest($1::text[], $2::text[]) as u(a, b)
          where l.recommendation_id = u.a and l.related_id = u.b`,
        arrays,
      ),
    );
    counts.inserted += addedRows.length;
    counts.updated += changed.length;
    counts.deleted += removed.length;
    counts.states++;
    counts.recommendations += docs.length;
    recurrence.push(...recurrenceChanged(docs, lists, stored));
  }
  return recurrence;
}

/**
 * Recomputes the relations of these states (listed stale) whole, in the caller's transaction (holding the
 * write lock): the pairs of another state's recommendations to one of these listed stale (it moved) dropped,
 * the states recomputed (pgRelateStates), their stale marks removed.
 */
export async function pgRelateWholeStates(client: pg.ClientBase, states: string[], names: StateNames, counts: RelateCounts): Promise<void> {
  const moved = await client.query<{ id: string }>(`delete from recommendation_relations l
    using recommendation_relations_stale s, recommendations r, reviews v, recommendations o, reviews w
    where s.recommendation_id = l.related_id and r.id = s.recommendation_id and v.id = r.review_id
      and v.state_code = any($1::text[]) and o.id = l.recommendation_id and w.id = o.review_id and w.state_code <> v.state_code
    returning l.recommendation_id as id`, [states]);
  counts.deleted += moved.rows.length;
  await documentsStale(client, moved.rows.map((row) => row.id));
  await documentsStale(client, await pgRelateStates(client, states, names, counts));
  await client.query(`delete from recommendation_relations_stale where recommendation_id in
    (select r.id from recommendations r join reviews v on v.id = r.review_id where v.state_code = any($1::text[]))`, [states]);
}
