import type pg from 'pg';
import type { CopyReport } from '../db/copy/copy.js';
import { copyScope, copyVocabularies, fileScope } from './pg-import-scope.js';
import { inScratchTransaction, writeThroughScratch } from './pg-scratch.js';
import { applyRead, readImport } from './run.js';
import type { ImportOptions, ImportReport, ImportSource } from './types.js';

// An import on PostgreSQL (DATABASE_URL) runs the SQLite import unchanged, on a scratch SQLite file holding
// what the import can read, and writes what it changed into PostgreSQL (pg-scratch.ts): so its checks, ids,
// versions, audit entries, stored documents, CSV lines, relations and machine labels are SQLite's to the byte,
// with no second implementation.
//
// Under the write lock every writer takes (src/db/pg/write-transaction.ts), in one transaction: the
// vocabularies are copied into the scratch file and the file is read against them; then the rows the import
// can read, given what the file names (pg-import-scope.ts: the states under review's records and what hangs on
// them), are copied; that file is kept as it was, the import runs on the scratch file, and each table's
// differences between the two (rows gone, rows new or changed, by primary key; the audit entries appended) are
// written into PostgreSQL. Nothing else writes meanwhile, so the copy is what the differences apply to;
// anything failing rolls all of it back. The cost is the file's and its states', not the database's.
//
// A dry run writes nothing, so it takes no write lock (which made other writers wait for it, then fail with
// 503, for as long as it read): it reads in one REPEATABLE READ transaction, whose statements all see the
// database as it was at the first (the copy is as consistent as under the lock), and rolls back. Its report
// is what the import would have done at that moment, as if it had run then; writes committed meanwhile are
// not in it, as they would not be in a dry run that had finished before them.

export interface PgImportTarget {
  pool: Pick<pg.Pool, 'connect'>;
  /** Called with the rows copied into the scratch file, per table (how much of the database an import read). */
  onCopied?: (copied: CopyReport) => void;
  /** Awaited in the import's transaction once the file is read (`read`: the vocabularies copied, the rest not
   * yet) and once it has run on the scratch file (`applied`: nothing written yet, or for a dry run, not yet
   * rolled back): tests hold the transaction open there. */
  pause?: (at: 'read' | 'applied') => Promise<void>;
}

export async function pgImportFile(target: PgImportTarget, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false;
  return inScratchTransaction(target.pool, dryRun, async (scratch) => {
    const { client, db } = scratch;
    const copied: CopyReport = {};
    await copyVocabularies(client, db.$client, copied);
    const parsed = await readImport(db, source, options);
    await target.pause?.('read');
    await copyScope(client, db.$client, fileScope(parsed, db.$client), copied);
    target.onCopied?.(copied);
    if (dryRun) {
      const report = applyRead(db, parsed, options); // rolled back in the scratch file: nothing to write
      await target.pause?.('applied');
      return report;
    }
    return writeThroughScratch(scratch, async () => {
      const report = applyRead(db, parsed, options);
      await target.pause?.('applied');
      return report;
    });
  });
}
