import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.js';
import type { Relation } from '../db/schema.js';
import { neighbourThread, THREAD_MIN_TEXTS } from './neighbours-thread.js';
import { type NeighbourLists, neighbourLists } from './neighbours-worker.js';
import { RELATED_FLOOR, RELATED_PER_RECORD } from './settings.js';
import { NO_STATE_NAMES, type StateNames, stateNamesOf } from './state-names.js';

// Keeping recommendation_relations current. A state's relations are computed from all recommendations to
// that state under review at once (idf is the state's); triggers (migrations/0008_related.sql) list the
// recommendations whose text, review or cycle changed in recommendation_relations_stale, and
// refreshStaleRelations, run in every writing transaction before the documents are rebuilt, recomputes every
// state with a changed recommendation whole: one changed text changes the state's idf, so every pair's score
// may change, and the relations are what `npm run relate` computes whatever the order of the writes and
// imports that led there. Texts are compared without the recommending states printed at their end, known by
// the states' names and aliases (state-names.ts): a write that changes those lists the texts it strips
// differently (state-name-changes.ts).

/** Relation pairs inserted per statement at most (a power of two: see writeRows). */
export const INSERT_ROWS = 512;
const INSERT = 'insert into recommendation_relations (recommendation_id, related_id, score, relation, related_cycle) values';

export interface StateDoc {
  id: string;
  cycle: number;
}

interface Row {
  score: number;
  relation: Relation;
  cycle: number;
}

export interface RelateCounts {
  states: number;
  recommendations: number;
  inserted: number;
  updated: number;
  deleted: number;
}

export const relationOf = (own: number, other: number): Relation => (other < own ? 'earlier' : other > own ? 'later' : 'same');

/** Prepared statements per connection. */
const cache = new WeakMap<object, Record<string, Statement>>();

/**
 * Per connection, the statements inserting (or updating) 1, 2, 4, … INSERT_ROWS relation pairs: rows bound as
 * parameters (a JSON array to encode, then to decode in SQLite, cost a fifth more for the ~300,000 pairs of an import).
 */
const sizedStatements = new WeakMap<object, { insert: Statement[]; update: Statement[] }>();
function sizedStatement(db: Db, kind: 'insert' | 'update', rows: number): Statement {
  let sized = sizedStatements.get(db.$client);
  if (!sized) sizedStatements.set(db.$client, (sized = { insert: [], update: [] }));
  return (sized[kind][Math.log2(rows)] ??= db.$client.prepare(kind === 'insert' ? `${INSERT} ${valueRows(rows)}` : relationUpdateSql(rows)));
}
const valueRows = (rows: number) => Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');

/**
 * Rescored pairs, a batch at a time. A changed text shifts its state's idf, and a PATCH rewrites most of the
 * state's scores (15,000–20,000 of ~25,000 pairs in a synthetic state of 520): one update a pair cost a third
 * of the write's CPU, mostly in the calls.
 */
const relationUpdateSql = (rows: number): string =>
  `update recommendation_relations as l indexed by sqlite_autoindex_recommendation_relations_1
  set score = v.column3, relation = v.column4, related_cycle = v.column5
  from (values ${valueRows(rows)}) as v where l.recommendation_id = v.column1 and l.related_id = v.column2`;

/**
 * Whether the batch update of `rows` pairs is planned as one key search a pair, with the statistics the
 * connection plans with now. The join's order cannot be pinned: with a young database's statistics (the
 * seed's 2 relations) it is planned as a scan of every relation for each batch, and the pairs are then
 * updated one statement each.
 */
function searchesByKey(db: Db, rows: number): boolean {
  const plan = db.$client.prepare(`explain query plan ${relationUpdateSql(rows)}`).all(...Array(rows * PAIR_VALUES).fill('')) as { detail: string }[];
  return !plan.some((step) => step.detail.startsWith('SCAN l'));
}

/** Relation rows updated, and the statements that updated them (what the tests bound). */
export const relationUpdates = { rows: 0, statements: 0 };

