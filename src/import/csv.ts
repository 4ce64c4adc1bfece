import { pipeline, Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { parse } from 'csv-parse';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, ImportLimitError } from './limits.js';

// csv-parse parses a whole chunk at once, and a row whose cell count differs from the header's costs it an error
// object with a stack trace (50,000 empty lines in one chunk held the event loop for seconds): the text is fed
// in small slices, with a turn of the event loop between them so that other requests go on.
const SLICE_CHARS = 4 * 1024;

async function* slices(text: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const chunk of text) {
    for (let at = 0; at < chunk.length; at += SLICE_CHARS) {
      await setImmediate();
      yield chunk.slice(at, at + SLICE_CHARS);
    }
  }
}

/**
 * CSV records from text chunks, streamed: any line ending (CR, LF, CRLF, mixed), a BOM dropped. An error
 * of the text source (or of the parser) ends the iteration with that error. A row longer than
 * `maxCellChars` characters (its cells together), or more than `maxRows` rows, end it with an
 * ImportLimitError: the parser never holds more than one bounded row.
 */
export async function* csvRecords(
  text: AsyncIterable<string>,
  options: { relaxQuotes?: boolean; limits?: ImportLimits } = {},
): AsyncGenerator<string[]> {
  const { maxCellChars, maxRows } = options.limits ?? DEFAULT_IMPORT_LIMITS;
  const parser = parse({
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: options.relaxQuotes ?? false,
    bom: true,
    max_record_size: maxCellChars,
  });
  // Errors reach the consumer through the parser's iterator; the callback only keeps them from being unhandled.
  pipeline(Readable.from(slices(text)), parser, () => {});
  let rows = 0;
  try {
    for await (const record of parser) {
      if (++rows > maxRows) throw new ImportLimitError(`The file has more than ${maxRows} rows; larger files are not read.`);
      yield record as string[];
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') {
      throw new ImportLimitError(
        `A row is longer than ${maxCellChars} characters (a quote never closed, or not a CSV file); larger rows are not read.`,
      );
    }
    throw error;
  }
}
