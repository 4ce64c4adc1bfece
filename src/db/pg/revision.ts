import { sql } from 'drizzle-orm';
import type { PgDb } from './open.js';

// The data revision on PostgreSQL: the same meta row as on SQLite, so every instance on the database reads
// the one every write bumps (src/db/revision.ts). Bumped inside the write's transaction: the row lock orders
// concurrent writers, and readers see the new number exactly when the write commits.

type Executor = Pick<PgDb, 'execute'>;

export async function currentPgRevision(db: Executor): Promise<number> {
  const { rows } = await db.execute<{ value: string }>(sql`select value from meta where key = 'revision'`);
  return rows.length > 0 ? Number(rows[0]!.value) : 0;
}

export async function bumpPgRevision(db: Executor): Promise<number> {
  const { rows } = await db.execute<{ value: string }>(sql`insert into meta (key, value) values ('revision', '1')
    on conflict (key) do update set value = (cast(meta.value as bigint) + 1)::text returning value`);
  return Number(rows[0]!.value);
}
