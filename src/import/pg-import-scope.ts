import type Database from 'better-sqlite3';
import type pg from 'pg';
import { type CopyReport, shapeOf, toSqlite } from '../db/copy/copy.js';
import { BATCH_ROWS, COPY_TABLES, DERIVED_TABLES } from '../db/copy/tables.js';
import { assignIds } from './apply.js';
import type { ParsedFile } from './types.js';

// What an import on PostgreSQL copies into its scratch SQLite file (src/import/pg-import.ts): only the rows
// the SQLite import can read or change, so that its cost is the import's, not the database's.
//
// - Before the file is read: the vocabularies and reviews it is read against (VOCABULARIES), whole.
// - Then, from what the file holds: every recommendation of each STATE IN SCOPE with all that hangs on it
//   (links, citations, assessments, the developments citing it, its relations, document, CSV line and stats
//   membership). A state is in scope when the file names one of its reviews or a recommendation id stored
//   under it, or when one of its recommendations waits in a stale list (documents, relations, stats): the
//   relations are computed over a state under review's recommendations at once (src/related/refresh.ts),
//   and reconciling, tagging and the stats read nothing outside the recommendations they touch.
// - The sources the file names (by id or URL) and those the copied rows cite; the reviews' cited sources.
// - The pending lists (stale documents and relations, stats_dirty) and the stats' totals per cycle and per
//   value, whole: a flush adds to and takes from them (migrations/0004_stats_aggregates.sql).
// - One bare recommendation, one bare development and one bare statement: those with the highest fts_rowid,
//   which new records are numbered after.
// - For `npm run seed` (seed/postgres.ts, which runs the SQLite seed the same way): the developments and
//   statements it names with their themes and sources (FileScope's developmentIds, statementIds).
// - The deletions (tombstones in the audit log) of the recommendations the file gives: not created again.
// Nothing else is read by an import: the audit log is otherwise only appended to, keys and statements are not read.

/** Copied whole before the file is read: what the format readers look up (src/import/states.ts, ohchr-*.ts). */
export const VOCABULARIES = ['states', 'state_aliases', 'reviews', 'themes', 'affected_persons_groups', 'sdg_goals'];

const IN_SCOPE = 'recommendation_id in (select id from import_recommendations)';
const STATE_REVIEWS = 'review_id in (select id from reviews where state_code in (select code from import_states))';

/** The rows of each table the import can read, once the scope's temporary tables are filled; absent: none. */
const SCOPED: Record<string, string> = {
  sources: 'id in (select id from import_sources)',
  review_sources: STATE_REVIEWS,
  recommendations: `id in (select id from import_recommendations)
    or fts_rowid = (select max(fts_rowid) from recommendations)`,
  recommendation_states: IN_SCOPE,
  recommendation_unresolved_states: IN_SCOPE,
  recommendation_themes: IN_SCOPE,
  machine_label_rejections: IN_SCOPE,
  recommendation_curated_fields: IN_SCOPE,
  recommendation_sdgs: IN_SCOPE,
  recommendation_affected_persons: IN_SCOPE,
  recommendation_sources: IN_SCOPE,
  developments: `id in (select development_id from development_recommendations where ${IN_SCOPE})
    or id in (select id from import_developments) or fts_rowid = (select max(fts_rowid) from developments)`,
  development_themes: 'development_id in (select id from import_developments)',
  development_recommendations: IN_SCOPE,
  development_sources: 'development_id in (select id from import_developments)',
  assessments: IN_SCOPE,
  statements: `id in (select id from import_statements)
    or fts_rowid = (select max(fts_rowid) from statements)`,
  statement_themes: 'statement_id in (select id from import_statements)',
  meta: 'true',
  // The tombstones of the records the file gives: a record someone deleted is not created again (apply.ts).
  audit_log: "entity = 'recommendations' and action = 'delete' and entity_id in (select id from import_file_recommendations)",
  recommendation_relations: `${IN_SCOPE} and related_id in (select id from import_recommendations)`,
  recommendation_relations_stale: 'true',
  recommendation_documents: `${IN_SCOPE} or recommendation_id in (select recommendation_id from recommendation_documents_stale)`,
  recommendation_csv_lines: `${IN_SCOPE} or recommendation_id in (select recommendation_id from recommendation_documents_stale)`,
  recommendation_documents_stale: 'true',
  stats_dirty: 'true',
  stats_members: `${IN_SCOPE} or recommendation_id in (select recommendation_id from stats_dirty)`,
  stats_review_counts: STATE_REVIEWS,
  stats_cycle_counts: 'true',
  stats_value_counts: 'true',
};

/** What the file read names: its reviews' states, its records' ids, its sources' ids and URLs. */
export interface FileScope {
  states: string[];
  recommendationIds: string[];
  sourceIds: string[];
  sourceUrls: string[];
  /**
   * Developments and statements copied with all that hangs on them (themes, sources), beside those of the
   * states in scope: what `npm run seed` writes (seed/postgres.ts). An import writes neither.
   */
  developmentIds?: string[];
  statementIds?: string[];
}