function statements(db: Db): Record<string, Statement> {
  let s = cache.get(db.$client);
  if (!s) {
    const c = db.$client;
    s = {
      // (Joins in the order written and indexes named, here and below, whatever the statistics say: once an
      // import's `pragma optimize` had run on a young database, the planner read every recommendation or
      // every relation for each state, or for each stale recommendation.)
      staleStates: c.prepare(`select distinct v.state_code from recommendation_relations_stale s
        cross join recommendations r indexed by sqlite_autoindex_recommendations_1 on r.id = s.recommendation_id
        cross join reviews v indexed by sqlite_autoindex_reviews_1 on v.id = r.review_id`),
      clearStale: c.prepare('delete from recommendation_relations_stale'),
      docs: c.prepare(`select r.id, r.text, v.cycle from reviews v indexed by reviews_state_idx
        cross join recommendations r indexed by recommendations_review_order_idx on r.review_id = v.id
        where v.state_code = ? order by r.id`),
      stateRows: c.prepare(`select recommendation_id, related_id, score, relation, related_cycle
        from recommendation_relations indexed by sqlite_autoindex_recommendation_relations_1
        where recommendation_id in (select value from json_each(?))`),
      // (One pair a call: an update from a json_each list of pairs was planned as a scan of every relation.)
      update: c.prepare(`update recommendation_relations set score = ?, relation = ?, related_cycle = ?
        where recommendation_id = ? and related_id = ?`),
      remove: c.prepare('delete from recommendation_relations where recommendation_id = ? and related_id = ?'),
      // Pairs whose two recommendations are now of different states (one of them listed stale moved).
      otherStates: c.prepare(`select l.recommendation_id, l.related_id, w.state_code from recommendation_relations_stale s
        cross join recommendations r indexed by sqlite_autoindex_recommendations_1 on r.id = s.recommendation_id
        cross join reviews v indexed by sqlite_autoindex_reviews_1 on v.id = r.review_id
        cross join recommendation_relations l indexed by recommendation_relations_related_idx on l.related_id = s.recommendation_id
        cross join recommendations o indexed by sqlite_autoindex_recommendations_1 on o.id = l.recommendation_id
        cross join reviews w indexed by sqlite_autoindex_reviews_1 on w.id = o.review_id
        where w.state_code <> v.state_code`),
      allStates: c.prepare('select distinct state_code from reviews order by state_code'),
      stateSize: c.prepare(`select count(*) from reviews v indexed by reviews_state_idx
        cross join recommendations r indexed by recommendations_review_order_idx on r.review_id = v.id where v.state_code = ?`),
    };
    cache.set(db.$client, s);
  }
  return s;
}

/** The values of a relation row (recommendation_id, related_id, score, relation, related_cycle): see writeRows. */
export const PAIR_VALUES = 5;

/**
 * Inserts, updates and deletes relation rows; counts them. `added` holds the new rows' values one after the
 * other, PAIR_VALUES a row (no array per pair: an import adds ~300,000 pairs).
 */
function writeRows(
  db: Db,
  s: Record<string, Statement>,
  added: unknown[],
  changed: [string, string, number, Relation, number][],
  removed: [string, string][],
  counts: RelateCounts,
): void {
  // New pairs in order, INSERT_ROWS a call, the rest in calls of the powers of two that make it up (a
  // state's rest was inserted one pair a call: ~15,000 calls for an import's 300,000 pairs, half of them that);
  // the rescored pairs updated the same way when each batch is searched by key.
  const pairs = added.length / PAIR_VALUES;
  inBatches(db, 'insert', added, pairs);
  const sizes = batchSizes(changed.length);
  if ([...new Set(sizes)].every((rows) => searchesByKey(db, rows))) {
    inBatches(db, 'update', changed.flat(), changed.length);
    relationUpdates.statements += sizes.length;
  } else {
    for (const [from, to, score, relation, cycle] of changed) s.update!.run(score, relation, cycle, from, to);
    relationUpdates.statements += changed.length;
  }
  relationUpdates.rows += changed.length;
  for (const [from, to] of removed) s.remove!.run(from, to);
  counts.inserted += pairs;
  counts.updated += changed.length;
  counts.deleted += removed.length;
}

/** The sizes of the statements writing `rows` rows: INSERT_ROWS, then the powers of two of the rest, largest first. */
function batchSizes(rows: number): number[] {
  const sizes: number[] = [];
  let left = rows;
  for (let size = INSERT_ROWS; size >= 1; size /= 2) for (; left >= size; left -= size) sizes.push(size);
  return sizes;
}

/** Runs the sized statements over `rows` rows of PAIR_VALUES values each (batchSizes). */
function inBatches(db: Db, kind: 'insert' | 'update', values: unknown[], rows: number): void {
  let i = 0;
  for (const size of batchSizes(rows)) {
    sizedStatement(db, kind, size).run(values.slice(i * PAIR_VALUES, (i + size) * PAIR_VALUES));
    i += size;
  }
}

/** A state's recommendations (id and cycle) and their texts. */
function loadDocs(s: Record<string, Statement>, state: string): { docs: StateDoc[]; texts: string[] } {
  const rows = s.docs!.raw().all(state) as [string, string, number][];
  return { docs: rows.map(([id, , cycle]) => ({ id, cycle })), texts: rows.map(([, text]) => text) };
}

