import { sql } from 'drizzle-orm';
import { pgAll } from '../db/pg/query.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { pgRelateStates, pgStateNames } from './pg-freshen.js';

// refresh.ts's refresh on PostgreSQL, for a write of one recommendation's text or review (a create, a PATCH):
// its entries dropped from the lists of another state's recommendations (it moved), then the state it is in
// now and the state it left recomputed whole (pgRelateStates: one text changes the state's idf, so every
// pair's score may change), as SQLite's refresh does; a deleted recommendation's state is recomputed by
// pgRelateStatesOf. Every recommendation whose recurrence changes has its
// stored document rebuilt, as SQLite's triggers on recommendation_relations see to.

/** Brings the relations of one written recommendation's state (and of the state it left) up to date. */
export async function pgRelateOne(context: PgWriteContext, id: string): Promise<void> {
  const { tx } = context;
  const [own] = await pgAll<{ state: string }>(tx, sql`select v.state_code as state from recommendations r
    join reviews v on v.id = r.review_id where r.id = ${id}`);
  const state = own!.state;
  const left = await pgAll<{ id: string; state: string }>(tx, sql`with gone as (delete from recommendation_relations l
      where related_id = ${id} and (select v.state_code from recommendations r join reviews v on v.id = r.review_id
        where r.id = l.recommendation_id) <> ${state}
      returning recommendation_id)
    select g.recommendation_id as id, v.state_code as state from gone g
      join recommendations r on r.id = g.recommendation_id join reviews v on v.id = r.review_id`);
  context.stale(left.map((row) => row.id));
  await pgRelateStatesOf(context, [state, ...left.map((row) => row.state)]);
}

/** Recomputes these states' relations whole in a write's transaction; marks the documents whose recurrence changed. */
export async function pgRelateStatesOf(context: PgWriteContext, states: string[]): Promise<void> {
  const counts = { states: 0, recommendations: 0, inserted: 0, updated: 0, deleted: 0 };
  context.stale(await pgRelateStates(context.tx, [...new Set(states)], await pgStateNames(context.tx), counts));
}
