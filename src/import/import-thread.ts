import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { holdProcess, startWorker } from '../common/worker.js';
import type { ImportAnswer, ImportJob, ImportTarget, ThrownError } from './import-worker.js';
import { HttpProblem } from '../http/problem.js';
import { ImportLimitError } from './limits.js';
import { ImportError, type ImportOptions, type ImportReport } from './types.js';

// A large import runs in a worker thread on a connection of its own (import-worker.ts), so that the service
// goes on answering while it reads, parses and writes: in this thread, its transaction (synchronous, like every
// better-sqlite3 call; on PostgreSQL the records are built in a scratch SQLite file the same way) held the event
// loop for its whole length, ~1.7 s for a 3 MB Terman CSV and ~2 s for a UPR Info file, and every request
// waited. On SQLite, reads meanwhile see the data as it was (WAL) and writes wait for the import without
// stalling anything (src/db/write-gate.ts); on PostgreSQL the database orders them. The thread is started at
// the first large import and kept for the next ones (its modules and the tagger's model loaded once).

/** Seconds a client whose import a shutdown stopped is asked to wait (another instance, or this one restarted). */
const SHUTDOWN_RETRY_AFTER_SECONDS = 5;

type Waiting = Map<number, { resolve: (report: ImportReport) => void; reject: (error: Error) => void }>;

export class ImportThread extends EventEmitter<{ started: [] }> {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** The imports the current thread holds: each thread has its own, so that a thread that dies fails only its own. */
  private waiting: Waiting = new Map();
  private exited: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(
    private readonly target: ImportTarget,
    /** The thread's V8 heap in MB (IMPORT_THREAD_MAX_HEAP_MB; 0 or absent: V8's default, as the service's). */
    private readonly maxHeapMb = 0,
    // (Beside this module: the TypeScript source, or the built bundle's worker, dist/src/import-worker.js.)
    private readonly url: URL = new URL(`./import-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  ) {
    super();
  }

  /** The file imported in the thread: its report, or the error the import threw (as this thread would have). */
  run(name: string, bytes: Uint8Array, options: ImportOptions): Promise<ImportReport> {
    const port = this.started();
    const id = this.nextId++;
    const job: ImportJob = { id, target: this.target, name, bytes, options };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // (The thread keeps the process alive while an import waits for it, and only then.)
      holdProcess(true, this.worker, this.port);
      port.postMessage(job);
    });
  }

  private started(): MessagePort {
    if (this.port !== undefined) return this.port;
    const url = this.url;
    const { port1: port, port2 } = new MessageChannel();
    const resourceLimits = this.maxHeapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } } : {};
    const worker = startWorker(url, { workerData: { importJobs: port2 }, transferList: [port2], ...resourceLimits });
    const waiting: Waiting = new Map();
    this.worker = worker;
    this.port = port;
    this.waiting = waiting;
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    port.on('message', (answer: ImportAnswer) => {
      // (The thread has begun a job: tests wait for it.)
      if ('started' in answer) return void this.emit('started');
      const job = waiting.get(answer.id)!;
      waiting.delete(answer.id);
      if (waiting.size === 0) holdProcess(false, this.worker, this.port);
      if ('report' in answer) job.resolve(answer.report);
      else job.reject(rebuilt(answer.error));
    });
    // A thread that died fails the imports it had (a new one is started for the next). One whose heap ran out
    // fails them as too large (a 413, not a 500): the imports it held (MAX_CONCURRENT_IMPORTS of them at most)
    // needed more than IMPORT_THREAD_MAX_HEAP_MB, or V8's default, and the service's own thread is untouched.
    // Its own imports only: its 'exit' comes after its 'error', by which time a retry may wait for a new thread.
    const failed = (error: Error) => {
      if (this.worker === worker) this.worker = this.port = undefined;
      if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') error = outOfMemory(this.maxHeapMb);
      for (const { reject } of waiting.values()) reject(error);
      waiting.clear();
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`the import thread exited (code ${code})`)));
    return port;
  }

  /**
   * Ends the thread. Idle, it is let go: closing its port ends its work and it exits (so a test's coverage of it
   * is written). With an import still running (the service's shutdown cut off the requests still in flight
   * when its grace period ended), the thread is stopped at once: its transaction never commits, and the import
   * is answered 503.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    this.port?.close();
    this.worker = this.port = undefined;
    if (worker === undefined) return;
    // (Kept alive until it has exited: unreferenced, the process could end first.)
    worker.ref();
    if (waiting.length > 0) {
      const stopped = new HttpProblem(503, 'The service shut down while this file was being imported: nothing was imported.', undefined, {
        'retry-after': String(SHUTDOWN_RETRY_AFTER_SECONDS),
      });
      for (const { reject } of waiting) reject(stopped);
      await worker.terminate();
    }
    await this.exited;
  }
}

/** What an import is told when the thread's heap ran out while it ran. */
function outOfMemory(maxHeapMb: number): ImportLimitError {
  const heap = maxHeapMb > 0 ? `its ${maxHeapMb} MB (IMPORT_THREAD_MAX_HEAP_MB)` : 'the heap V8 gives it (IMPORT_THREAD_MAX_HEAP_MB sets it)';
  return new ImportLimitError(
    `Importing this file (with any other import running at the time) needed more memory than the import thread has, ${heap}; ` +
      'nothing was imported. Import it alone, split it, or import it with the command line, `npm run import -- FILE`.',
  );
}

/** The error the import threw in the thread, as this thread knows it (ImportError and its 403/422/413). */
function rebuilt(thrown: ThrownError): Error {
  const error =
    thrown.name === 'ImportLimitError'
      ? new ImportLimitError(thrown.message)
      : thrown.name === 'ImportError'
        ? new ImportError(thrown.message, thrown.status as 403 | 422)
        : Object.assign(new Error(thrown.message), { name: thrown.name });
  if (thrown.code !== undefined) Object.assign(error, { code: thrown.code });
  if (thrown.stack !== undefined) error.stack = thrown.stack;
  return error;
}