/**
 * The states' documents, each state's texts sent to the neighbour thread when they are THREAD_MIN_TEXTS or
 * more together; and a function giving each state's lists in turn (the thread's answers, or computed here).
 */
function askStates(
  s: Record<string, Statement>,
  states: string[],
  names: StateNames,
): { docs: StateDoc[][]; lists: (i: number) => NeighbourLists } {
  return askGroups(
    states.map((state) => loadDocs(s, state)),
    names,
  );
}

/**
 * Groups of documents (each state's, in id order) and their texts: each group's neighbour lists, asked of the
 * neighbour thread when the texts are THREAD_MIN_TEXTS or more together (taken in turn, lists(0) first), or
 * computed here. Both backends' whole-state refreshes (this module's, pg-freshen.ts).
 */
export function askGroups(
  loaded: { docs: StateDoc[]; texts: string[] }[],
  names: StateNames,
): { docs: StateDoc[][]; lists: (i: number) => NeighbourLists } {
  const thread = neighbourThread();
  thread.discard();
  const threaded = loaded.reduce((n, { texts }) => n + texts.length, 0) >= THREAD_MIN_TEXTS;
  if (threaded) for (const { texts } of loaded) thread.ask(texts, names);
  return {
    docs: loaded.map(({ docs }) => docs),
    lists: (i) => (threaded ? thread.take() : neighbourLists(loaded[i]!.texts, RELATED_FLOOR, RELATED_PER_RECORD, names)),
  };
}

/** Writes the difference between a state's stored relations and its neighbour lists (askState's answer). */
function writeState(db: Db, s: Record<string, Statement>, docs: StateDoc[], lists: NeighbourLists, counts: RelateCounts): void {
  const stored = s.stateRows!.raw().all(JSON.stringify(docs.map((d) => d.id))) as StoredRelation[];
  const { added, changed, removed } = stateDifference(docs, lists, stored);
  writeRows(db, s, added, changed, removed, counts);
  counts.states++;
  counts.recommendations += docs.length;
}

/** A stored relation row: recommendation_id, related_id, score, relation, related_cycle. */
export type StoredRelation = [string, string, number, Relation, number];

export interface StateDifference {
  /** The new rows' values one after the other, PAIR_VALUES a row, in primary-key order. */
  added: unknown[];
  changed: StoredRelation[];
  removed: [string, string][];
}

/**
 * The difference between the relations stored for a state's documents (those they own) and the state's
 * neighbour lists: the rows to insert, to update and to delete.
 */
export function stateDifference(docs: StateDoc[], lists: NeighbourLists, stored: StoredRelation[]): StateDifference {
  const n = docs.length;
  const { offsets, index, score: scores } = lists;
  // Each document's neighbours (their places in lists) in the order of the primary key (ids are in document
  // order): the inserts fill the index in order.
  const inOrder = (i: number, order: number[]) => {
    order.length = 0;
    for (let p = offsets[i]!; p < offsets[i + 1]!; p++) order.push(p);
    return order.sort((a, b) => index[a]! - index[b]!);
  };
  const order: number[] = [];
  if (stored.length === 0) {
    // A state with no relations stored yet (a new database's import): every pair is new, written as it comes.
    const added: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const own = docs[i]!;
      for (const p of inOrder(i, order)) {
        const other = docs[index[p]!]!;
        added.push(own.id, other.id, scores[p]!, relationOf(own.cycle, other.cycle), other.cycle);
      }
    }
    return { added, changed: [], removed: [] };
  }
  // Pairs numbered i·n + j (their documents' places): no string key built or hashed per pair.
  const wanted = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (const p of inOrder(i, order)) wanted.set(i * n + index[p]!, scores[p]!);
  }
  const indexOf = new Map(docs.map((d, i) => [d.id, i]));
  const changed: StoredRelation[] = [];
  const removed: [string, string][] = [];
  for (const [from, to, score, relation, cycle] of stored) {
    const i = indexOf.get(from)!;
    const j = indexOf.get(to);
    const key = j === undefined ? -1 : i * n + j;
    const want = wanted.get(key);
    if (want === undefined) {
      removed.push([from, to]);
      continue;
    }
    wanted.delete(key);
    const other = docs[j!]!;
    const row: Row = { score: want, relation: relationOf(docs[i]!.cycle, other.cycle), cycle: other.cycle };
    if (score !== row.score || relation !== row.relation || cycle !== row.cycle) changed.push([from, to, row.score, row.relation, row.cycle]);
  }
  const added: unknown[] = [];
  for (const [key, score] of wanted) {
    const own = docs[Math.floor(key / n)]!;
    const other = docs[key % n]!;
    added.push(own.id, other.id, score, relationOf(own.cycle, other.cycle), other.cycle);
  }
  return { added, changed, removed };
}

