import { sql } from 'drizzle-orm';
import { pgAll, pgRun } from '../db/pg/query.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { type Pairs, readRows, type StateDoc, wantedPair } from './refresh.js';
import { RELATED_FLOOR, RELATED_PER_RECORD } from './settings.js';
import { neighboursOf, vectorize } from './similarity.js';
import { STATE_NAMES_SQL, stateNamesOfKeys } from './state-names.js';
import { termsOf } from './terms.js';

// refresh.ts's incremental update on PostgreSQL, for a write of one recommendation's text or review (a
// create, a PATCH): its own list recomputed, its place in the lists of the others, and its entries dropped
// from the lists of another state's recommendations. Every recommendation whose relations change has its
// stored document rebuilt (its recurrence), as SQLite's triggers on recommendation_relations see to. Texts
// are compared without the recommending states printed at their end, known by the same states' names and
// aliases as SQLite's computation (state-names.ts): both backends give the same terms and scores.

type Tx = PgWriteContext['tx'];

const RELATION_ROW = sql`select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations`;

async function rows(tx: Tx, where: ReturnType<typeof sql>): Promise<Pairs> {
  const found = await pgAll<{ recommendation_id: string; related_id: string; score: number; relation: string; related_cycle: number }>(
    tx,
    sql`${RELATION_ROW} where ${where}`,
  );
  return readRows(found.map((r) => [r.recommendation_id, r.related_id, r.score, r.relation, r.related_cycle]));
}

/** Writes the difference between the stored pairs and the wanted ones; marks the owners of those it changed. */
async function writeDifference(context: PgWriteContext, stored: Pairs, wanted: Pairs): Promise<void> {
  const { tx } = context;
  for (const [key, row] of wanted) {
    const [from, to] = key.split('\u0000') as [string, string];
    const old = stored.get(key);
    if (!old) {
      await pgRun(tx, sql`insert into recommendation_relations (recommendation_id, related_id, score, relation, related_cycle)
        values (${from}, ${to}, ${row.score}, ${row.relation}, ${row.cycle})`);
    } else if (old.score !== row.score || old.relation !== row.relation || old.cycle !== row.cycle) {
      await pgRun(tx, sql`update recommendation_relations set score = ${row.score}, relation = ${row.relation},
        related_cycle = ${row.cycle} where recommendation_id = ${from} and related_id = ${to}`);
    } else continue;
    context.stale([from]);
  }
  for (const key of stored.keys()) {
    if (wanted.has(key)) continue;
    const [from, to] = key.split('\u0000') as [string, string];
    await pgRun(tx, sql`delete from recommendation_relations where recommendation_id = ${from} and related_id = ${to}`);
    context.stale([from]);
  }
}

/** Brings the relations of one written recommendation up to date. */
export async function pgRelateOne(context: PgWriteContext, id: string): Promise<void> {
  const { tx } = context;
  const [own] = await pgAll<{ state: string }>(tx, sql`select v.state_code as state from recommendations r
    join reviews v on v.id = r.review_id where r.id = ${id}`);
  const state = own!.state;
  const left = await pgAll<{ id: string }>(tx, sql`delete from recommendation_relations l where related_id = ${id} and
    (select v.state_code from recommendations r join reviews v on v.id = r.review_id where r.id = l.recommendation_id) <> ${state}
    returning recommendation_id as id`);
  context.stale(left.map((row) => row.id));
  const texts = await pgAll<{ id: string; text: string; cycle: number }>(tx, sql`select r.id, r.text, v.cycle
    from reviews v join recommendations r on r.review_id = v.id where v.state_code = ${state} order by r.id collate "C"`);
  const docs: StateDoc[] = texts.map((row) => ({ id: row.id, cycle: row.cycle }));
  const names = stateNamesOfKeys((await pgAll<{ keys: string }>(tx, sql.raw(STATE_NAMES_SQL)))[0]!.keys);
  const vectors = vectorize(texts.map((row) => termsOf(row.text, names)));
  const i = docs.findIndex((doc) => doc.id === id);
  const found = neighboursOf(vectors, i, RELATED_FLOOR);
  const wanted: Pairs = new Map(found.slice(0, RELATED_PER_RECORD).map((n) => wantedPair(docs, i, n)));
  await writeDifference(context, await rows(tx, sql`recommendation_id = ${id}`), wanted);
  const toIt: Pairs = new Map(found.map((n) => wantedPair(docs, n.index, { index: i, score: n.score })));
  await writeDifference(context, await rows(tx, sql`related_id = ${id}`), toIt);
  for (const n of found) {
    const other = docs[n.index]!.id;
    const trimmed = await pgRun(tx, sql`delete from recommendation_relations where recommendation_id = ${other} and related_id not in
      (select related_id from recommendation_relations where recommendation_id = ${other}
        order by score desc, related_id collate "C" limit ${RELATED_PER_RECORD})`);
    if (trimmed > 0) context.stale([other]);
  }
}
