import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { CsvAnswer, CsvJob } from './csv-worker.js';
import { unpackRecords } from './csv-worker.js';
import { type ImportLimits, ImportLimitError } from './limits.js';
import type { EncodingReport } from './types.js';

// A large CSV file is decoded and parsed in a worker thread (csv-worker.ts), so that the importing thread
// builds its records (the format's reader: upr-info.ts, terman-csv.ts) from one batch of records while the
// worker parses the next, on the machine's other core. The file's bytes are read here and sent on; the worker
// holds them for its passes (encoding.ts reads a file twice, or three times when it is UTF-8 and not ASCII).

/**
 * Bytes from which a CSV file is parsed in the worker thread: below, starting the thread (its modules
 * loaded) costs about what it saves (one of UPR Info's files, 1.5–2.3 MB, takes 0.1–0.2 s to parse).
 */
export const CSV_THREAD_MIN_BYTES = 512 * 1024;

export interface ThreadedCsv {
  encoding: EncodingReport;
  records: AsyncGenerator<string[][]>;
}

/** The error a job ended with, as the importing thread would have thrown it (rowsBelowHeader says what it means). */
const rethrown = ({ name, message }: { name: string; message: string }): Error =>
  name === 'ImportLimitError' ? new ImportLimitError(message) : new Error(message);

export class CsvThread {
  private worker: Worker | undefined;
  private control: MessagePort | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  /** The jobs under way (each one's inbox): ended with an error when the thread stops. */
  private readonly jobs = new Set<(answer: CsvAnswer) => void>();
  /** Why the thread stopped, once it has. */
  failure: Error | undefined;

  constructor(
    // (Beside this module: the TypeScript source, or the built bundle's worker, dist/src/csv-worker.js.)
    private readonly url: URL = new URL(`./csv-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  ) {}

  /** The port jobs are sent on, the thread started on first use. */
  private started(): MessagePort {
    if (this.control !== undefined) return this.control;
    const url = this.url;
    const { port1, port2 } = new MessageChannel();
    this.control = port1;
    // Under tsx (npm run import, the benches), whose hooks a worker does not inherit, the worker loads them first.
    const tsx = url.pathname.endsWith('.ts') && process.execArgv.some((arg) => /(^|[=\s])tsx$/.test(arg));
    const boot = `import('tsx/esm/api').then(({ register }) => register()).then(() => import(${JSON.stringify(url.href)}))`;
    const worker = new Worker(tsx ? boot : url, { eval: tsx, workerData: { port: port2 }, transferList: [port2] });
    this.worker = worker;
    // A thread that could not start or died: its jobs under way end with that error (and a new thread does the next).
    const stopped = (error: Error) => {
      this.failure ??= error;
      for (const job of this.jobs) job({ error: { name: 'Error', message: `the CSV worker stopped: ${this.failure.message}` } });
    };
    worker.on('error', stopped);
    this.exited = new Promise((resolve) => worker.once('exit', (code) => resolve(stopped(new Error(`it exited (code ${code})`)))));
    // Neither keeps the process alive: a command exits when its work is done.
    worker.unref();
    port1.unref();
    return port1;
  }

  /**
   * The file's encoding and records, parsed in the thread: `head` is what was read of `rest`'s file so far.
   * An error of the source is thrown here (nothing more is parsed); the parser's, from the records.
   */
  async read(head: Uint8Array[], rest: AsyncIterator<Uint8Array>, options: { relaxQuotes?: boolean; limits: ImportLimits }): Promise<ThreadedCsv> {
    if (this.failure) throw new Error(`the CSV worker stopped: ${this.failure.message}`);
    const { port1: port, port2 } = new MessageChannel();
    this.started().postMessage({ port: port2, relaxQuotes: options.relaxQuotes ?? false, limits: options.limits } satisfies CsvJob, [port2]);
    const answers: CsvAnswer[] = [];
    let wake: (() => void) | undefined;
    const inbox = (answer: CsvAnswer) => {
      answers.push(answer);
      wake?.();
    };
    this.jobs.add(inbox);
    port.on('message', inbox);
    const next = async (): Promise<CsvAnswer> => {
      while (answers.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return answers.shift()!;
    };
    const end = () => {
      this.jobs.delete(inbox);
      port.close();
    };
    try {
      // (A copy of each chunk's own bytes: a view's whole buffer would be copied with it, the file's in memory.)
      const send = (chunk: Uint8Array) => {
        const copy = chunk.slice();
        port.postMessage(copy, [copy.buffer]);
      };
      head.forEach(send);
      for (let read = await rest.next(); !read.done; read = await rest.next()) send(read.value);
      port.postMessage(null);
    } catch (error) {
      end();
      throw error;
    }
    const first = await next();
    if (!('encoding' in first)) {
      end();
      throw rethrown((first as { error: Parameters<typeof rethrown>[0] }).error);
    }
    async function* records(): AsyncGenerator<string[][]> {
      try {
        for (let answer = await next(); !('done' in answer); answer = await next()) {
          if ('error' in answer) throw rethrown(answer.error);
          yield unpackRecords((answer as { records: Parameters<typeof unpackRecords>[0] }).records);
        }
      } finally {
        end();
      }
    }
    return { encoding: first.encoding, records: records() };
  }

  /** Ends the thread: closing its port ends it, and it exits (a test's coverage of it is then written). */
  async close(): Promise<void> {
    this.control?.close();
    this.worker?.ref();
    await this.exited;
  }
}

let shared: CsvThread | undefined;

/** The process's thread, started on first use. */
export function csvThread(): CsvThread {
  if (shared === undefined || shared.failure !== undefined) shared = new CsvThread();
  return shared;
}
