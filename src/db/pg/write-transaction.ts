import type pg from 'pg';
import { pgMaterialize } from '../../recommendations/pg-documents.js';
import { pgFlushStats } from '../../stats/pg-aggregates.js';
import { type AuditEntry, diffRecords, storedReason } from '../audit.js';
import { pgFillSearch } from './fulltext.js';
import { NO_STATEMENT_TIMEOUT } from './read-timeout.js';
import { BUMP_REVISION } from './revision.js';

// Every write on PostgreSQL goes through pgWriteTransaction, as every write on SQLite goes through
// writeTransaction (src/db/audit.ts): one transaction that applies the change, rebuilds the stored documents
// it made stale, appends its audit entries and bumps the data revision, or does none of these.
//
// Writers take one transaction-scoped advisory lock in turn, as SQLite's immediate transactions do: so audit
// seqs commit in order (the change feed, which reads up to the largest seq, never skips one that commits
// later), and a write's checks (If-Match, taken ids) hold until it commits, on any instance.

/** The advisory lock every writing transaction holds (an arbitrary constant: "upr" in ASCII). */
export const WRITE_LOCK = 0x757072;

export interface PgWriteContext {
  /** The transaction's connection: every read and write of the change goes through it. */
  tx: pg.PoolClient;
  /** Appends an audit entry for this transaction; returns false (and records nothing) when nothing changed. */
  audit(entry: AuditEntry): boolean;
  /** Marks recommendations whose stored documents the change alters: rebuilt before it commits. */
  stale(ids: Iterable<string>): void;
  /** Rebuilds the documents marked so far now, for a read inside the transaction. */
  freshen(): Promise<void>;
}

export async function pgWriteTransaction<T>(
  pool: Pick<pg.Pool, 'connect'>,
  actor: string,
  write: (context: PgWriteContext) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`begin; ${NO_STATEMENT_TIMEOUT}`); // a write is not cut by the read timeout (read-timeout.ts)
    await client.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    const entries: AuditEntry[] = [];
    const stale = new Set<string>();
    const result = await write({
      tx: client,
      audit(entry) {
        if (entry.action === 'update' && Object.keys(diffRecords(entry.before, entry.after)).length === 0) return false;
        entries.push(entry);
        return true;
      },
      stale(ids) {
        for (const id of ids) stale.add(id);
      },
      async freshen() {
        await pgMaterialize(client, [...stale]);
        stale.clear();
      },
    });
    await pgMaterialize(client, [...stale]);
    await pgFillSearch(client); // the full-text terms of records new or with a new text (fulltext.ts)
    await pgFlushStats(client); // the stats' kept counts (migrations/postgres/0005_stats_aggregates.sql)
    if (entries.length > 0) {
      const { rows } = await client.query<{ value: string }>(BUMP_REVISION);
      const at = new Date().toISOString();
      await client.query(
        `insert into audit_log (entity, entity_id, action, changes, actor, at, revision, reason)
          select entity, entity_id, action, changes, $1, $2, $3, reason
          from jsonb_to_recordset($4::jsonb) as e(n int, entity text, entity_id text, action text, changes text, reason text) order by n`,
        [
          actor,
          at,
          Number(rows[0]!.value),
          JSON.stringify(
            entries.map((entry, n) => ({
              n,
              entity: entry.entity,
              entity_id: entry.entityId,
              action: entry.action,
              changes: JSON.stringify(diffRecords(entry.before, entry.after)),
              reason: storedReason(entry),
            })),
          ),
        ],
      );
    }
    await client.query('commit');
    return result;
  } catch (error) {
    // A connection that cannot roll back is broken: released with the error, the pool drops it.
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
