import { sql } from 'drizzle-orm';
import { type RevisionSource, revisionStamp, STAMP_QUERY } from '../revision.js';
import type { PgDb } from './open.js';

// The data revision on PostgreSQL: the same meta rows as on SQLite, so every instance on the database reads
// the one every write bumps, and the token drawn with it (src/db/revision.ts). Bumped inside the write's
// transaction: the row lock orders concurrent writers, and readers see the new number exactly when the write
// commits.

type Executor = Pick<PgDb, 'execute'>;

/** Bumps the revision and draws its token, in one statement; answers the new revision. */
export const BUMP_REVISION = `with token as (insert into meta (key, value) values ('revision_token', left(md5(gen_random_uuid()::text), 16))
    on conflict (key) do update set value = excluded.value)
  insert into meta (key, value) values ('revision', '1')
    on conflict (key) do update set value = (cast(meta.value as bigint) + 1)::text returning value`;

export async function currentPgRevision(db: Executor): Promise<number> {
  const { rows } = await db.execute<{ value: string }>(sql`select value from meta where key = 'revision'`);
  return rows.length > 0 ? Number(rows[0]!.value) : 0;
}

/** The revision's stamp, read by `reader`: on a snapshot's connection, the stamp of the data the snapshot reads. */
export async function pgStamp(reader: Pick<PgDb['$client'], 'query'>): Promise<string> {
  const { rows } = await reader.query<{ revision: string | null; token: string | null }>({ name: 'upr-revision-stamp', text: STAMP_QUERY });
  return revisionStamp(rows[0]!.revision, rows[0]!.token);
}

export async function bumpPgRevision(db: Executor): Promise<number> {
  const { rows } = await db.execute<{ value: string }>(sql.raw(BUMP_REVISION));
  return Number(rows[0]!.value);
}

/**
 * The revision for ETags and the response cache on PostgreSQL: read from the database on every request that
 * needs it (a prepared primary-key read, one round trip), so that every instance on the database sees
 * another's write at once; no instance trusts a copy in its memory.
 */
export class PgRevision implements RevisionSource {
  constructor(private readonly pool: Pick<PgDb['$client'], 'query'>) {}

  async current(): Promise<number> {
    const { rows } = await this.pool.query<{ value: string }>({
      name: 'upr-revision',
      text: `select value from meta where key = 'revision'`,
    });
    return rows.length > 0 ? Number(rows[0]!.value) : 0;
  }

  stamp(): Promise<string> {
    return pgStamp(this.pool);
  }
}
