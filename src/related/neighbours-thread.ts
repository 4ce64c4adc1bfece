import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { holdProcess, startWorker } from '../common/worker.js';
import type { NeighbourAnswer, NeighbourLists, NeighbourRequest } from './neighbours-worker.js';
import { RELATED_FLOOR, RELATED_PER_RECORD } from './settings.js';
import type { StateNames } from './state-names.js';

// A state's relations are computed in a worker thread (neighbours-worker.ts), so that the writing thread
// goes on with the rest of its transaction meanwhile (the stats flush, the audit entries: src/db/audit.ts) on
// the machine's other core. A transaction is synchronous: the groups are sent first, and each answer is then
// taken in order, waiting on a shared counter (Atomics.wait) and reading the port synchronously. The worker
// tokenises each text once (its own dictionary), and an import sends a file's texts ahead (warm) so that
// they are tokenised while the records are being written. The scores are those computed in one thread before:
// the same functions over the same texts in the same order (a group's term numbers follow its texts), with
// the same states' names (sent before the texts whenever they are not those sent last).

/**
 * Texts below which a refresh (the groups it recomputes together) or an import relates in the writing thread:
 * a matrix of 200 recommendations takes ~20 ms there, less than starting the thread (its modules loaded).
 */
export const THREAD_MIN_TEXTS = 2000;

/** How long a group may take before the worker is taken for dead (a state of 2,000 texts takes ~0.1 s). */
const ANSWER_TIMEOUT_MS = 120_000;

export class NeighbourThread {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private asked = 0;
  private taken = 0;
  private exited: Promise<unknown> = Promise.resolve();
  /** Why the thread stopped, once it has. */
  failure: Error | undefined;

  constructor(
    // (Beside this module: the TypeScript source, or the built bundle's worker, dist/src/neighbours-worker.js.)
    private readonly url: URL = new URL(`./neighbours-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
    private readonly timeoutMs = ANSWER_TIMEOUT_MS,
  ) {}

  /** The thread, started on first use (a write with little to relate never starts it). */
  private started(): MessagePort {
    if (this.port !== undefined) return this.port;
    const url = this.url;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const worker = startWorker(url, { workerData: { port: port2, signal: this.signal }, transferList: [port2] });
    this.worker = worker;
    // A thread that could not start or died: said by the next ask or take (and a new one started for the next use).
    worker.on('error', (error) => (this.failure = error));
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    // Neither keeps the process alive: a command exits when its work is done.
    holdProcess(false, worker, port1);
    return this.port;
  }

  /** The fingerprint of the states' names last sent to the thread. */
  private namesSent: string | undefined;

  /** The thread, told the states' names when they are not those it was last sent. */
  private with(names: StateNames): MessagePort {
    const port = this.started();
    if (names.fingerprint !== this.namesSent) {
      port.postMessage({ kind: 'names', names: names.list() } satisfies NeighbourRequest);
      this.namesSent = names.fingerprint;
    }
    return port;
  }

  /** Texts to tokenise ahead of their group (no answer), with the states' names their terms leave out. */
  warm(texts: string[], names: StateNames): void {
    this.with(names).postMessage({ kind: 'warm', texts, floor: RELATED_FLOOR, k: RELATED_PER_RECORD } satisfies NeighbourRequest);
  }

  /** Asks for a group's neighbour lists (taken with take(), in the order asked), its texts' terms without the states' names. */
  ask(texts: string[], names: StateNames, floor = RELATED_FLOOR, k = RELATED_PER_RECORD): void {
    this.check();
    this.with(names).postMessage({ kind: 'group', texts, floor, k } satisfies NeighbourRequest);
    this.asked++;
  }

  /** The answer to the oldest group not yet taken, waiting for it. */
  take(): NeighbourLists {
    this.check();
    if (this.taken >= this.asked) throw new Error('no group asked for');
    const seen = this.taken++;
    while (Atomics.load(this.signal, 0) <= seen) {
      if (Atomics.wait(this.signal, 0, seen, this.timeoutMs) === 'timed-out') {
        throw new Error(`the relations worker did not answer in ${this.timeoutMs} ms`);
      }
    }
    const answer = receiveMessageOnPort(this.port!)!.message as NeighbourAnswer;
    if ('error' in answer) throw new Error(`the relations worker failed: ${answer.error}`);
    return answer;
  }

  private check(): void {
    if (this.failure) throw new Error(`the relations worker stopped: ${this.failure.message}`);
  }

  /** Drops the answers to groups asked and never taken (a transaction that failed in between). */
  discard(): void {
    while (this.taken < this.asked) {
      try {
        this.take();
      } catch {
        // (A failed group's answer is dropped too.)
      }
    }
  }

  /** Ends the thread: closing the port ends its work, and it exits (a test's coverage of it is then written). */
  async close(): Promise<void> {
    this.port?.close();
    this.worker?.ref();
    await this.exited;
  }
}

let shared: NeighbourThread | undefined;

/** The process's thread, started on first use. */
export function neighbourThread(): NeighbourThread {
  if (shared === undefined || shared.failure !== undefined) shared = new NeighbourThread();
  return shared;
}
