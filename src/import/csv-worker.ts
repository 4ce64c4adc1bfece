import { type MessagePort, workerData } from 'node:worker_threads';
import { csvBatches } from './csv.js';
import { analyseText, decodeText } from './encoding.js';
import type { ImportLimits } from './limits.js';
import type { EncodingReport } from './types.js';

// The thread of csv-thread.ts: a large CSV file's bytes are decoded and parsed here (encoding.ts, csv.ts: the
// same functions as in the importing thread), and its records handed back in batches while the importing thread
// builds its records from the batches before. One job per file, on a port of its own: the file's bytes come in
// (then null), the encoding goes out first, then the records, then the end; an error ends the job with it.

export interface CsvJob {
  port: MessagePort;
  relaxQuotes: boolean;
  limits: ImportLimits;
}

/**
 * Records in one string and their shape: for each record its number of cells, then each cell's length (in
 * UTF-16 units) in `text`, where the cells follow each other. (Cheaper to send than an array per record.)
 */
export interface RecordBatch {
  text: string;
  shape: Int32Array;
}

export type CsvAnswer =
  | { encoding: EncodingReport }
  | { records: RecordBatch }
  | { done: true }
  | { error: { name: string; message: string } };

/** Characters of records sent together. */
const BATCH_CHARS = 256 * 1024;

export function packRecords(records: string[][]): RecordBatch {
  let size = 0;
  for (const cells of records) size += 1 + cells.length;
  const shape = new Int32Array(size);
  const parts: string[] = [];
  let at = 0;
  for (const cells of records) {
    shape[at++] = cells.length;
    for (const cell of cells) {
      shape[at++] = cell.length;
      parts.push(cell);
    }
  }
  return { text: parts.join(''), shape };
}

export function unpackRecords({ text, shape }: RecordBatch): string[][] {
  const records: string[][] = [];
  let char = 0;
  for (let at = 0; at < shape.length; ) {
    const cells = new Array<string>(shape[at++]!);
    for (let i = 0; i < cells.length; i++) {
      const end = char + shape[at++]!;
      cells[i] = text.slice(char, end);
      char = end;
    }
    records.push(cells);
  }
  return records;
}

export async function runJob({ port, relaxQuotes, limits }: CsvJob): Promise<void> {
  const chunks: Uint8Array[] = [];
  let received = false;
  let closed = false;
  let wake: (() => void) | undefined;
  port.on('message', (chunk: Uint8Array | null) => {
    if (chunk === null) received = true;
    else chunks.push(chunk);
    wake?.();
  });
  // The importing thread gave up (a header it refuses, an error of its own): the job stops.
  port.on('close', () => {
    closed = true;
    wake?.();
  });
  // The bytes so far, then each as it comes, up to the last (each pass of encoding.ts reads them from the start).
  async function* bytes(): AsyncGenerator<Uint8Array> {
    for (let i = 0; ; ) {
      if (i < chunks.length) yield chunks[i++]!;
      else if (received || closed) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  const send = (answer: CsvAnswer, transfer: ArrayBuffer[] = []) => closed || port.postMessage(answer, transfer);
  try {
    const analysis = await analyseText(bytes);
    const { encoding, lineEndings, repairSteps, repairs, repaired } = analysis;
    send({ encoding: { encoding, lineEndings, repairSteps, repairs, repaired } });
    let batch: string[][] = [];
    let chars = 0;
    for await (const records of csvBatches(decodeText(bytes(), analysis), { relaxQuotes, limits })) {
      if (closed) break;
      for (const cells of records) for (const cell of cells) chars += cell.length;
      batch.push(...records);
      if (chars < BATCH_CHARS) continue;
      const packed = packRecords(batch);
      send({ records: packed }, [packed.shape.buffer as ArrayBuffer]);
      batch = [];
      chars = 0;
    }
    if (batch.length > 0) {
      const packed = packRecords(batch);
      send({ records: packed }, [packed.shape.buffer as ArrayBuffer]);
    }
    send({ done: true });
  } catch (error) {
    const { name, message } = error as Error;
    send({ error: { name, message } });
  }
  port.close();
}

// Jobs come on the port the importing thread gave; once it closes that port, the thread has nothing left and exits.
const { port } = (workerData ?? {}) as { port?: MessagePort };
port?.on('message', (job: CsvJob) => void runJob(job));
