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
  /** The feed: changes after a position, in commit order, optionally of some entities only. */
  feed(afterSeq: number, entities: readonly AuditedEntity[] | undefined, limit: number): Maybe<{ changes: Change[]; hasMore: boolean; resumeSeq: number }>;
  /** When the change at a position was written (`at`); undefined when the log holds none there. */
  writtenAt(seq: number): Maybe<string | undefined>;
  /** The position just before the first change at or after an instant. */
  seqBefore(at: string): Maybe<number>;
  /** The data revision now. */
  revision(): Maybe<number>;
}

export function sqliteChangeStore(db: Db): ChangeStore {
  return {
    history: (entity, id, limit, afterSeq) => recordHistory(db, entity, id, limit, afterSeq),
    feed: (afterSeq, entities, limit) => changeFeed(db, afterSeq, entities, limit),
    writtenAt: (seq) => writtenAt(db, seq),
    seqBefore: (at) => seqBefore(db, at),
    revision: () => currentRevision(db),
  };
}
