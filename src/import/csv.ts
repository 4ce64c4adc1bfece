import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, ImportLimitError } from './limits.js';

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
  pipeline(Readable.from(text), parser, () => {});
  let rows = 0;
  try {
    for await (const record of parser) {
      if (++rows > maxRows) throw new ImportLimitError(`The file has more than ${maxRows} rows; larger files are not read.`);
      yield record as string[];
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') {
      throw new ImportLimitError(
        `Row ${rows + 1} is longer than ${maxCellChars} characters (a quote never closed, or not a CSV file); larger rows are not read.`,
      );
    }
    throw error;
  }
}
