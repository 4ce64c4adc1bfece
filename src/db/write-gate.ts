import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { writeLockFree } from './busy.js';

// SQLite: the writes of this process wait for the database's write lock asynchronously. An import of this process
// writes from another thread (src/import/import-thread.ts), another process may write (`npm run import`), and
// either holds the write lock on a connection of its own for as long as it runs (seconds for a large file); a
// write of this thread meanwhile would wait in better-sqlite3's busy handler, which sleeps on the event loop's
// thread, stalling every request for up to the busy timeout. So imports take the gate one at a time, and the
// write routes wait (`ready`) for it, then for the lock, before they begin: the other requests are answered.

/** How often a waiting write looks at the write lock again, at first and at most (ms). */
const POLL_FIRST_MS = 2;
const POLL_MAX_MS = 50;

export class WriteGate extends EventEmitter<{ change: [holders: number] }> {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;
  private waiters = 0;

  /**
   * `client`: the connection this process's write routes use, and how long a write may wait for another
   * connection's write lock (DATABASE_BUSY_TIMEOUT_MS) before it is answered 503.
   */
  constructor(
    private readonly client?: Database.Database,
    private readonly busyTimeoutMs = 0,
  ) {
    super();
  }

  /** Whether an import holds the gate or waits for it. */
  get busy(): boolean {
    return this.holders > 0;
  }

  /** Requests waiting for the gate to be idle. */
  get waiting(): number {
    return this.waiters;
  }

  /** Runs `work` when the imports taken before it have settled; holds the gate until it settles. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    this.holders += 1;
    this.emit('change', this.holders);
    const run = this.tail.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.tail = settled;
    void settled.then(() => {
      this.holders -= 1;
      this.emit('change', this.holders);
    });
    return run;
  }

  /**
   * Resolves when a write may begin: no import of this process runs and no other connection holds the write lock.
   * Says whether it waited. Past the busy timeout, rejects with SQLITE_BUSY (a 503, as a write that found the
   * database busy is): an import of this process counts as another writer, as it would on PostgreSQL, so that
   * writes do not pile up behind a long import, each holding its request.
   */
  async ready(): Promise<boolean> {
    if (!this.busy && (this.client === undefined || writeLockFree(this.client))) return false;
    this.waiters += 1;
    this.emit('change', this.holders);
    try {
      const until = performance.now() + this.busyTimeoutMs;
      for (let pause = POLL_FIRST_MS; ; pause = Math.min(POLL_MAX_MS, pause * 2)) {
        if (this.busy && !(await this.idleUntil(until))) throw busyError('an import is writing to the database');
        if (this.client === undefined || writeLockFree(this.client)) return true;
        if (performance.now() >= until) throw busyError('the database is locked by another connection');
        await sleep(Math.min(pause, Math.max(1, until - performance.now())));
      }
    } finally {
      this.waiters -= 1;
    }
  }

  /** Whether the gate became idle before `until` (a performance.now() instant). */
  private async idleUntil(until: number): Promise<boolean> {
    const timer = new AbortController();
    const timeout = sleep(Math.max(0, until - performance.now()), false, { signal: timer.signal }).catch(() => false);
    try {
      while (this.holders > 0) if (!(await Promise.race([this.tail.then(() => true), timeout]))) return false;
      return true;
    } finally {
      timer.abort();
    }
  }
}

const busyError = (message: string) => Object.assign(new Error(message), { code: 'SQLITE_BUSY' });
