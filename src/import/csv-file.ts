import { csvBatches } from './csv.js';
import { analyseText, type CellDecision, decodeText, type RepairTally, repairCell } from './encoding.js';
import type { ImportLimits } from './limits.js';
import { ImportError, type EncodingReport, type ImportSource } from './types.js';

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
  return {
    encoding,
    batches: rowsBelowHeader(csvBatches(decodeText(source.chunks(), name), options), header, analysis, encoding),
  };
}

async function* rowsBelowHeader<C extends string>(
  batches: AsyncIterable<string[][]>,
  header: (cells: string[]) => Record<C, number>,
  decision: CellDecision,
  tally: RepairTally,
): AsyncGenerator<CsvRow<C>[]> {
  let columns: Record<C, number> | undefined;
  let row = 0;
  try {
    for await (const records of batches) {
      const rows: CsvRow<C>[] = [];
      for (const read of records) {
        // Each cell repaired as a whole (a cell is mis-encoded as a whole).
        const cells = read.map((cell) => repairCell(cell, decision, tally));
        row++;
        if (columns === undefined) columns = header(cells);
        else if (cells.some((c) => c.trim() !== '')) rows.push({ row, cells, columns });
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(`Not a readable CSV file: ${(error as Error).message}`);
  }
  if (columns === undefined) throw new ImportError('The file is empty: no header row.');
}
