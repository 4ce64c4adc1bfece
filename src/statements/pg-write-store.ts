import type pg from 'pg';
import { pgWriteHandlers } from '../curation/pg-http.js';
import { pgGetStatement } from './pg-queries.js';
import { pgCreateStatement, pgDeleteStatement, pgUpdateStatement } from './pg-writes.js';
import type { StatementWrites } from './write-store.js';
import type { StatementCreate, StatementPatch } from './writes.js';

// The statements' writes on PostgreSQL (write-store.ts): pg-writes.ts in a pgWriteTransaction, the answer read
// as GET reads it.

export function pgStatementWrites(pool: pg.Pool): StatementWrites {
  return {
    handlers: pgWriteHandlers<StatementCreate, StatementPatch, NonNullable<Awaited<ReturnType<typeof pgGetStatement>>>>(pool, {
      entity: 'statements',
      create: pgCreateStatement,
      update: pgUpdateStatement,
      remove: pgDeleteStatement,
      read: pgGetStatement,
    }),
  };
}
