import { setImmediate } from 'node:timers/promises';
import { parse } from 'csv-parse';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, ImportLimitError } from './limits.js';

// csv-parse parses a whole chunk at once, and a row whose cell count differs from the header's costs it an error
// object with a stack trace (50,000 empty lines in one chunk held the event loop for seconds): the text is fed
// in small slices, with a turn of the event loop between them so that other requests go on.
const SLICE_CHARS = 4 * 1024;

/** What csvBatches found in the text besides rows: byte order marks past its start, removed. */
export interface CsvFindings {
  byteOrderMarks: number;
}

/**
 * U+FEFF: a byte order mark where a file starts; anywhere else, what joining two exported files (or pasting a
 * line from one) leaves. It is removed wherever it is: before a quoted cell it broke the quoting (the row
 * read as one misplaced cell, or the whole file refused), before an unquoted one it began a state name or a
 * text. As a character (a zero-width no-break space) it is deprecated, U+2060 is the word joiner.
 */
const BYTE_ORDER_MARKS = /\uFEFF/g;

async function* slices(text: AsyncIterable<string>, findings: CsvFindings): AsyncGenerator<string> {
  let first = true;
  for await (const read of text) {
    let chunk = read;
    if (first && chunk !== '') {
      first = false;
      if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1); // the file's own
    }
    if (chunk.includes('\uFEFF')) {
      findings.byteOrderMarks += chunk.match(BYTE_ORDER_MARKS)!.length;
      chunk = chunk.replace(BYTE_ORDER_MARKS, '');
    }
    for (let at = 0; at < chunk.length; at += SLICE_CHARS) {
      await setImmediate();
      yield chunk.slice(at, at + SLICE_CHARS);
    }
  }
}

/** csv-parse's parser itself (its stream, `parse()`, is a Transform around it: lib/index.js). */
interface ParserApi {
  parse(chunk: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
  /** The row being read: its cells so far, their characters, and those of the cell being read. */
  state: { record: unknown[]; record_length: number; field: { length: number } };
}

/**
 * CSV records from text chunks, streamed: any line ending (CR, LF, CRLF, mixed), byte order marks dropped
 * (those past the start counted in `findings`). An error
 * of the text source (or of the parser) ends the iteration with that error. A row longer than
 * `maxCellChars` characters (its cells and the commas between them), or more than `maxRows` rows, end it
 * with an ImportLimitError: the parser never holds more than one bounded row.
 */
export async function* csvRecords(
  text: AsyncIterable<string>,
  options: { relaxQuotes?: boolean; limits?: ImportLimits; findings?: CsvFindings } = {},
): AsyncGenerator<string[]> {
  for await (const batch of csvBatches(text, options)) yield* batch;
}

/**
 * The records of csvRecords, as the batches that each slice of text completes: the parser is fed the
 * slices directly, without a stream between (a promise per row through stream plumbing cost more than the
 * parsing itself).
 */
export async function* csvBatches(
  text: AsyncIterable<string>,
  options: { relaxQuotes?: boolean; limits?: ImportLimits; findings?: CsvFindings } = {},
): AsyncGenerator<string[][]> {
  const { maxCellChars, maxRows } = options.limits ?? DEFAULT_IMPORT_LIMITS;
  const parser = (
    parse({
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: options.relaxQuotes ?? false,
      max_record_size: maxCellChars,
    }) as unknown as { api: ParserApi }
  ).api;
  const tooLong = () =>
    new ImportLimitError(
      `A row is longer than ${maxCellChars} characters (a quote never closed, or not a CSV file); larger rows are not read.`,
    );
  // csv-parse's max_record_size counts the cells' characters, not the commas between them: a line of 19 MB of
  // commas was one row of 19 million empty cells (28 s and hundreds of MB). The commas count here, in the row
  // being read after each slice (it grows by a slice at most meanwhile) and in each row read.
  const rowChars = (cells: number, chars: number) => Math.max(0, cells - 1) + chars;
  let rows = 0;
  let batch: string[][] = [];
  const push = (record: string[]) => {
    if (++rows > maxRows) throw new ImportLimitError(`The file has more than ${maxRows} rows; larger files are not read.`);
    if (rowChars(record.length, record.reduce((n, cell) => n + cell.length, 0)) > maxCellChars) throw tooLong();
    batch.push(record);
  };
  const { state } = parser;
  const partialTooLong = () => rowChars(state.record.length + 1, state.record_length + state.field.length) > maxCellChars;
  const close = () => {};
  // The records a slice completed, then its error if it has one (as the stream gave them).
  const fed = (error: Error | undefined) => {
    const records = batch;
    batch = [];
    return { records, error };
  };
  try {
    for await (const slice of slices(text, options.findings ?? { byteOrderMarks: 0 })) {
      const { records, error } = fed(parser.parse(Buffer.from(slice), false, push, close));
      if (records.length > 0) yield records;
      if (error) throw error;
      if (partialTooLong()) throw tooLong();
    }
    const { records, error } = fed(parser.parse(undefined, true, push, close));
    if (records.length > 0) yield records;
    if (error) throw error;
  } catch (error) {
    if ((error as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') throw tooLong();
    throw error;
  }
}
