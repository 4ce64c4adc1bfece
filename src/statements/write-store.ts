import { sqliteWriteHandlers, type WriteHandlers } from '../curation/http.js';
import type { Db } from '../db/open.js';
import { getStatement } from './queries.js';
import type { StatementRecord } from './schemas.js';
import { createStatement, deleteStatement, statementCreateSchema, statementPatchSchema, updateStatement } from './writes.js';

// The seam between the statements' write routes (write-routes.ts) and a database: SQLite's handlers here,
// around writes.ts in a writeTransaction; PostgreSQL's in pg-write-store.ts. buildApp picks one.

export interface StatementWrites {
  /** POST /statements, PATCH and DELETE /statements/{id}. */
  handlers: WriteHandlers;
}

export function sqliteStatementWrites(db: Db): StatementWrites {
  return {
    handlers: sqliteWriteHandlers<typeof statementCreateSchema, typeof statementPatchSchema, StatementRecord>(db, {
      entity: 'statements',
      param: { name: 'id' },
      read: (id) => getStatement(db, id),
      create: createStatement,
      update: updateStatement,
      remove: deleteStatement,
    }),
  };
}
