import { type SQL, sql } from 'drizzle-orm';
import { diffRecords } from '../db/audit.js';
import { inList } from '../db/keyset.js';
import { pgGet, pgAll, pgRun } from '../db/pg/query.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { failedPrecondition, type VersionCondition } from '../http/etag.js';
import { type Inconsistencies, preconditionFailed, type Reference } from './checks.js';
import { type IdTable, randomRecordId, RecordExists } from './ids.js';
import { cutoff, type StoredResponse } from './idempotency.js';
import type { EntryContext, Snapshot, VersionedTable } from './records.js';
import { checkPublishedOn, newSource, type SourceFields, type SourceInput, sourceIdFor, updatedSource } from './sources.js';

// The building blocks of writes (records.ts, checks.ts, ids.ts, sources.ts, idempotency.ts) on PostgreSQL:
// the same statements and the same answers, awaited on the write's transaction (src/db/pg/write-transaction.ts).

type Tx = PgWriteContext['tx'];

/** Code-point order, as SQLite's BINARY `order by` (numbers by value). */
const byValue = <T extends string | number>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/** The values of one link table for one record, sorted (records.ts's linkedValues). */
export async function pgLinkedValues<T extends string | number>(
  tx: Tx,
  table: string,
  ownerColumn: string,
  ownerId: string,
  valueColumn: string,
  condition: SQL = sql`true`,
): Promise<T[]> {
  const rows = await pgAll<{ value: T }>(tx, sql`select ${sql.identifier(valueColumn)} as value from ${sql.identifier(table)}
    where ${sql.identifier(ownerColumn)} = ${ownerId} and ${condition}`);
  return rows.map((row) => row.value).sort(byValue);
}

/** Replaces the set of values a record links to in a link table. */
export async function pgReplaceLinks(tx: Tx, table: string, ownerColumn: string, ownerId: string, valueColumn: string, values: readonly (string | number)[]): Promise<void> {
  const t = sql.identifier(table);
  const owner = sql.identifier(ownerColumn);
  await pgRun(tx, sql`delete from ${t} where ${owner} = ${ownerId}`);
  for (const value of values) {
    await pgRun(tx, sql`insert into ${t} (${owner}, ${sql.identifier(valueColumn)}) values (${ownerId}, ${value})`);
  }
}

/** records.ts's finishUpdate: a new version when the snapshot changed, an audit entry when it or `context` did. */
export async function pgFinishUpdate(
  ctx: PgWriteContext,
  target: VersionedTable,
  id: string,
  before: Snapshot,
  snapshot: () => Promise<Snapshot>,
  context?: EntryContext,
): Promise<boolean> {
  const after = await snapshot();
  const changed = Object.keys(diffRecords(before, after)).length > 0;
  if (changed) {
    const updatedAt = target.hasUpdatedAt ? sql`, updated_at = ${new Date().toISOString()}` : sql``;
    await pgRun(ctx.tx, sql`update ${sql.identifier(target.table)} set version = version + 1 ${updatedAt}
      where ${sql.identifier(target.idColumn)} = ${id}`);
  }
  const version = changed ? before.version + 1 : before.version;
  ctx.audit({ entity: target.entity, entityId: id, action: 'update', before: { ...before, ...context?.before }, after: { ...after, ...context?.after, version } });
  return changed;
}

/** Deletes a record and leaves its tombstone. */
export async function pgDeleteAudited(ctx: PgWriteContext, target: VersionedTable, id: string, before: Snapshot): Promise<void> {
  await pgRun(ctx.tx, sql`delete from ${sql.identifier(target.table)} where ${sql.identifier(target.idColumn)} = ${id}`);
  ctx.audit({ entity: target.entity, entityId: id, action: 'delete', before, after: null });
}

/** Counts the rows of `table` whose `column` is `id`. */
export async function pgCountReferences(tx: Tx, table: string, column: string, id: string): Promise<number> {
  return (await pgGet<{ n: number }>(tx, sql`select count(*) as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}`))!.n;
}

/** checks.ts's checkReferences: notes every value the referenced table does not hold. */
export async function pgCheckReferences(tx: Tx, problems: Inconsistencies, field: string, reference: Reference, values: readonly (string | number)[] | undefined): Promise<void> {
  if (values === undefined || values.length === 0) return;
  const column = sql.identifier(reference.column);
  const found = new Set(
    (await pgAll<{ value: string | number }>(tx, sql`select ${column} as value from ${sql.identifier(reference.table)}
      where ${inList(sql`${column}`, values)}`)).map((row) => row.value),
  );
  for (const value of values) {
    if (!found.has(value)) problems.add(field, `Unknown ${reference.what} ${JSON.stringify(value)}${reference.hint}`);
  }
}

