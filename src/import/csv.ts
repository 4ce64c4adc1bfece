import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';

/**
 * CSV records from text chunks, streamed: any line ending (CR, LF, CRLF, mixed), rows of any length, a
 * BOM dropped. An error of the text source (or of the parser) ends the iteration with that error.
 */
export function csvRecords(text: AsyncIterable<string>, options: { relaxQuotes?: boolean } = {}): AsyncIterable<string[]> {
  const parser = parse({
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: options.relaxQuotes ?? false,
    bom: true,
  });
  // Errors reach the consumer through the parser's iterator; the callback only keeps them from being unhandled.
  pipeline(Readable.from(text), parser, () => {});
  return parser;
}
