import { type SQL, sql } from 'drizzle-orm';
import { inList } from '../db/keyset.js';
import type pg from 'pg';
import { pgAll, pgGet, pgSnapshot, type Queryable } from '../db/pg/query.js';
import { PgRevision } from '../db/pg/revision.js';
import { type AuditRow, SEQ_BEFORE, TABLES, toChange } from './queries.js';
import type { ChangeStore } from './store.js';

// Record histories and the change feed on PostgreSQL: queries.ts's SQL, read through node-postgres. The
// feed's order is commit order because writers take one lock in turn (src/db/pg/write-transaction.ts), so an
// audit seq is never committed after a greater one.

function selectChanges(pool: Queryable, conditions: SQL[], limit: number): Promise<AuditRow[]> {
  return pgAll<AuditRow>(pool, sql`select seq, entity, entity_id, action, changes, actor, at, revision, reason from audit_log
    where ${sql.join(conditions, sql` and `)} order by seq limit ${limit}`);
}

async function latestChangeSeq(pool: Queryable): Promise<number> {
  return (await pgGet<{ seq: number | null }>(pool, sql`select max(seq) as seq from audit_log`))!.seq ?? 0;
}

export function pgChangeStore(pool: Pick<pg.Pool, 'query' | 'connect'>): ChangeStore {
  return {
    async history(entity, id, limit, afterSeq) {
      const own = [sql`entity = ${entity}`, sql`entity_id = ${id}`];
      const total = (await pgGet<{ n: number }>(pool, sql`select count(*) as n from audit_log where ${sql.join(own, sql` and `)}`))!.n;
      if (total === 0) {
        const { table, column } = TABLES[entity];
        const stored = await pgGet(pool, sql`select 1 from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}`);
        if (stored === undefined) return undefined;
      }
      const rows = await selectChanges(pool, [...own, sql`seq > ${afterSeq}`], limit + 1);
      const page = rows.slice(0, limit);
      return { changes: page.map(toChange), total, lastSeq: rows.length > limit ? page.at(-1)!.seq : null };
    },
    // In one snapshot (pgSnapshot): the page, when the change it resumes after was written, and the revision.
    feed: (afterSeq, entities, limit) =>
      pgSnapshot(pool, async (client) => {
        const conditions = [sql`seq > ${afterSeq}`];
        if (entities) conditions.push(inList(sql`entity`, entities));
        const latest = await latestChangeSeq(client);
        const rows = await selectChanges(client, [...conditions, sql`seq <= ${latest}`], limit + 1);
        const page = rows.slice(0, limit);
        const hasMore = rows.length > limit;
        const resumeSeq = hasMore ? page.at(-1)!.seq : Math.max(latest, afterSeq);
        const resumeAt = resumeSeq === 0 ? undefined : (await pgGet<{ at: string }>(client, sql`select at from audit_log where seq = ${resumeSeq}`))?.at;
        return { changes: page.map(toChange), hasMore, resumeSeq, resumeAt, revision: await new PgRevision(client).current() };
      }),
    writtenAt: async (seq) => (await pgGet<{ at: string }>(pool, sql`select at from audit_log where seq = ${seq}`))?.at,
    seqBefore: async (at) => Number((await pgGet<{ seq: number | string }>(pool, SEQ_BEFORE(at)))!.seq),
  };
}
