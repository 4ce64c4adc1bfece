import type { Statement } from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { Db } from './open.js';

// The data revision: a number every write bumps, so caches and mirrors can tell whether anything changed.

/**
 * Where the ETags and the response cache read the revision (src/http/cache.ts): synchronously on SQLite
 * (RevisionTracker), from the database shared by every instance on PostgreSQL (src/db/pg/revision.ts).
 */
export interface RevisionSource {
  current(): number | Promise<number>;
}

const reads = new WeakMap<object, Statement<[], string | undefined>>();

/**
 * The revision, read through a statement prepared once per connection (drizzle's `db.get` prepares its
 * statement again on every call: measured at 1 % of an uncached list request's server time); a transaction,
 * which has no `$client`, reads it through drizzle.
 */
export function currentRevision(db: Pick<Db, 'get'> & Partial<Pick<Db, '$client'>>): number {
  const client = db.$client;
  if (!client) {
    const row = db.get<{ value: string } | undefined>(sql`select value from meta where key = 'revision'`);
    return row ? Number(row.value) : 0;
  }
  let read = reads.get(client);
  if (!read) reads.set(client, (read = client.prepare<[], string>("select value from meta where key = 'revision'").pluck()));
  const value = read.get();
  return value === undefined ? 0 : Number(value);
}

export function bumpRevision(db: Pick<Db, 'get' | 'run'>): number {
  db.run(sql`insert into meta (key, value) values ('revision', '1')
    on conflict (key) do update set value = cast(value as integer) + 1`);
  return currentRevision(db);
}

/**
 * What `load` gives, loaded again only when the data revision has changed since (state names, filter ids: small
 * tables every filtered request consults); `use` takes each load. A promise when either source answers
 * asynchronously (PostgreSQL).
 */
export class LoadedPerRevision<T> {
  private built = -1;

  constructor(
    private readonly revision: RevisionSource,
    private readonly load: () => T | Promise<T>,
    private readonly use: (loaded: T) => void,
  ) {}

  refresh(): void | Promise<void> {
    const revision = this.revision.current();
    if (typeof revision !== 'number') return revision.then((at) => this.refreshAt(at));
    return this.refreshAt(revision);
  }

  private refreshAt(revision: number): void | Promise<void> {
    if (revision === this.built) return;
    const loaded = this.load();
    const built = (value: T) => {
      // On PostgreSQL two requests' loads may end in either order: one of an older revision, ending after a
      // newer one's, would put back what a write changed since (revisions only grow).
      if (revision < this.built) return;
      this.use(value);
      this.built = revision;
    };
    if (loaded instanceof Promise) return loaded.then(built);
    built(loaded);
  }
}
