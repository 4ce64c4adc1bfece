import { EventEmitter } from 'node:events';
import { HttpProblem } from '../http/problem.js';

// Imports running at once, per process. An import holds its file (up to 20 MiB), the file decoded and parsed,
// and the records it builds: eight dry runs of a 3 MB Terman CSV at once took a SQLite server from 414 to
// 1,094 MB of RSS. So at most MAX_CONCURRENT_IMPORTS run at once; one more is answered at once with a 503 problem
// and Retry-After, before its body is read.
//
// A slot is taken when the request is authorized (before its body is buffered) and has two holders: the request,
// which lets go when its response is done or its connection closes, whatever the answer (200, 4xx, 5xx) or
// however it ends (a client gone mid-upload), and the import itself, which lets go when it settles: a client
// gone while its import runs does not free the slot that import still uses. The slot is free when both let go.

/** One taken slot: `release` once per holder (a second call by the same holder does nothing). */
export interface ImportSlot {
  /** The import holds the slot too, until the returned function is called. */
  hold(): () => void;
  /** The request lets go of the slot. */
  release(): void;
}

export class ImportSlots extends EventEmitter<{ change: [active: number] }> {
  private running = 0;

  constructor(
    readonly max: number,
    private readonly retryAfterSeconds: number,
  ) {
    super();
  }

  /** Imports holding a slot now. */
  get active(): number {
    return this.running;
  }

  /** A slot, or a 503 problem with Retry-After when all are taken. */
  take(): ImportSlot {
    if (this.running >= this.max) {
      throw new HttpProblem(
        503,
        `${this.max} ${this.max === 1 ? 'import is' : 'imports are'} running, as many as this service runs at once; ` +
          `nothing was imported. Retry in ${this.retryAfterSeconds} seconds.`,
        undefined,
        { 'retry-after': String(this.retryAfterSeconds) },
      );
    }
    this.running += 1;
    this.emit('change', this.running);
    let holders = 1;
    const letGo = () => {
      holders -= 1;
      if (holders === 0) {
        this.running -= 1;
        this.emit('change', this.running);
      }
    };
    let requestDone = false;
    return {
      hold: () => {
        // (The request let go already, its connection closed before the import began: it is counted again.)
        if (holders === 0) {
          this.running += 1;
          this.emit('change', this.running);
        }
        holders += 1;
        let done = false;
        return () => {
          if (done) return;
          done = true;
          letGo();
        };
      },
      release: () => {
        if (requestDone) return;
        requestDone = true;
        letGo();
      },
    };
  }
}
