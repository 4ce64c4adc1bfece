import { getTableName, sql } from 'drizzle-orm';
import type { Db } from './open.js';
import { materializeStale } from '../recommendations/documents.js';
import { startStaleRelations } from '../related/refresh.js';
import { bumpRevision } from './revision.js';
import type { ChangeReason } from '../changes/schemas.js';
import { type AuditAction, auditLog } from './schema.js';

// Every write to curated data goes through writeTransaction: one synchronous, immediate transaction that
// applies the change, appends its audit entries and bumps the data revision, or does none of these.

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface AuditEntry {
  entity: string; // the resource name used in URLs: recommendations, developments, …
  entityId: string;
  action: AuditAction;
  before: Record<string, unknown> | null; // null on create
  after: Record<string, unknown> | null; // null on delete
  /** Why, when the writer says more than the actor does (an import's split of a record by paragraph). */
  reason?: ChangeReason;
}

/** An entry's reason as the audit log stores it (JSON text, null when none is given). */
export const storedReason = (entry: AuditEntry): string | null => (entry.reason === undefined ? null : JSON.stringify(entry.reason));

export interface WriteContext {
  tx: Tx;
  /** Appends an audit entry for this transaction; returns false (and records nothing) when nothing changed. */
  audit(entry: AuditEntry): boolean;
}

/** The fields that differ between two versions of a record, as { field: { before, after } }. */
export function diffRecords(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  if (before === null && after !== null) {
    // A creation (an import makes tens of thousands): every field that is not null, without comparing.
    for (const key of Object.keys(after)) {
      const a = after[key] ?? null;
      if (a !== null && (typeof a !== 'number' || Number.isFinite(a))) changes[key] = { before: null, after: a };
    }
    return changes;
  }
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    const b = before?.[key] ?? null;
    const a = after?.[key] ?? null;
    if (JSON.stringify(b) !== JSON.stringify(a)) changes[key] = { before: b, after: a };
  }
  return changes;
}

/** Audit entries inserted per statement. */
const AUDIT_ROWS = 100;

/**
 * Runs `write` in one immediate transaction, with its audit entries, relations and documents; `settle`, when
 * given, runs after these, still in the transaction, and its result is returned: what reads the records as the
 * write leaves them (a create's answer, stored for its Idempotency-Key).
 */
export function writeTransaction<T, R = T>(db: Db, actor: string, write: (context: WriteContext) => T, settle?: (result: T, tx: Tx) => R): R {
  return db.transaction(
    (tx) => {
      const entries: AuditEntry[] = [];
      const result = write({
        tx,
        audit(entry) {
          if (entry.action === 'update' && Object.keys(diffRecords(entry.before, entry.after)).length === 0) return false;
          entries.push(entry);
          return true;
        },
      });
      // Relations of recommendations whose text this write changed (src/related/), then the read model:
      // documents this write made stale are rebuilt before it commits. The states recomputed whole are
      // computed in a worker thread while this one bumps the revision (the stats flush) and appends the
      // audit entries, which neither read nor change what relations and documents are built from.
      const relations = startStaleRelations(db);
      if (entries.length > 0) {
        const revision = bumpRevision(tx);
        const at = new Date().toISOString();
        // Prepared statements on the same connection (inside this transaction), AUDIT_ROWS entries a
        // statement: a bulk import appends tens of thousands of entries, and the query builder cost several
        // times the insert itself, a call per entry a third more than the insert. In order (seq follows it).
        const insert = (rows: number) =>
          db.$client.prepare(`insert into ${getTableName(auditLog)} (entity, entity_id, action, changes, actor, at, revision, reason)
            values ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
        const many = entries.length >= AUDIT_ROWS ? insert(AUDIT_ROWS) : undefined;
        for (let i = 0; i < entries.length; i += AUDIT_ROWS) {
          const chunk = entries.slice(i, i + AUDIT_ROWS);
          const values = chunk.flatMap((entry) => [
            entry.entity,
            entry.entityId,
            entry.action,
            JSON.stringify(diffRecords(entry.before, entry.after)),
            actor,
            at,
            revision,
            storedReason(entry),
          ]);
          (chunk.length === AUDIT_ROWS ? many! : insert(chunk.length)).run(values);
        }
      }
      relations();
      const documents = { rewritten: 0 };
      materializeStale(db, documents);
      // A write that no audit entry records can still change what a document shows (an import's new reading
      // of a source whose answer did not win the merge): the revision moves with it all the same, so that no
      // cached list or ETag of the old document is served or confirmed (304) again.
      if (entries.length === 0 && documents.rewritten > 0) bumpRevision(tx);
      return settle === undefined ? (result as unknown as R) : settle(result, tx);
    },
    { behavior: 'immediate' },
  );
}

/** The latest audit sequence number: a position in the change feed. */
export function latestChangeSeq(db: Db): number {
  return db.get<{ seq: number | null }>(sql`select max(seq) as seq from audit_log`)!.seq ?? 0;
}
