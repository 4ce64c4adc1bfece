import { type SQL, sql } from 'drizzle-orm';
import { diffRecords, type Tx, type WriteContext } from '../db/audit.js';

// Building blocks the write layers share: link tables, snapshots for the audit log, and the version bump
// that ends an update.

type Reader = Pick<Tx, 'all'>;

/** The values of one link table for one record, sorted: a field of the record's audit snapshot. */
export function linkedValues<T extends string | number>(
  tx: Reader,
  table: string,
  ownerColumn: string,
  ownerId: string,
  valueColumn: string,
  condition: SQL = sql`true`,
): T[] {
  return tx
    .all<{ value: T }>(sql`select ${sql.identifier(valueColumn)} as value from ${sql.identifier(table)}
      where ${sql.identifier(ownerColumn)} = ${ownerId} and ${condition} order by 1`)
    .map((row) => row.value);
}

/** Replaces the set of values a record links to in a link table. */
export function replaceLinks(
  tx: Pick<Tx, 'run'>,
  table: string,
  ownerColumn: string,
  ownerId: string,
  valueColumn: string,
  values: readonly (string | number)[],
): void {
  const t = sql.identifier(table);
  const owner = sql.identifier(ownerColumn);
  tx.run(sql`delete from ${t} where ${owner} = ${ownerId}`);
  for (const value of values) {
    tx.run(sql`insert into ${t} (${owner}, ${sql.identifier(valueColumn)}) values (${ownerId}, ${value})`);
  }
}

export type Snapshot = Record<string, unknown> & { version: number };

export interface VersionedTable {
  entity: string; // the resource name in URLs and in the audit log
  table: string;
  idColumn: string;
  hasUpdatedAt: boolean;
}

/** What an update's history entry records beside the record's fields, a change of it alone no new version. */
export type EntryContext = { before: Record<string, unknown>; after: Record<string, unknown> };

/**
 * Ends an update: when the record's snapshot differs from `before`, increments its version (and
 * updated_at) and audits the change. Returns whether anything changed; an update that changes nothing
 * keeps the version and leaves no trace, unless its `context` changed (a curator's fields handed back to the
 * files: src/recommendations/curated-fields.ts), which is recorded without a new version.
 */
export function finishUpdate(
  ctx: WriteContext,
  target: VersionedTable,
  id: string,
  before: Snapshot,
  snapshot: () => Snapshot,
  context?: EntryContext,
): boolean {
  const after = snapshot();
  const changed = Object.keys(diffRecords(before, after)).length > 0;
  if (changed) {
    const updatedAt = target.hasUpdatedAt ? sql`, updated_at = ${new Date().toISOString()}` : sql``;
    ctx.tx.run(sql`update ${sql.identifier(target.table)} set version = version + 1 ${updatedAt}
      where ${sql.identifier(target.idColumn)} = ${id}`);
  }
  const version = changed ? before.version + 1 : before.version;
  ctx.audit({ entity: target.entity, entityId: id, action: 'update', before: { ...before, ...context?.before }, after: { ...after, ...context?.after, version } });
  return changed;
}

/** Audits a creation: the whole new record, as changed from nothing. */
export function auditCreate(ctx: WriteContext, entity: string, id: string, snapshot: Snapshot): void {
  ctx.audit({ entity, entityId: id, action: 'create', before: null, after: snapshot });
}

/** Deletes a record and leaves its tombstone: every field as it was, changed to nothing. */
export function deleteAudited(ctx: WriteContext, target: VersionedTable, id: string, before: Snapshot): void {
  ctx.tx.run(sql`delete from ${sql.identifier(target.table)} where ${sql.identifier(target.idColumn)} = ${id}`);
  ctx.audit({ entity: target.entity, entityId: id, action: 'delete', before, after: null });
}

/** Counts the rows of `table` whose `column` is `id`, for "still referred to" conflicts. */
export function countReferences(tx: Pick<Tx, 'get'>, table: string, column: string, id: string): number {
  return tx.get<{ n: number }>(
    sql`select count(*) as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}`,
  )!.n;
}