/** checks.ts's checkVersion: 412, with the current ETag, when the stored version is not one the preconditions accept. */
export async function pgCheckVersion(tx: Tx, expected: VersionCondition, current: number, what: string, id: string): Promise<void> {
  const failed = failedPrecondition(expected, current);
  if (failed === null) return;
  throw preconditionFailed(failed, what, id, current, await pgCurrentRevision(tx));
}

/** The data revision, in the write's transaction (for a 412's ETag). */
export async function pgCurrentRevision(tx: Tx): Promise<number> {
  const revision = await pgGet<{ value: string }>(tx, sql`select value from meta where key = 'revision'`);
  return revision ? Number(revision.value) : 0;
}

async function exists(tx: Tx, { table, column }: IdTable, id: string): Promise<boolean> {
  return (await pgGet(tx, sql`select 1 from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}`)) !== undefined;
}

/** ids.ts's newRecordId: the prefix and 8 random hex digits. */
export async function pgNewRecordId(tx: Tx, table: IdTable, prefix: string): Promise<string> {
  let id: string;
  do id = randomRecordId(prefix);
  while (await exists(tx, table, id));
  return id;
}

/** ids.ts's claimRecordId: 409 when a record with this id exists already. */
export async function pgClaimRecordId(tx: Tx, table: IdTable, id: string): Promise<string> {
  const stored = await pgGet<{ version: number }>(
    tx,
    sql`select version from ${sql.identifier(table.table)} where ${sql.identifier(table.column)} = ${id}`,
  );
  if (stored !== undefined) throw new RecordExists(table.what, id, Number(stored.version));
  return id;
}

/**
 * sources.ts's upsertSource: the id of the source with this URL, inserted or updated as given. An update
 * changes the documents of the recommendations that cite it.
 */
export async function pgUpsertSource(ctx: PgWriteContext, input: SourceInput, index = 0): Promise<string> {
  checkPublishedOn(input, index);
  const stored = await pgGet<SourceFields & { id: string }>(
    ctx.tx,
    sql`select id, title, publisher, url, published_on as "publishedOn", published_on_precision as "publishedOnPrecision"
      from sources where url = ${input.url}`,
  );
  if (stored) {
    const { id, ...before } = stored;
    const after = updatedSource(before, input);
    if (ctx.audit({ entity: 'sources', entityId: id, action: 'update', before, after })) {
      await pgRun(ctx.tx, sql`update sources set title = ${after.title}, publisher = ${after.publisher},
        url = ${after.url}, published_on = ${after.publishedOn}, published_on_precision = ${after.publishedOnPrecision}
        where id = ${id}`);
      const citing = await pgAll<{ id: string }>(ctx.tx, sql`select id from recommendations where source_id = ${id}
        union select recommendation_id from recommendation_sources where source_id = ${id}`);
      ctx.stale(citing.map((row) => row.id));
    }
    return id;
  }
  const base = sourceIdFor(input.url);
  let id = base;
  for (let n = 2; (await pgGet(ctx.tx, sql`select 1 from sources where id = ${id}`)) !== undefined; n++) id = `${base}-${n}`;
  const fields = newSource(input);
  await pgRun(ctx.tx, sql`insert into sources (id, title, publisher, url, published_on, published_on_precision)
    values (${id}, ${fields.title}, ${fields.publisher}, ${fields.url}, ${fields.publishedOn}, ${fields.publishedOnPrecision})`);
  ctx.audit({ entity: 'sources', entityId: id, action: 'create', before: null, after: fields });
  return id;
}

/** idempotency.ts's findStoredResponse, from the table every instance shares. */
export async function pgFindStoredResponse(tx: Tx, apiKeyId: string, key: string, now = new Date()): Promise<StoredResponse | undefined> {
  return pgGet<StoredResponse>(tx, sql`select request_hash as "requestHash", status_code as "statusCode", location, body
    from idempotency_keys where api_key_id = ${apiKeyId} and key = ${key} and created_at >= ${cutoff(now)}`);
}

/** idempotency.ts's storeResponse. */
export async function pgStoreResponse(tx: Tx, apiKeyId: string, key: string, response: StoredResponse, now = new Date()): Promise<void> {
  await pgRun(tx, sql`delete from idempotency_keys where created_at < ${cutoff(now)}`);
  await pgRun(tx, sql`insert into idempotency_keys (api_key_id, key, request_hash, status_code, location, body, created_at)
    values (${apiKeyId}, ${key}, ${response.requestHash}, ${response.statusCode}, ${response.location}, ${response.body}, ${now.toISOString()})`);
}
