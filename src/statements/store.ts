import type { KeysetSort } from '../db/keyset.js';
import type { Db } from '../db/open.js';
import { type ReadStore, sqliteReadStore } from '../db/read-store.js';
import { statementCsvColumns } from './csv.js';
import { getStatement, listStatements, pageStatements, statementExportChunks, type StatementRow } from './queries.js';
import type { StatementFilter, StatementRecord } from './schemas.js';

// The statements' store (src/db/read-store.ts): SQLite's reads queries.ts; PostgreSQL's is pg-queries.ts.

export type StatementStore = ReadStore<StatementFilter, StatementRecord, KeysetSort<StatementRow>>;

export const STATEMENT_LIST = { resource: 'statements', columns: statementCsvColumns };

export function sqliteStatementStore(db: Db): StatementStore {
  return sqliteReadStore(db, STATEMENT_LIST, {
    page: pageStatements,
    list: listStatements,
    get: getStatement,
    chunks: statementExportChunks,
  });
}
