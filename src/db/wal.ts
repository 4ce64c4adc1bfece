import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';

// SQLite's -wal file grows while a read snapshot (a streamed export's) pins it: a checkpoint cannot pass what a
// snapshot may still read, so the log is not started over and every commit appends. Under steady writes and
// exports that overlap (the soak of session 38: slow readers at 64 KB/s, a write every few hundred ms), it
// reached 78 MB and, without a size limit, the file keeps its largest size for good: SQLite reuses it from the
// start but never shrinks it.

/** The -wal's size that a reset truncates it to (journal_size_limit), and past which an export's end checkpoints. */
export const WAL_LIMIT_BYTES = 16 * 1024 * 1024;

/** The connection's journal_size_limit: a log started over is cut to WAL_LIMIT_BYTES. */
export function limitWal(client: Database.Database): void {
  client.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
}

/**
 * Once the last snapshot is closed: the log, when grown past WAL_LIMIT_BYTES, copied into the database and the
 * -wal truncated, never waited for (a reader or writer elsewhere, another process's, leaves it to the next commit's
 * checkpoint, as a checkpoint that fails does). Without it the log stays as long as it grew, read through by every
 * query, until the next write. The server's connection asks its checkpoint thread instead (past its own bound).
 */
export function truncateWalAfterSnapshots(client: Database.Database): void {
  const offThread = checkpointers.get(client);
  if (offThread !== undefined) return offThread.afterCommit();
  if (!client.open || client.readonly || client.inTransaction || walBytes(client.name) <= WAL_LIMIT_BYTES) return;
  // Thrown here, an error came out of the export stream's destroy: the stream's error after its last chunk.
  checkpointUnwaited(client, 'TRUNCATE');
}

/**
 * A command's connection (relate, tag, import, seed, keys) closed with its log copied into the database first.
 * SQLite checkpoints the whole log when the last connection to the file closes; a server holding it open keeps
 * that from happening, and the server's next commit did the checkpoint instead, on its event loop (session 39:
 * 24.5 s for a 1.9 GB log left by `npm run relate` on 300,000 records, every read meanwhile waiting). PASSIVE
 * never waits for the server's readers or writers; it stops at the oldest snapshot a reader still holds, and
 * then the rest is left to the next checkpoint, as before. The -wal is then truncated if nobody reads from it.
 */
export function checkpointAndClose(client: Database.Database): void {
  if (client.open && !client.readonly && !client.inTransaction && client.name !== ':memory:') copyLogUnwaited(client);
  client.close();
}

/** What a checkpoint did: the frames in the log, those in the database once it ended, and whether the -wal was truncated. */
export interface Checkpointed {
  log: number;
  checkpointed: number;
  truncated: boolean;
}

/**
 * The log copied into the database as far as no reader's snapshot forbids (PASSIVE, which waits for nobody),
 * then the -wal truncated unless another connection reads or writes (TRUNCATE with a busy timeout of 0).
 */
export function copyLogUnwaited(client: Database.Database): Checkpointed {
  const copied = checkpointUnwaited(client, 'PASSIVE');
  const truncated = checkpointUnwaited(client, 'TRUNCATE');
  return { log: copied?.log ?? -1, checkpointed: copied?.checkpointed ?? -1, truncated: truncated?.busy === 0 };
}

/** A checkpoint that never waits for another connection's lock; one that fails or is busy leaves the log to the next. */
function checkpointUnwaited(client: Database.Database, mode: 'PASSIVE' | 'TRUNCATE'): { busy: number; log: number; checkpointed: number } | undefined {
  const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
  client.pragma('busy_timeout = 0');
  try {
    return (client.pragma(`wal_checkpoint(${mode})`) as Array<{ busy: number; log: number; checkpointed: number }>)[0];
  } catch {
    // A full disk (SQLITE_FULL) or a write error: the log stays as it is, for the next commit's checkpoint.
    return undefined;
  } finally {
    client.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/** What checkpoints the log of a server's connection elsewhere (src/db/wal-thread.ts). */
interface Checkpointer {
  afterCommit(): void;
  committedOutsideWrites(): void;
}

/** The server's connections whose log a thread of their own checkpoints. */
const checkpointers = new WeakMap<Database.Database, Checkpointer>();

/**
 * `client` (the server's connection) without automatic checkpoints: its commits copy nothing into the database,
 * and `checkpointer` is asked after them instead. SQLite's automatic checkpoint runs in the committing thread,
 * the event loop's: after another process's long transaction, the server's next commit copied its whole log
 * there (session 39: 1.9 GB, 24.5 s, every read waiting).
 */
export function checkpointElsewhere(client: Database.Database, checkpointer: Checkpointer): void {
  client.pragma('wal_autocheckpoint = 0');
  checkpointers.set(client, checkpointer);
}

/**
 * After a commit of the server's connection that no write route made (a read's rebuild of stale documents, a key's
 * last use): its checkpoint thread asked after the response, as after a write route's. Left to the next write, a
 * read-only server's log grew for good (its commits run no automatic checkpoint); asked at once, the thread found
 * the request's own read still open and could not truncate the -wal (session 41).
 */
export function committedOutsideWrites(client: Database.Database): void {
  checkpointers.get(client)?.committedOutsideWrites();
}

/** The size of the database's -wal file (0 when there is none: an in-memory database, or no log yet). */
export function walBytes(path: string): number {
  return statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
}
