import type pg from 'pg';
import { pgMaterialize } from '../../recommendations/pg-documents.js';
import { pgRelateWholeStates, pgStateNames, type StaleState, staleRelationStates } from '../../related/pg-freshen.js';
import type { RelateCounts } from '../../related/refresh.js';
import { FILL_SEARCH_ROWS, pgFillSearchBatch } from './fulltext.js';
import { withoutReadTimeout } from './read-timeout.js';
import { BUMP_REVISION } from './revision.js';
import { WRITE_LOCK } from './write-transaction.js';

// What SQLite's open does (src/db/open.ts: freshenRelations, freshenDocuments), on PostgreSQL's start: the
// relations listed stale (migrations/postgres/0010_related_without_recommenders.sql lists them all) are
// recomputed as SQLite's refresh would (src/related/pg-freshen.ts), then every stored document listed stale,
// or missing with its CSV line (a copy of a database whose documents were never built), is rebuilt as a
// write rebuilds it (pgMaterialize), and the full-text terms not filled (every row after migration
// 0014_fts5_terms) are filled (src/db/pg/fulltext.ts). With nothing stale, one query.
//
// Several instances may start at once on one database: the one that takes the FRESHEN_LOCK advisory lock
// does the work while the others wait for it (at most waitMs), then find nothing left to do. The work is
// done in transactions of a bounded size (FRESHEN_BATCHES: states of about 2,000 recommendations, 1,000
// documents), each holding the write lock every writer takes (write-transaction.ts), so instances already
// serving go on writing in between and memory stays bounded; a start stopped half-way leaves the rest
// listed, done by the next. The data revision is bumped once when anything was recomputed or rebuilt: the ETags and
// response caches of the instances already serving are not kept. The bump is marked owed (meta 'revision_owed')
// before the first batch, so that a start killed after the last batch and before the bump leaves it to the next.

/** The advisory lock of the instance bringing the database up to date ("uprf" in ASCII). */
export const FRESHEN_LOCK = 0x75707266;

/** How long a start waits for another instance bringing the database up to date, by default. */
export const FRESHEN_WAIT_MS = 15 * 60_000;

/** How much each transaction does. */
export interface FreshenBatches {
  /** Stored documents rebuilt per transaction. */
  documents: number;
  /** Recommendations of the states recomputed per transaction (a larger state alone). */
  relate: number;
  /** Recommendations, and developments, whose full-text terms are filled per transaction (FILL_SEARCH_ROWS by default). */
  search?: number;
}

export const FRESHEN_BATCHES: FreshenBatches = { documents: 1000, relate: 2000, search: FILL_SEARCH_ROWS };

/** Where progress is said: the app's logger (pino's info), or nothing. */
export interface FreshenLog {
  info(details: Record<string, unknown>, message: string): void;
  /** For what the start finds beside freshening (src/db/pg/backend.ts). */
  warn?(details: Record<string, unknown>, message: string): void;
}

export interface FreshenOptions {
  log?: FreshenLog;
  /** How long to wait for another instance doing the work (FRESHEN_WAIT_MS by default). */
  waitMs?: number;
  /** Smaller transactions (tests). */
  batches?: FreshenBatches;
}

/** What a start found stale. */
export interface Pending {
  staleDocuments: number;
  missingDocuments: number;
  staleRelations: boolean;
  /** Recommendations and developments whose full-text terms are not filled (src/db/pg/fulltext.ts). */
  unfilledSearch: number;
  /** A start stopped after its last batch committed and before its bump left the bump owed (meta 'revision_owed'). */
  revisionOwed: boolean;
}

/** What a start did: undefined when nothing was stale, or another instance had done it. */
export interface FreshenReport {
  relations: RelateCounts;
  documents: number;
  /** Recommendations and developments whose full-text terms were filled. */
  search: number;
  seconds: number;
}

/**
 * What is stale, in one query. A document and a CSV row are keyed by their recommendation's id and reference
 * it: as many of each as there are recommendations means one for each. Three counts cost a fraction of the
 * anti-joins over every recommendation they replace (1.9–4.9 s against 50–160 ms at 100k on the busy
 * machine), most of a cold start.
 */
