import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../db/audit.js';
import { HttpProblem } from '../http/problem.js';

// Record ids: chosen by the client on create (to keep the ids of its own data set) or made by the server.
// Ids are URL-safe without escaping: letters, digits and . _ ~ -, starting with a letter or a digit.

/** The longest record id: a path parameter longer than this is a 414 (src/app.ts's maxParamLength). */
export const MAX_RECORD_ID = 200;

export const recordIdSchema = z
  .string()
  .min(1, { abort: true }) // an empty id: that error alone, not the pattern's too
  .max(MAX_RECORD_ID)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._~-]*$/, 'Use letters, digits, ".", "_", "~" and "-", starting with a letter or a digit')
  .describe('The id to create the record under (URL-safe); omit it to let the server make one.');

/** Turns free text into a fragment of an id: "6.1 (a)" → "6.1-a". */
export function idFragment(text: string): string {
  return text.replace(/[^A-Za-z0-9._~-]+/g, '-').replace(/^[-.~_]+|[-.~_]+$/g, '');
}

export interface IdTable {
  table: string;
  column: string;
  what: string; // "Recommendation", for messages
}

function exists(tx: Pick<Tx, 'get'>, { table, column }: IdTable, id: string): boolean {
  return tx.get(sql`select 1 from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}`) !== undefined;
}

/**
 * A new id made of `prefix`: the prefix and 8 random hex digits, e.g. KGZ-3-5f2a9c01; the prefix cut so that
 * the id is at most MAX_RECORD_ID characters (an assessment's is its recommendation's id and a date: of a
 * recommendation id of 200 characters, an id that no URL could name).
 */
export function randomRecordId(prefix: string): string {
  return `${prefix.slice(0, MAX_RECORD_ID - 9)}-${randomBytes(4).toString('hex')}`;
}

/** A new id: randomRecordId's, not taken yet. */
export function newRecordId(tx: Pick<Tx, 'get'>, table: IdTable, prefix: string): string {
  let id: string;
  do id = randomRecordId(prefix);
  while (exists(tx, table, id));
  return id;
}

/** The 409 of a create whose id is taken: the record stored, at its version (a create's If-None-Match reads it). */
export class RecordExists extends HttpProblem {
  constructor(
    readonly what: string,
    readonly id: string,
    readonly version: number,
  ) {
    super(409, `${what} "${id}" already exists; change it with PATCH, or create the record under another id.`);
  }
}

/** 409 when a record with this id exists already. */
export function claimRecordId(tx: Pick<Tx, 'get'>, table: IdTable, id: string): string {
  const stored = tx.get<{ version: number }>(sql`select version from ${sql.identifier(table.table)} where ${sql.identifier(table.column)} = ${id}`);
  if (stored !== undefined) throw new RecordExists(table.what, id, stored.version);
  return id;
}
