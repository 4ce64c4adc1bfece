import type pg from 'pg';
import { pgCreateRecord, pgDeleteRecord, pgUpdateRecord } from '../curation/pg-http.js';
import { pgGetStatement } from './pg-queries.js';
import { pgCreateStatement, pgDeleteStatement, pgUpdateStatement } from './pg-writes.js';
import type { StatementWrites } from './write-store.js';
import type { StatementCreate, StatementPatch } from './writes.js';

// The statements' writes on PostgreSQL (write-store.ts): pg-writes.ts in a pgWriteTransaction, the answer read
// as GET reads it.

export function pgStatementWrites(pool: pg.Pool): StatementWrites {
  const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;
  return {
    handlers: {
      create: (request, reply) =>
        pgCreateRecord(pool, request, reply, {
          entity: 'statements',
          create: (context) => pgCreateStatement(context, request.body as StatementCreate),
          read: pgGetStatement,
        }),
      update: (request, reply) =>
        pgUpdateRecord(
          pool,
          request,
          reply,
          (context, expected) => pgUpdateStatement(context, idOf(request), request.body as StatementPatch, expected),
          () => pgGetStatement(pool, idOf(request)),
        ),
      remove: (request, reply) => pgDeleteRecord(pool, request, reply, (context, expected) => pgDeleteStatement(context, idOf(request), expected)),
    },
  };
}
