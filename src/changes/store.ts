import type { Db } from '../db/open.js';
import { currentRevision } from '../db/revision.js';
import { changeFeed, recordHistory, seqBefore, writtenAt } from './queries.js';
import type { AuditedEntity, Change } from './schemas.js';

// The seam between the history and change-feed routes and a database: SQLite's answers synchronously from
// queries.ts; PostgreSQL's is src/changes/pg-queries.ts. buildApp picks one (src/db/backend.ts).

type Maybe<T> = T | Promise<T>;

export type HistoryEntity = Exclude<AuditedEntity, 'sources'>;

export interface ChangeStore {
  /** A record's changes, oldest first, after a position; undefined when the record never existed here. */
  history(entity: HistoryEntity, id: string, limit: number, afterSeq: number): Maybe<{ changes: Change[]; total: number; lastSeq: number | null } | undefined>;
  /**
   * The feed: changes after a position, in commit order, optionally of some entities only; with when the change it
   * resumes after was written and the data revision, read in one snapshot with the page (read apart, a write
   * committed in between gave a revision the page did not hold).
   */
  feed(afterSeq: number, entities: readonly AuditedEntity[] | undefined, limit: number): Maybe<Feed>;
  /** When the change at a position was written (`at`); undefined when the log holds none there. */
  writtenAt(seq: number): Maybe<string | undefined>;
  /** The position just before the first change at or after an instant. */
  seqBefore(at: string): Maybe<number>;
}

export interface Feed {
  changes: Change[];
  hasMore: boolean;
  resumeSeq: number;
  /** When the change at resumeSeq was written; undefined at 0 or when the log holds none there. */
  resumeAt: string | undefined;
  revision: number;
}

export function sqliteChangeStore(db: Db): ChangeStore {
  return {
    history: (entity, id, limit, afterSeq) => recordHistory(db, entity, id, limit, afterSeq),
    // One read transaction: every read after its first sees the database as it was then.
    feed: (afterSeq, entities, limit) =>
      db.$client.transaction(() => {
        const feed = changeFeed(db, afterSeq, entities, limit);
        return { ...feed, resumeAt: feed.resumeSeq === 0 ? undefined : writtenAt(db, feed.resumeSeq), revision: currentRevision(db) };
      })(),
    writtenAt: (seq) => writtenAt(db, seq),
    seqBefore: (at) => seqBefore(db, at),
  };
}
