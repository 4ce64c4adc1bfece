// What the copy between SQLite and PostgreSQL carries: every table of the schema, parents before children
// (foreign keys hold at each insert), then the tables derived from the others (read model, stats), which
// are copied as they are rather than rebuilt, so the target answers exactly as the source did.

export const BASE_TABLES = [
  'states',
  'state_aliases',
  'sources',
  'reviews',
  'review_sources',
  'themes',
  'affected_persons_groups',
  'sdg_goals',
  'recommendations',
  'recommendation_states',
  'recommendation_unresolved_states',
  'recommendation_themes',
  'machine_label_rejections',
  'recommendation_curated_fields',
  'recommendation_sdgs',
  'recommendation_affected_persons',
  'recommendation_sources',
  'developments',
  'development_themes',
  'development_recommendations',
  'development_sources',
  'assessments',
  'statements',
  'statement_themes',
  'api_keys',
  'idempotency_keys',
  'audit_log',
  'meta',
] as const;

// SQLite's triggers fill these while the base tables are inserted: the copy into SQLite empties each just
// before copying the source's rows into it. The relations come first: inserting them marks documents stale
// (migrations/0011), which recommendation_documents_stale's own copy then replaces.
export const DERIVED_TABLES = [
  'recommendation_relations',
  'recommendation_relations_stale',
  'recommendation_documents',
  'recommendation_csv_lines',
  'recommendation_documents_stale',
  'stats_dirty',
  'stats_members',
  'stats_review_counts',
  'stats_cycle_counts',
  'stats_value_counts',
] as const;

export const COPY_TABLES: readonly string[] = [...BASE_TABLES, ...DERIVED_TABLES];

// SQLite tables that are no data of their own: the migrator's journal, the FTS5 indexes (rebuilt by
// SQLite's triggers as the base tables are inserted; PostgreSQL's `search` columns are filled after the copy) and the
// stats flush's scratch table (empty outside a flush: migrations/0017_stats_one_pass.sql).
export const isSqliteInternal = (name: string) =>
  name.startsWith('sqlite_') || name === '__drizzle_migrations' || name === 'stats_delta' || /_fts(_|$)/.test(name);

/** PostgreSQL's columns of its own, not copied: the full-text terms (src/db/pg/fulltext.ts fills them). */
export const PG_ONLY_COLUMNS: ReadonlySet<string> = new Set(['recommendations.search', 'developments.search', 'statements.search']);

/** Rows per INSERT and per FETCH: bounds the memory a copy holds, whatever the database's size. */
export const BATCH_ROWS = 500;

/** A copy that cannot or must not proceed, with what to do about it. */
export class CopyError extends Error {
  override name = 'CopyError';
}

/** The target holds records already: the copy only fills an empty database. */
export class TargetNotEmptyError extends CopyError {
  override name = 'TargetNotEmptyError';
  constructor(
    where: string,
    readonly table: string,
  ) {
    super(`${where} is not empty (table ${table} has rows): the copy only fills an empty database`);
  }
}
