import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { FastifyBaseLogger } from 'fastify';
import { type Checkpointed, checkpointElsewhere, copyLogUnwaited, walBytes } from './wal.js';
import { holdProcess, startWorker } from '../common/worker.js';

// The server's SQLite log, checkpointed in a worker thread (wal-worker.ts) on a connection of its own. SQLite's
// automatic checkpoint runs in the thread that commits: when another process (`npm run relate`, a large import)
// had committed a long transaction while a write of the server waited for the lock, that write's commit copied
// the whole log into the database on the event loop (session 39: 1.9 GB at 300,000 records, 24.5 s, every read
// waiting). The server's connection commits without it; after its commits, a log past the bound SQLite's own
// checkpoint kept (wal_autocheckpoint: 1000 pages) is copied here, off the event loop: PASSIVE, which waits for
// nobody, then the -wal truncated unless someone reads (copyLogUnwaited). One checkpoint at a time: a commit
// meanwhile asks for one more after it, never a queue. Asked after a response, once the request's reads are over
// (a read's commit, asked at once, left the -wal at its size: the thread found that request's read open, session
// 41); a checkpoint that could not truncate (another request's read, another process's) is asked again after the
// next response. The thread is started by the first checkpoint needed (most test apps never need one) and kept.

export class WalCheckpointThread extends EventEmitter<{ checkpointed: [result: Checkpointed] }> {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private running = false;
  private again = false;
  /** A read committed, or the last checkpoint could not truncate: the next response asks for one. */
  private unsettled = false;
  private closed = false;
  private exited: Promise<unknown> = Promise.resolve();
  /** The bound past which the log is checkpointed: the pages SQLite's automatic checkpoint waited for, in bytes. */
  readonly boundBytes: number;

  constructor(
    private readonly client: Database.Database,
    private readonly log?: Pick<FastifyBaseLogger, 'warn'>,
    // (Beside this module: the TypeScript source, or the built bundle's worker, dist/src/wal-worker.js.)
    private readonly url: URL = new URL(`./wal-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  ) {
    super();
    const pages = client.pragma('wal_autocheckpoint', { simple: true }) as number;
    this.boundBytes = pages * (client.pragma('page_size', { simple: true }) as number);
    checkpointElsewhere(client, this);
  }

  /** Whether a checkpoint was asked and its result is not yet in (tests wait for it). */
  get checkpointing(): boolean {
    return this.running;
  }

  /** After a commit of the server's connection (or the last export's snapshot closed): the log checkpointed if past the bound. */
  afterCommit(): void {
    this.unsettled = false;
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (walBytes(this.client.name) <= this.boundBytes) return;
    this.running = true;
    this.started().postMessage('checkpoint');
    // (The thread keeps the process alive while a checkpoint runs, and only then.)
    holdProcess(true, this.worker, this.port);
  }

  /** A commit of the server's connection that no write route made (a read's): the thread asked after the response. */
  committedOutsideWrites(): void {
    this.unsettled = true;
  }

  /**
   * After a response: the log checkpointed if past the bound when the route may have written or a read committed,
   * and one more after a checkpoint that runs (the request's reads, over now, may be what keeps it from truncating).
   */
  afterResponse(wrote: boolean): void {
    if (wrote || this.unsettled || this.running) this.afterCommit();
  }

  /** A checkpoint ended: said (tests wait for it), and another run if a commit came meanwhile. */
  private done(result: Checkpointed): void {
    this.running = false;
    // (A reader had the log open: the -wal kept its size, and nothing else may ask again on a read-only server.)
    if (!result.truncated) this.unsettled = true;
    holdProcess(false, this.worker, this.port);
    this.emit('checkpointed', result);
    if (!this.again) return;
    this.again = false;
    this.afterCommit();
  }

  private started(): MessagePort {
    if (this.port !== undefined) return this.port;
    const url = this.url;
    const { port1: port, port2 } = new MessageChannel();
    const worker = startWorker(url, { workerData: { walCheckpoints: { port: port2, path: this.client.name } }, transferList: [port2] });
    this.worker = worker;
    this.port = port;
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    port.on('message', (result: Checkpointed) => this.done(result));
    // A thread that died (its connection could not open, say): the checkpoint it was asked for runs here, on
    // the event loop, as SQLite's own did, and the next one starts a new thread.
    let failed = false;
    const died = (error: Error) => {
      if (failed || this.worker !== worker) return;
      failed = true;
      this.worker = this.port = undefined;
      port.close();
      if (!this.running) return;
      this.log?.warn({ err: error }, 'SQLite: the checkpoint thread stopped: this checkpoint of the log ran on the event loop');
      this.done(this.client.open && !this.client.inTransaction ? copyLogUnwaited(this.client) : { log: -1, checkpointed: -1, truncated: false });
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the checkpoint thread exited (code ${code})`)));
    return port;
  }

  /** Ends the thread (after the checkpoint it runs, if any): closing its port closes its connection and it exits. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.port?.close();
    this.worker = this.port = undefined;
    this.running = false;
    if (worker === undefined) return;
    // (Kept alive until it has exited: unreferenced, the process could end first.)
    worker.ref();
    await this.exited;
  }
}