export async function pendingWork(client: Pick<pg.Pool, 'query'>): Promise<Pending> {
  const { rows } = await client.query<Pending>(`select
    (select count(*)::int from recommendation_documents_stale) as "staleDocuments",
    (select count(*)::int from recommendations) - least((select count(*)::int from recommendation_documents),
      (select count(*)::int from recommendation_csv_lines)) as "missingDocuments",
    exists (select 1 from recommendation_relations_stale) as "staleRelations",
    (select count(*)::int from recommendations where search is null)
      + (select count(*)::int from developments where search is null)
      + (select count(*)::int from statements where search is null) as "unfilledSearch",
    exists (select 1 from meta where key = 'revision_owed') as "revisionOwed"`);
  return rows[0]!;
}

const nothingPending = (p: Pending) =>
  p.staleDocuments === 0 && p.missingDocuments === 0 && !p.staleRelations && p.unfilledSearch === 0 && !p.revisionOwed;

/** Runs `work` in a transaction on `client` holding the write lock. */
async function inWriteTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

const since = (started: number) => Math.round(performance.now() - started) / 1000;

/** Consecutive runs of items whose sizes add up to `size` or just past it. */
function batches<T>(items: T[], sizeOf: (item: T) => number, size: number): T[][] {
  const result: T[][] = [];
  let batch: T[] = [];
  let filled = 0;
  for (const item of items) {
    batch.push(item);
    filled += sizeOf(item);
    if (filled < size) continue;
    result.push(batch);
    batch = [];
    filled = 0;
  }
  if (batch.length > 0) result.push(batch);
  return result;
}

async function freshenRelations(client: pg.PoolClient, sizes: FreshenBatches, log: FreshenLog | undefined): Promise<RelateCounts> {
  const started = performance.now();
  const counts: RelateCounts = { states: 0, recommendations: 0, inserted: 0, updated: 0, deleted: 0 };
  const states = await staleRelationStates(client);
  const stale = states.reduce((n, state) => n + state.stale, 0);
  log?.info({ states: states.length, staleRecommendations: stale }, 'PostgreSQL: recomputing the relations listed stale');
  for (const batch of batches(states, (state: StaleState) => state.recommendations, sizes.relate)) {
    await inWriteTransaction(client, async () =>
      pgRelateWholeStates(
        client,
        batch.map((state) => state.state),
        await pgStateNames(client),
        counts,
      ),
    );
    log?.info({ ...counts, of: states.length, seconds: since(started) }, 'PostgreSQL: relations recomputed so far');
  }
  // The marks of recommendations deleted since they were listed (their relations went with them).
  await client.query('delete from recommendation_relations_stale s where not exists (select 1 from recommendations r where r.id = s.recommendation_id)');
  return counts;
}

async function freshenDocuments(client: pg.PoolClient, missing: number, size: number, log: FreshenLog | undefined): Promise<number> {
  const started = performance.now();
  if (missing > 0) {
    // Listed with the stale ones (one anti-join), so that a start stopped half-way leaves them listed.
    await client.query(`insert into recommendation_documents_stale (recommendation_id) select r.id from recommendations r
      where not exists (select 1 from recommendation_documents d where d.recommendation_id = r.id)
        or not exists (select 1 from recommendation_csv_lines c where c.recommendation_id = r.id)
      on conflict do nothing`);
  }
  const total = (await client.query<{ n: number }>('select count(*)::int as n from recommendation_documents_stale')).rows[0]!.n;
  log?.info({ documents: total, missing }, 'PostgreSQL: rebuilding the stored documents listed stale or missing');
  let done = 0;
  for (;;) {
    const rebuilt = await inWriteTransaction(client, async () => {
      const { rows } = await client.query<{ id: string }>(`select recommendation_id as id from recommendation_documents_stale
        order by recommendation_id collate "C" limit $1`, [size]);
      const ids = rows.map((row) => row.id);
      await pgMaterialize(client, ids);
      await client.query('delete from recommendation_documents_stale where recommendation_id = any($1::text[])', [ids]);
      return ids.length;
    });
    if (rebuilt === 0) break;
    const before = done;
    done += rebuilt;
    if (Math.floor(done / 10_000) > Math.floor(before / 10_000) || rebuilt < size) {
      log?.info({ documents: done, of: total, seconds: since(started) }, 'PostgreSQL: stored documents rebuilt so far');
    }
  }
  return done;
}

