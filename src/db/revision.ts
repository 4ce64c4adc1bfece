import type { Statement } from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { Db } from './open.js';

// The data revision: a number every write bumps, so caches and mirrors can tell whether anything changed.
// Each bump also draws a random token (meta's 'revision_token'). A restore of a backup takes the number back,
// and the writes after it number their revisions again; the tokens they draw are new, so the stamp
// (`17.3f9a0c…`: number and token) that ETags and in-memory caches key on names one state of the data only.

/**
 * Where the ETags and the response cache read the revision (src/http/cache.ts): synchronously on SQLite
 * (RevisionTracker), from the database shared by every instance on PostgreSQL (src/db/pg/revision.ts).
 */
export interface RevisionSource {
  current(): number | Promise<number>;
  /** The revision's stamp: its number and the token drawn with it (revisionStamp). */
  stamp(): string | Promise<string>;
}

/** The stamp of a revision: its number (0 before the first write) and its token ('' before the first bump that drew one). */
export function revisionStamp(revision: string | number | null | undefined, token: string | null | undefined): string {
  return `${revision ?? 0}.${token ?? ''}`;
}

/** The number of a revision's stamp. */
export function stampNumber(stamp: string): number {
  return Number(stamp.slice(0, stamp.indexOf('.')));
}

/** The revision's stamp in one read (SQLite and PostgreSQL). */
export const STAMP_QUERY = `select (select value from meta where key = 'revision') as revision,
  (select value from meta where key = 'revision_token') as token`;

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

const stampReads = new WeakMap<object, Statement>();

/**
 * The revision's stamp, read on `db`'s own connection: inside a read transaction, the stamp of the data that
 * transaction reads (a list's page labels its ETag with it: src/http/cache.ts answeredAt).
 */
export function currentStamp(db: Pick<Db, '$client'>): string {
  const client = db.$client;
  let read = stampReads.get(client);
  if (!read) stampReads.set(client, (read = client.prepare(STAMP_QUERY).raw()));
  const [revision, token] = read.get() as [string | null, string | null];
  return revisionStamp(revision, token);
}

/** Told the stamp an answer was read at (in its snapshot), for its ETag (src/http/cache.ts answeredAt). */
export type AnsweredAt = (stamp: string) => void;

/** What `read` gives, read in one transaction after the stamp it tells `answered` (a deferred BEGIN: the snapshot of the first read). */
export function readAnswered<T>(db: Pick<Db, '$client'>, answered: AnsweredAt, read: () => T): T {
  return db.$client.transaction(() => {
    answered(currentStamp(db));
    return read();
  })();
}

export function bumpRevision(db: Pick<Db, 'get' | 'run'>): number {
  db.run(sql`insert into meta (key, value) values ('revision_token', lower(hex(randomblob(8))))
    on conflict (key) do update set value = excluded.value`);
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
  private built = '';
  /** Loads started, and the number of the latest one whose result is in use. */
  private started = 0;
  private used = 0;

  constructor(
    private readonly revision: Pick<RevisionSource, 'stamp'>,
    private readonly load: () => T | Promise<T>,
    private readonly use: (loaded: T) => void,
  ) {}

  refresh(): void | Promise<void> {
    const stamp = this.revision.stamp();
    if (typeof stamp !== 'string') return stamp.then((at) => this.refreshAt(at));
    return this.refreshAt(stamp);
  }

  private refreshAt(stamp: string): void | Promise<void> {
    if (stamp === this.built) return;
    const loaded = this.load();
    const number = ++this.started;
    const built = (value: T) => {
      // On PostgreSQL two requests' loads may end in either order: one started earlier (of an older revision),
      // ending after a later one's, would put back what a write changed since. (Not the revisions' order: a
      // restore takes the number back.)
      if (number < this.used) return;
      this.use(value);
      this.used = number;
      this.built = stamp;
    };
    if (loaded instanceof Promise) return loaded.then(built);
    built(loaded);
  }
}
