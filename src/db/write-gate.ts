// SQLite: the writes of this process, while an import writes from another thread (src/import/import-thread.ts).
// Its transaction holds the database's write lock on a connection of its own for as long as it runs (seconds for
// a large file); a write of this thread meanwhile would wait in better-sqlite3's busy handler, which sleeps on the
// event loop's thread, stalling every request for up to the busy timeout and then failing. So imports take the
// gate one at a time, and the write routes wait for it asynchronously (`idle`) before they begin.

import { EventEmitter } from 'node:events';

export class WriteGate extends EventEmitter<{ change: [holders: number] }> {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;

  /** Whether an import holds the gate or waits for it. */
  get busy(): boolean {
    return this.holders > 0;
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

  private waiters = 0;

  /** Requests waiting for the gate to be idle. */
  get waiting(): number {
    return this.waiters;
  }

  /** Resolves once no import holds the gate or waits for it (at once when none does). */
  async idle(): Promise<void> {
    if (this.holders === 0) return;
    this.waiters += 1;
    this.emit('change', this.holders);
    while (this.holders > 0) await this.tail;
    this.waiters -= 1;
  }
}