/**
 * Brings the relations of every recommendation listed stale up to date, then empties the list; returns the
 * counts of what it did. Called in every writing transaction, and when a database is opened.
 */
export function refreshStaleRelations(db: Db): RelateCounts {
  return startStaleRelations(db)();
}

/**
 * refreshStaleRelations in two steps: this one reads what is stale and sends the states to recompute whole
 * to the neighbour thread; the function it returns (to be called in the same transaction, with no write to
 * recommendations or reviews in between) writes every state's relations and empties the list. In between,
 * the writing thread can do other work of the transaction while the neighbours are computed.
 */
export function startStaleRelations(db: Db): () => RelateCounts {
  const s = statements(db);
  const counts: RelateCounts = { states: 0, recommendations: 0, inserted: 0, updated: 0, deleted: 0 };
  const states = new Set(s.staleStates!.pluck().all() as string[]);
  // A recommendation moved from another state leaves that state's lists, and that state (its idf changed) is
  // recomputed too.
  for (const [from, to, state] of s.otherStates!.raw().all() as [string, string, string][]) {
    counts.deleted += s.remove!.run(from, to).changes;
    states.add(state);
  }
  const wholeStates = [...states].sort();
  // (Read only when there is something to relate: a write that changed no text reads nothing more.)
  const names = wholeStates.length > 0 ? stateNamesOf(db) : NO_STATE_NAMES;
  const whole = askStates(s, wholeStates, names);
  return () => {
    wholeStates.forEach((_, i) => writeState(db, s, whole.docs[i]!, whole.lists(i), counts));
    // Also the ids of recommendations deleted since they were listed (their relations went with them).
    s.clearStale!.run();
    return counts;
  };
}

/** The texts relateAll has read and sent to the neighbour thread ahead of the state it writes, at most (one state whatever its size). */
export const RELATE_AHEAD_TEXTS = 20_000;

/** The most texts relateAll held read and not yet written (what the tests bound). */
export const relateAhead = { most: 0 };

/**
 * Recomputes the relations of every state (or of those given), reporting each state done. The states are read
 * and asked of the thread `ahead` texts in advance (it computes the next while this one writes the last), not
 * all at once: every text of the table was read and sent to the thread at the start, and every state's lists
 * could wait there together.
 */
export function relateAll(
  db: Db,
  states: string[] | undefined,
  progress: (done: number, total: number, state: string) => void,
  ahead = RELATE_AHEAD_TEXTS,
): RelateCounts {
  const s = statements(db);
  const chosen = states ?? (s.allStates!.pluck().all() as string[]);
  const counts: RelateCounts = { states: 0, recommendations: 0, inserted: 0, updated: 0, deleted: 0 };
  const names = stateNamesOf(db);
  const sizes = chosen.map((state) => s.stateSize!.pluck().get(state) as number);
  const thread = neighbourThread();
  thread.discard();
  const threaded = sizes.reduce((n, size) => n + size, 0) >= THREAD_MIN_TEXTS;
  const asked: { docs: StateDoc[]; texts: string[] | undefined }[] = [];
  let held = 0;
  let next = 0;
  chosen.forEach((state, i) => {
    while (next < chosen.length && (asked.length === 0 || held + sizes[next]! <= ahead)) {
      const loaded = loadDocs(s, chosen[next++]!);
      if (threaded) thread.ask(loaded.texts, names);
      asked.push({ docs: loaded.docs, texts: threaded ? undefined : loaded.texts });
      held += loaded.docs.length;
      relateAhead.most = Math.max(relateAhead.most, held);
    }
    const { docs, texts } = asked.shift()!;
    writeState(db, s, docs, texts === undefined ? thread.take() : neighbourLists(texts, RELATED_FLOOR, RELATED_PER_RECORD, names), counts);
    held -= docs.length;
    progress(i + 1, chosen.length, state);
  });
  s.clearStale!.run();
  return counts;
}

/**
 * Before a read or after opening: brings relations listed stale up to date when a program wrote without
 * doing so (the seed, a script, an older version of this service before migration 0008), then the documents.
 */
export function freshenRelations(db: Db): void {
  if (db.$client.prepare('select exists (select 1 from recommendation_relations_stale)').pluck().get() !== 1) return;
  db.transaction(() => refreshStaleRelations(db), { behavior: 'immediate' });
}
