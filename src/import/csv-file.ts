import { csvBatches, type CsvFindings } from './csv.js';
import { analyseText, type CellDecision, decodeText, type RepairTally, repairCell } from './encoding.js';
import type { ImportLimits } from './limits.js';
import { ImportError, type EncodingReport, type ImportNote, type ImportSource } from './types.js';

// A data set's CSV file as the corpus readers (Terman, UPR Info) take it: its encoding judged on the whole
// file (encoding.ts), then its rows below the header, numbered as in the file.

export interface CsvRow<C extends string> {
  row: number; // the header is row 1
  cells: string[];
  columns: Record<C, number>;
}

export interface DecodedCsv<C extends string> {
  /** How the file was decoded and repaired: its counts are complete once the batches are read. */
  encoding: EncodingReport;
  /** The rows below the header, blank ones left out, in batches; a file that cannot be read is an ImportError. */
  batches: AsyncGenerator<CsvRow<C>[]>;
  /** Once the batches are read: what the file held besides rows (a header again, byte order marks), as warnings. */
  notes(): ImportNote[];
}

/** What joined files leave besides rows, as an import's warnings. */
export function joinedFileNotes(findings: CsvFindings, headerRows: number[]): ImportNote[] {
  const marks = findings.byteOrderMarks;
  return [
    ...headerRows.map((row) => ({ row, message: 'the header row again (files joined?): read as the header, not as a record' })),
    ...(marks > 0
      ? [{ message: `${marks} byte order mark${marks === 1 ? '' : 's'} (U+FEFF) past the start of the file removed (files joined, or a line pasted from another file)` }]
      : []),
  ];
}

export async function readDecodedCsv<C extends string>(
  source: ImportSource,
  header: (cells: string[]) => Record<C, number>,
  options: { relaxQuotes?: boolean; limits?: ImportLimits },
): Promise<DecodedCsv<C>> {
  const analysis = await analyseText(() => source.chunks());
  const { encoding: name, lineEndings, repairSteps, repairs, repaired } = analysis;
  // (Completed as the rows are read: the repairs a cell decides are counted as they are made.)
  const encoding: EncodingReport = { encoding: name, lineEndings, repairSteps, repairs, repaired: { ...repaired } };
  const findings: CsvFindings = { byteOrderMarks: 0 };
  const headerRows: number[] = [];
  const batches = csvBatches(decodeText(source.chunks(), name), { ...options, findings });
  return {
    encoding,
    batches: rowsBelowHeader(batches, header, analysis, encoding, headerRows),
    notes: () => joinedFileNotes(findings, headerRows),
  };
}

/** Whether a row names every column the header does (in any order and case): the header of a file joined on. */
export function isHeaderAgain(cells: string[], headerNames: ReadonlySet<string>): boolean {
  if (cells.length < headerNames.size || !headerNames.has(cells[0]!.trim().toLowerCase())) return false;
  const names = new Set(cells.map((c) => c.trim().toLowerCase()));
  return [...headerNames].every((name) => names.has(name));
}

export function headerNames(cells: string[]): Set<string> {
  return new Set(cells.map((c) => c.trim().toLowerCase()).filter((name) => name !== ''));
}

async function* rowsBelowHeader<C extends string>(
  batches: AsyncIterable<string[][]>,
  header: (cells: string[]) => Record<C, number>,
  decision: CellDecision,
  tally: RepairTally,
  headerRows: number[],
): AsyncGenerator<CsvRow<C>[]> {
  let columns: Record<C, number> | undefined;
  let names: Set<string> | undefined;
  let row = 0;
  try {
    for await (const records of batches) {
      const rows: CsvRow<C>[] = [];
      for (const read of records) {
        // Each cell repaired as a whole (a cell is mis-encoded as a whole).
        const cells = read.map((cell) => repairCell(cell, decision, tally));
        row++;
        if (columns === undefined || isHeaderAgain(cells, names!)) {
          // A header again (files joined) is read as one: the rows below it may have their columns in another order.
          if (columns !== undefined) headerRows.push(row);
          columns = header(cells);
          names ??= headerNames(cells);
        } else if (cells.some((c) => c.trim() !== '')) rows.push({ row, cells, columns });
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(`Not a readable CSV file: ${(error as Error).message}`);
  }
  if (columns === undefined) throw new ImportError('The file is empty: no header row.');
}