/** The scope of a file read by readImport, with the states of its reviews as the scratch database stores them. */
export function fileScope(parsed: ParsedFile, scratch: Database.Database): FileScope {
  const reviewIds = new Set([...parsed.reviews.map((r) => r.id), ...parsed.records.map((r) => r.reviewId)]);
  const stored = scratch
    .prepare('select state_code from reviews where id in (select value from json_each(?))')
    .pluck()
    .all(JSON.stringify([...reviewIds])) as string[];
  const sourceIds = [...parsed.sources.map((s) => s.id), ...parsed.records.flatMap((r) => (r.sourceId ? [r.sourceId] : []))];
  return {
    states: [...new Set([...stored, ...parsed.reviews.map((r) => r.stateCode)])],
    recommendationIds: assignIds(parsed.records).records.map((r) => r.id),
    sourceIds: [...new Set(sourceIds)],
    sourceUrls: [...new Set(parsed.sources.map((s) => s.url))],
  };
}

/** Fills the transaction's temporary tables import_states, import_recommendations, import_file_recommendations, import_developments, import_statements and import_sources. */
async function fillScope(client: pg.PoolClient, scope: FileScope): Promise<void> {
  await client.query(`create temporary table import_states on commit drop as
    select unnest($1::text[]) as code
    union select v.state_code from recommendations r join reviews v on v.id = r.review_id where r.id = any($2::text[])
    union select v.state_code from recommendations r join reviews v on v.id = r.review_id where r.id in (
      select recommendation_id from stats_dirty union select recommendation_id from recommendation_documents_stale
      union select recommendation_id from recommendation_relations_stale
      union select l.recommendation_id from recommendation_relations l
        join recommendation_relations_stale s on s.recommendation_id = l.related_id)`, [scope.states, scope.recommendationIds]);
  await client.query(`create temporary table import_recommendations on commit drop as
    select r.id from recommendations r join reviews v on v.id = r.review_id where v.state_code in (select code from import_states)`);
  await client.query('alter table import_recommendations add primary key (id)');
  await client.query('create temporary table import_file_recommendations on commit drop as select unnest($1::text[]) as id', [scope.recommendationIds]);
  await client.query('create temporary table import_developments on commit drop as select id from developments where id = any($1::text[])', [
    scope.developmentIds ?? [],
  ]);
  await client.query('create temporary table import_statements on commit drop as select id from statements where id = any($1::text[])', [
    scope.statementIds ?? [],
  ]);
  await client.query(`create temporary table import_sources on commit drop as
    select id from sources where id = any($1::text[]) or url = any($2::text[])
    union select source_id from recommendations where source_id is not null and (
      id in (select id from import_recommendations) or fts_rowid = (select max(fts_rowid) from recommendations))
    union select source_id from recommendation_sources where ${IN_SCOPE}
    union select source_id from assessments where ${IN_SCOPE}
    union select source_id from review_sources where ${STATE_REVIEWS}
    union select source_id from development_sources where development_id in (select id from import_developments)
    union select source_id from statements where id in (select id from import_statements)
      or fts_rowid = (select max(fts_rowid) from statements)`, [scope.sourceIds, scope.sourceUrls]);
  // Their sizes, so that the planner looks the rows in scope up by index rather than reading whole tables.
  await client.query('analyze import_states, import_recommendations, import_file_recommendations, import_sources, import_developments, import_statements');
}

const quote = (name: string) => `"${name}"`;
const DERIVED: ReadonlySet<string> = new Set(DERIVED_TABLES);

/** Copies a table's rows matching `where`, BATCH_ROWS at a time, from the client's transaction into SQLite. */
async function copyRows(client: pg.PoolClient, sqlite: Database.Database, table: string, where: string, copied: CopyReport): Promise<void> {
  // SQLite's triggers have filled the derived tables (and meta's revision) from the rows copied before: the
  // source's rows replace them, as in npm run db:copy.
  if (table === 'meta' || DERIVED.has(table)) sqlite.exec(`delete from ${quote(table)}`);
  const shape = await shapeOf(sqlite, client, table);
  const list = shape.columns.map(quote).join(', ');
  const insert = sqlite.prepare(`insert into ${quote(table)} (${list}) values (${shape.columns.map(() => '?').join(', ')})`);
  await client.query(`declare import_rows no scroll cursor for select ${list} from ${quote(table)} where ${where} order by ${shape.orderBy}`);
  let rows = 0;
  for (;;) {
    const batch = await client.query<unknown[]>({ text: `fetch ${BATCH_ROWS} from import_rows`, rowMode: 'array' });
    if (batch.rows.length === 0) break;
    for (const row of batch.rows) insert.run(toSqlite(shape, row));
    rows += batch.rows.length;
  }
  await client.query('close import_rows');
  copied[table] = rows;
}

/** The vocabularies, copied whole into the scratch database (one SQLite transaction; a failure abandons the file). */
export async function copyVocabularies(client: pg.PoolClient, sqlite: Database.Database, copied: CopyReport): Promise<void> {
  sqlite.exec('begin immediate');
  for (const table of VOCABULARIES) await copyRows(client, sqlite, table, 'true', copied);
  sqlite.exec('commit');
}

/** The rest of what the import can read, in copy order (parents first), given the file's scope. */
export async function copyScope(client: pg.PoolClient, sqlite: Database.Database, scope: FileScope, copied: CopyReport): Promise<void> {
  await fillScope(client, scope);
  sqlite.exec('begin immediate');
  for (const table of COPY_TABLES) {
    const where = SCOPED[table];
    if (where !== undefined) await copyRows(client, sqlite, table, where, copied);
  }
  sqlite.exec('commit');
}