/** Fills the full-text terms not filled (all of them after migration 0014_fts5_terms), `size` rows a transaction. */
async function fillSearch(client: pg.PoolClient, total: number, size: number, log: FreshenLog | undefined): Promise<number> {
  const started = performance.now();
  log?.info({ rows: total }, 'PostgreSQL: filling the full-text terms of recommendations, developments and statements');
  let done = 0;
  for (;;) {
    const filled = await inWriteTransaction(client, () => pgFillSearchBatch(client, size));
    if (filled === 0) return done;
    done += filled;
    log?.info({ rows: done, of: total, seconds: since(started) }, 'PostgreSQL: full-text terms filled so far');
  }
}

/** freshenPostgres's work, holding FRESHEN_LOCK. */
async function freshenLocked(
  client: pg.PoolClient,
  started: number,
  sizes: FreshenBatches,
  log: FreshenLog | undefined,
): Promise<FreshenReport | undefined> {
  const pending = await pendingWork(client);
  if (nothingPending(pending)) {
    log?.info({ seconds: since(started) }, 'PostgreSQL: stale relations and documents already brought up to date by another instance');
    return undefined;
  }
  log?.info({ ...pending }, 'PostgreSQL: bringing stale relations and stored documents up to date');
  // The bump is owed from the first batch's commit on, and kept owed in meta until it is made: a start killed
  // between the last batch's commit and the bump's left nothing listed, and the next one did not bump.
  await client.query(`insert into meta (key, value) values ('revision_owed', '1') on conflict (key) do nothing`);
  const relations = pending.staleRelations
    ? await freshenRelations(client, sizes, log)
    : { states: 0, recommendations: 0, inserted: 0, updated: 0, deleted: 0 };
  const documents = await freshenDocuments(client, pending.missingDocuments, sizes.documents, log);
  const search = pending.unfilledSearch > 0 ? await fillSearch(client, pending.unfilledSearch, sizes.search ?? FILL_SEARCH_ROWS, log) : 0;
  await inWriteTransaction(client, async () => {
    await client.query(BUMP_REVISION);
    await client.query(`delete from meta where key = 'revision_owed'`);
  });
  const report = { relations, documents, search, seconds: since(started) };
  log?.info({ ...report }, 'PostgreSQL: stale relations and stored documents brought up to date');
  return report;
}

/**
 * Brings the relations and stored documents listed stale (or missing) up to date, once among the instances
 * starting on the database: see above. Resolves when nothing is left stale; fails when another instance
 * held the work longer than waitMs, or a statement failed (what was committed stays done).
 */
export async function freshenPostgres(pool: pg.Pool, options: FreshenOptions = {}): Promise<FreshenReport | undefined> {
  const { log, waitMs = FRESHEN_WAIT_MS, batches: sizes = FRESHEN_BATCHES } = options;
  if (nothingPending(await withoutReadTimeout(pool, pendingWork))) return undefined;
  const started = performance.now();
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // Waits (for the lock below, and for the write lock of each transaction) up to waitMs, not DATABASE_BUSY_TIMEOUT_MS.
    // No read timeout (PG_READ_TIMEOUT_MS): the work is bounded by its batches, and cutting it would only lose it.
    await client.query(`select set_config('lock_timeout', $1, false), set_config('statement_timeout', '0', false)`, [
      `${Math.max(1, Math.round(waitMs))}ms`,
    ]);
    const { rows } = await client.query<{ taken: boolean }>('select pg_try_advisory_lock($1) as taken', [FRESHEN_LOCK]);
    if (!rows[0]!.taken) {
      log?.info({ waitMs }, 'PostgreSQL: another instance is bringing stale relations and documents up to date: waiting for it');
      await client.query('select pg_advisory_lock($1)', [FRESHEN_LOCK]).catch((error: Error & { code?: string }) => {
        if (error.code !== '55P03') throw error; // lock_not_available
        throw new Error(
          `another instance has been bringing the stale relations and stored documents up to date for more than ${waitMs} ms: ` +
            'start this one again once it is done',
        );
      });
    }
    const report = await freshenLocked(client, started, sizes, log);
    await client.query('select pg_advisory_unlock($1)', [FRESHEN_LOCK]);
    await client.query('reset lock_timeout; reset statement_timeout');
    return report;
  } catch (error) {
    // The connection is dropped, not returned: its session lock and settings go with it.
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
