import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  API_KEY_SCOPES,
  AUDIT_ACTIONS,
  CURATED_FIELDS,
  DATE_PRECISIONS,
  DIRECTIONS,
  IMPLEMENTATION_STATUSES,
  LABEL_SCHEMES,
  LABEL_SOURCES,
  POSITIONS,
  REGIONAL_GROUPS,
  RELATIONS,
  STATEMENT_STAGES,
} from '../schema.js';
import { RECURRENCE_THRESHOLD } from '../../related/settings.js';

// The PostgreSQL schema: every table of the SQLite schema (src/db/schema.ts), same names, same columns, same
// keys, so a database copies across row for row (src/db/copy/). Migrations: migrations/postgres, generated
// with `npx drizzle-kit generate --config drizzle.pg.config.ts`. What differs, and why:
// - The checks that SQLite makes with BEFORE INSERT/UPDATE triggers (migrations/0005, 0006) are CHECK
//   constraints here, with the same names: PostgreSQL adds one without rebuilding the table.
// - Full text: a tsvector column of FTS5's terms (src/db/pg/fulltext.ts) with a GIN index on recommendations and
//   developments replaces the FTS5 tables and their triggers; it is PostgreSQL's alone, not copied
//   (src/db/copy/tables.ts). fts_rowid is kept only so a copy back to SQLite keeps its FTS5 rowids.
// - Booleans are boolean (0/1 in SQLite); SQLite's real (8-byte IEEE) is double precision; versions, audit seq and revisions are bigint (read as numbers,
//   src/db/pg/pool.ts); timestamps and dates stay ISO text, as in SQLite, so keyset cursors compare the same.
// - stats_*.value holds a text or an integer in SQLite (no type affinity): jsonb here keeps which it was.
// - Not yet here (the query-layer port decides): the read-model staleness triggers (0007, 0009) and the
//   relations' staleness triggers (0011). The copy carries their tables' rows as they are. The stats
//   triggers (0004) are ported as migrations/postgres/0005_stats_aggregates.sql, their flush a function
//   every write transaction calls.

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** A CHECK constraint from SQL text over the table's own (quoted) columns. */
const rule = (name: string, expression: string) => check(name, sql.raw(expression));
const orNull = (column: string, expression: string) => `"${column}" is null or ${expression}`;
const oneOf = (column: string, values: readonly (string | number)[]) =>
  `"${column}" in (${values.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ')})`;
const lengthBetween = (column: string, min: number, max: number) => `length("${column}") between ${min} and ${max}`;
const isoDay = (column: string) => `"${column}" ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'`;
const ID_SHAPE = `length("id") between 1 and 200 and "id" ~ '^[A-Za-z0-9][A-Za-z0-9._~-]*$'`;
const versionRange = (table: string) => rule(`${table}_version_range`, `"version" between 1 and 9007199254740991`);

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};
const version = { version: bigint('version', { mode: 'number' }).notNull().default(1) };

export const states = pgTable(
  'states',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    regionalGroup: text('regional_group', { enum: REGIONAL_GROUPS }),
    unMember: boolean('un_member').notNull(),
    regionalGroupNote: text('regional_group_note'),
    ...version,
  },
  () => [versionRange('states'), rule('states_regional_group_value', orNull('regional_group', oneOf('regional_group', REGIONAL_GROUPS)))],
);

export const stateAliases = pgTable(
  'state_aliases',
  {
    key: text('key').primaryKey(),
    alias: text('alias').notNull(),
    stateCode: text('state_code')
      .notNull()
      .references(() => states.code),
  },
  (t) => [index('state_aliases_state_idx').on(t.stateCode)],
);

export const sources = pgTable(
  'sources',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    publisher: text('publisher').notNull(),
    url: text('url').notNull().unique(),
    publishedOn: text('published_on'),
    publishedOnPrecision: text('published_on_precision', { enum: DATE_PRECISIONS }),
  },
  () => [
    rule('sources_id_shape', ID_SHAPE),
    rule('sources_url_http', `lower(substr("url", 1, 7)) = 'http://' or lower(substr("url", 1, 8)) = 'https://'`),
    rule('sources_url_length', lengthBetween('url', 1, 2000)),
    rule('sources_title_length', lengthBetween('title', 1, 500)),
    rule('sources_publisher_length', lengthBetween('publisher', 1, 300)),
    rule('sources_published_on_precision', `("published_on" is null) = ("published_on_precision" is null)`),
    rule(
      'sources_published_on_to_precision',
      `"published_on" is null or ("published_on_precision" = 'day' and ${isoDay('published_on')}) or ` +
        `("published_on_precision" = 'month' and "published_on" ~ '^[0-9]{4}-[0-1][0-9]$') or ` +
        `("published_on_precision" = 'year' and "published_on" ~ '^[0-9]{4}$')`,
    ),
  ],
);

export const reviews = pgTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    stateCode: text('state_code')
      .notNull()
      .references(() => states.code),
    cycle: integer('cycle').notNull(),
    wgSession: integer('wg_session'),
    dialogueDate: text('dialogue_date'),
    reportSymbol: text('report_symbol'),
    reportYear: integer('report_year'),
    adoptionSession: integer('adoption_session'),
    adoptionDate: text('adoption_date'),
    adoptionDatePrecision: text('adoption_date_precision', { enum: DATE_PRECISIONS }),
    recommendationsComplete: boolean('recommendations_complete').notNull().default(false),
    recommendationsNote: text('recommendations_note'),
    ...timestamps,
    ...version,
  },
  (t) => [
    index('reviews_state_idx').on(t.stateCode, t.cycle),
    rule('reviews_cycle_range', `"cycle" between 1 and 4`),
    rule('reviews_id_state_and_cycle', `"id" = "state_code" || '-' || "cycle"`),
    rule('reviews_wg_session_range', orNull('wg_session', `"wg_session" between 1 and 999`)),
    rule('reviews_adoption_session_range', orNull('adoption_session', `"adoption_session" between 1 and 999`)),
    rule('reviews_report_symbol_length', orNull('report_symbol', lengthBetween('report_symbol', 1, 100))),
    rule('reviews_report_year_range', orNull('report_year', `"report_year" between 2008 and 2100`)),
    rule('reviews_dialogue_date_shape', orNull('dialogue_date', isoDay('dialogue_date'))),
    rule('reviews_adoption_date_precision', `("adoption_date" is null) = ("adoption_date_precision" is null)`),
    rule(
      'reviews_adoption_date_shape',
      `"adoption_date" is null or ("adoption_date_precision" = 'day' and ${isoDay('adoption_date')}) or ` +
        `("adoption_date_precision" = 'month' and "adoption_date" ~ '^[0-9]{4}-[0-1][0-9]$') or ` +
        `("adoption_date_precision" = 'year' and "adoption_date" ~ '^[0-9]{4}$')`,
    ),
    versionRange('reviews'),
  ],
);

export const reviewSources = pgTable(
  'review_sources',
  {
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.sourceId] }), index('review_sources_source_idx').on(t.sourceId)],
);

export const recommendations = pgTable(
  'recommendations',
  {
    id: text('id').primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    paragraph: text('paragraph'),
    paragraphSortKey: text('paragraph_sort_key').notNull(),
    text: text('text').notNull(),
    verbatim: boolean('verbatim').notNull(),
    position: text('position', { enum: POSITIONS }),
    positionLabel: text('position_label'),
    positionSource: text('position_source'),
    sourceId: text('source_id').references(() => sources.id),
    actionCategory: integer('action_category'),
    ftsRowid: bigint('fts_rowid', { mode: 'number' }),
    ...timestamps,
    ...version,
    // FTS5's terms of the text with their positions, written by src/db/pg/fulltext.ts (pgFillSearch); NULL until
    // then, and again when the text changes (a trigger: migrations/postgres/0014_fts5_terms.sql).
    search: tsvector('search'),
  },
  (t) => [
    uniqueIndex('recommendations_fts_rowid_idx').on(t.ftsRowid),
    index('recommendations_review_order_idx').on(t.reviewId, t.paragraphSortKey, t.id),
    index('recommendations_position_idx').on(t.position),
    index('recommendations_updated_idx').on(t.updatedAt, t.id),
    index('recommendations_review_position_idx').on(t.reviewId, t.position, t.paragraphSortKey, t.id),
    index('recommendations_source_idx').on(t.sourceId),
    index('recommendations_action_category_idx').on(t.actionCategory),
    index('recommendations_search_idx').using('gin', t.search),
    index('recommendations_search_unfilled_idx').on(t.id).where(sql`search is null`),
    rule('recommendations_id_shape', ID_SHAPE),
    rule('recommendations_text_length', lengthBetween('text', 1, 10000)),
    rule('recommendations_paragraph_length', orNull('paragraph', lengthBetween('paragraph', 1, 50))),
    rule('recommendations_position_value', orNull('position', oneOf('position', POSITIONS))),
    rule('recommendations_position_needs_source', `"position" is null or "position_source" is not null`),
    rule('recommendations_position_source_length', orNull('position_source', lengthBetween('position_source', 1, 1000))),
    rule('recommendations_position_label_length', orNull('position_label', lengthBetween('position_label', 1, 1000))),
    rule('recommendations_action_category_value', orNull('action_category', oneOf('action_category', [1, 2, 3, 4, 5]))),
    versionRange('recommendations'),
  ],
);

export const recommendationDocuments = pgTable('recommendation_documents', {
  recommendationId: text('recommendation_id')
    .primaryKey()
    .references(() => recommendations.id, { onDelete: 'cascade' }),
  json: text('json').notNull(),
});

// The CSV rows of the read model, apart from the JSON as on SQLite (src/db/schema.ts).
export const recommendationCsvLines = pgTable('recommendation_csv_lines', {
  recommendationId: text('recommendation_id')
    .primaryKey()
    .references(() => recommendations.id, { onDelete: 'cascade' }),
  csvHead: text('csv_head').notNull(),
  csvPath: text('csv_path').notNull(),
  csvTail: text('csv_tail').notNull(),
});

export const recommendationDocumentsStale = pgTable('recommendation_documents_stale', {
  recommendationId: text('recommendation_id').primaryKey(),
});

// Recurring recommendations (src/related/), rebuilt by SQLite's refreshStaleRelations; copied as they are.
export const recommendationRelations = pgTable(
  'recommendation_relations',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    relatedId: text('related_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    score: doublePrecision('score').notNull(),
    relation: text('relation', { enum: RELATIONS }).notNull(),
    relatedCycle: integer('related_cycle').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.relatedId] }),
    index('recommendation_relations_related_idx').on(t.relatedId),
    // The `recurring` filter and grouping ask for the few relations that make a recommendation recurring: without
    // it PostgreSQL scanned every relation (480,000 at the shared data: 2–3.7 s a stats request). The threshold is
    // a literal in the queries too (src/related/recurrence.ts), as a parameter could not prove the predicate.
    index('recommendation_relations_recurring_idx')
      .on(t.recommendationId)
      .where(sql.raw(`relation = 'earlier' and score >= ${RECURRENCE_THRESHOLD}`)),
  ],
);

export const recommendationRelationsStale = pgTable('recommendation_relations_stale', {
  recommendationId: text('recommendation_id').primaryKey(),
});

export const recommendationStates = pgTable(
  'recommendation_states',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    stateCode: text('state_code')
      .notNull()
      .references(() => states.code),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.stateCode] }),
    index('recommendation_states_state_idx').on(t.stateCode, t.recommendationId),
  ],
);

export const recommendationUnresolvedStates = pgTable(
  'recommendation_unresolved_states',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.name] }),
    rule('recommendation_unresolved_states_name_length', lengthBetween('name', 1, 500)),
  ],
);

export const themes = pgTable(
  'themes',
  {
    id: text('id').primaryKey(),
    label: text('label').notNull(),
    uhri: boolean('uhri').notNull(),
    scheme: text('scheme', { enum: LABEL_SCHEMES }).notNull().default('local'),
    uhriCode: text('uhri_code'),
  },
  (t) => [
    uniqueIndex('themes_scheme_label_unique').on(t.scheme, t.label),
    uniqueIndex('themes_uhri_code_unique').on(t.uhriCode).where(sql`uhri_code is not null`),
    rule('themes_uhri_code_format', "uhri_code is null or uhri_code ~ '^[A-Z][0-9]{1,3}$'"),
    rule('themes_id_length', lengthBetween('id', 1, 200)),
    rule('themes_label_length', lengthBetween('label', 1, 500)),
    rule('themes_scheme_value', oneOf('scheme', LABEL_SCHEMES)),
  ],
);

export const affectedPersonsGroups = pgTable(
  'affected_persons_groups',
  {
    id: text('id').primaryKey(),
    label: text('label').notNull().unique(),
    uhri: boolean('uhri').notNull(),
  },
  () => [
    rule('affected_persons_groups_id_length', lengthBetween('id', 1, 200)),
    rule('affected_persons_groups_label_length', lengthBetween('label', 1, 500)),
  ],
);

export const sdgGoals = pgTable(
  'sdg_goals',
  {
    goal: integer('goal').primaryKey(),
    name: text('name').notNull(),
  },
  () => [rule('sdg_goals_range', `"goal" between 1 and 17`)],
);

const labelSource = (table: string) =>
  rule(`${table}_label_source_value`, orNull('label_source', oneOf('label_source', LABEL_SOURCES)));

export const recommendationThemes = pgTable(
  'recommendation_themes',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    themeId: text('theme_id')
      .notNull()
      .references(() => themes.id),
    labelSource: text('label_source', { enum: LABEL_SOURCES }),
    // A machine label's probability (0–1); null for every other source (SQLite: migration 0012's triggers).
    confidence: doublePrecision('confidence'),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.themeId] }),
    index('recommendation_themes_theme_idx').on(t.themeId, t.recommendationId),
    labelSource('recommendation_themes'),
    rule(
      'recommendation_themes_confidence',
      orNull('confidence', `("label_source" = 'machine' and "confidence" between 0 and 1)`),
    ),
  ],
);

// Machine labels a curator deleted: never given to that recommendation again (SQLite: src/db/schema.ts).
export const machineLabelRejections = pgTable(
  'machine_label_rejections',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    themeId: text('theme_id')
      .notNull()
      .references(() => themes.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.recommendationId, t.themeId] })],
);

// The fields of a recommendation a curator wrote last, and what the files last offered (SQLite: src/db/schema.ts).
export const recommendationCuratedFields = pgTable(
  'recommendation_curated_fields',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    field: text('field').notNull(),
    filesValue: text('files_value'),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.field] }),
    rule('recommendation_curated_fields_field_value', oneOf('field', CURATED_FIELDS)),
  ],
);

export const recommendationSdgs = pgTable(
  'recommendation_sdgs',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    goal: integer('goal')
      .notNull()
      .references(() => sdgGoals.goal),
    labelSource: text('label_source', { enum: LABEL_SOURCES }),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.goal] }),
    index('recommendation_sdgs_goal_idx').on(t.goal, t.recommendationId),
    labelSource('recommendation_sdgs'),
  ],
);

export const recommendationAffectedPersons = pgTable(
  'recommendation_affected_persons',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    groupId: text('group_id')
      .notNull()
      .references(() => affectedPersonsGroups.id),
    labelSource: text('label_source', { enum: LABEL_SOURCES }),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.groupId] }),
    index('recommendation_affected_persons_group_idx').on(t.groupId, t.recommendationId),
    labelSource('recommendation_affected_persons'),
  ],
);

export const recommendationSources = pgTable(
  'recommendation_sources',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
    paragraph: text('paragraph'),
    position: text('position', { enum: POSITIONS }),
    positionLabel: text('position_label'),
    positionSource: text('position_source'),
    matchKey: text('match_key').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.sourceId] }),
    // What cites a source (its page, a deletion's check): no query looks a match key up (reconcile.ts matches in
    // memory), and PostgreSQL's btree refused a key of a text longer than ~2,700 bytes (an import's 500).
    index('recommendation_sources_source_idx').on(t.sourceId, t.recommendationId),
    rule('recommendation_sources_paragraph_length', orNull('paragraph', lengthBetween('paragraph', 1, 50))),
    rule('recommendation_sources_position_value', orNull('position', oneOf('position', POSITIONS))),
    rule('recommendation_sources_position_label_length', orNull('position_label', lengthBetween('position_label', 1, 1000))),
    rule('recommendation_sources_position_source_length', orNull('position_source', lengthBetween('position_source', 1, 1000))),
  ],
);

export const developments = pgTable(
  'developments',
  {
    id: text('id').primaryKey(),
    stateCode: text('state_code')
      .notNull()
      .references(() => states.code),
    reviewId: text('review_id').references(() => reviews.id),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    date: text('date').notNull(),
    datePrecision: text('date_precision', { enum: DATE_PRECISIONS }).notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    ftsRowid: bigint('fts_rowid', { mode: 'number' }),
    ...timestamps,
    ...version,
    // The FTS5 terms of the title (weight A: a title match ranks above a summary match) and the summary (B), as
    // on recommendations.
    search: tsvector('search'),
  },
  (t) => [
    uniqueIndex('developments_fts_rowid_idx').on(t.ftsRowid),
    index('developments_state_date_idx').on(t.stateCode, t.periodStart),
    index('developments_review_idx').on(t.reviewId),
    index('developments_date_idx').on(t.periodStart, t.id),
    index('developments_search_idx').using('gin', t.search),
    index('developments_search_unfilled_idx').on(t.id).where(sql`search is null`),
    versionRange('developments'),
  ],
);

export const developmentThemes = pgTable(
  'development_themes',
  {
    developmentId: text('development_id')
      .notNull()
      .references(() => developments.id, { onDelete: 'cascade' }),
    themeId: text('theme_id')
      .notNull()
      .references(() => themes.id),
  },
  (t) => [
    primaryKey({ columns: [t.developmentId, t.themeId] }),
    index('development_themes_theme_idx').on(t.themeId, t.developmentId),
  ],
);

export const developmentRecommendations = pgTable(
  'development_recommendations',
  {
    developmentId: text('development_id')
      .notNull()
      .references(() => developments.id, { onDelete: 'cascade' }),
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.developmentId, t.recommendationId] }),
    index('development_recommendations_rec_idx').on(t.recommendationId, t.developmentId),
  ],
);

export const developmentSources = pgTable(
  'development_sources',
  {
    developmentId: text('development_id')
      .notNull()
      .references(() => developments.id, { onDelete: 'cascade' }),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [
    primaryKey({ columns: [t.developmentId, t.sourceId] }),
    index('development_sources_source_idx').on(t.sourceId),
  ],
);

export const assessments = pgTable(
  'assessments',
  {
    id: text('id').primaryKey(),
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    status: text('status', { enum: IMPLEMENTATION_STATUSES }).notNull(),
    assessedOn: text('assessed_on').notNull(),
    rationale: text('rationale').notNull(),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
    ...timestamps,
    ...version,
  },
  (t) => [
    index('assessments_rec_date_idx').on(t.recommendationId, t.assessedOn, t.id),
    index('assessments_date_idx').on(t.assessedOn, t.id),
    index('assessments_source_idx').on(t.sourceId),
    versionRange('assessments'),
  ],
);

export const statements = pgTable(
  'statements',
  {
    id: text('id').primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    speakerStateCode: text('speaker_state_code').references(() => states.code),
    speakerOrganization: text('speaker_organization'),
    stage: text('stage', { enum: STATEMENT_STAGES }).notNull(),
    date: text('date').notNull(),
    datePrecision: text('date_precision', { enum: DATE_PRECISIONS }).notNull(),
    summary: text('summary').notNull(),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
    ftsRowid: bigint('fts_rowid', { mode: 'number' }),
    ...timestamps,
    ...version,
    // The FTS5 terms of the summary, as on recommendations.
    search: tsvector('search'),
  },
  (t) => [
    uniqueIndex('statements_fts_rowid_idx').on(t.ftsRowid),
    index('statements_review_idx').on(t.reviewId, t.date),
    // GET /v1/statements' default order (date, then id): a page read in order, not every statement sorted.
    index('statements_date_idx').on(t.date, t.id),
    index('statements_source_idx').on(t.sourceId),
    index('statements_search_idx').using('gin', t.search),
    index('statements_search_unfilled_idx').on(t.id).where(sql`search is null`),
    rule('statements_one_speaker', `("speaker_state_code" is null) <> ("speaker_organization" is null)`),
    versionRange('statements'),
  ],
);

export const statementThemes = pgTable(
  'statement_themes',
  {
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id, { onDelete: 'cascade' }),
    themeId: text('theme_id')
      .notNull()
      .references(() => themes.id),
  },
  (t) => [primaryKey({ columns: [t.statementId, t.themeId] })],
);

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  scope: text('scope', { enum: API_KEY_SCOPES }).notNull(),
  hash: text('hash').notNull().unique(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
});

// seq is an identity: the copy inserts the source's numbers and then moves the sequence past the largest.
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action', { enum: AUDIT_ACTIONS }).notNull(),
    // JSON text as written (not jsonb, which would reorder keys and respace it).
    changes: text('changes').notNull(),
    actor: text('actor').notNull(),
    at: text('at').notNull(),
    revision: bigint('revision', { mode: 'number' }).notNull(),
    // Why, as JSON text when the writer says (src/db/schema.ts); null otherwise.
    reason: text('reason'),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entity, t.entityId, t.seq),
    index('audit_log_at_idx').on(t.at, t.seq),
  ],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: text('api_key_id')
      .notNull()
      .references(() => apiKeys.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    location: text('location'),
    body: text('body').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.apiKeyId, t.key] }),
    // Every keyed create first deletes the keys older than a day: without it, a scan of every stored response
    // (200,000 kept within a day: 0.5 s a keyed create, on SQLite in the event loop).
    index('idempotency_keys_created_idx').on(t.createdAt),
  ],
);

// The data revision lives here as in SQLite ('revision'): shared by every instance on the database.
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const statsDirty = pgTable('stats_dirty', {
  recommendationId: text('recommendation_id').primaryKey(),
});

const statsCell = {
  position: text('position').notNull(),
  implementation: text('implementation').notNull(),
};

export const statsMembers = pgTable(
  'stats_members',
  {
    recommendationId: text('recommendation_id').notNull(),
    dim: text('dim').notNull(),
    value: jsonb('value').notNull(),
    reviewId: text('review_id').notNull(),
    cycle: integer('cycle').notNull(),
    ...statsCell,
  },
  (t) => [primaryKey({ columns: [t.recommendationId, t.dim, t.value] })],
);

export const statsReviewCounts = pgTable(
  'stats_review_counts',
  {
    dim: text('dim').notNull(),
    reviewId: text('review_id').notNull(),
    value: jsonb('value').notNull(),
    ...statsCell,
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.dim, t.reviewId, t.value, t.position, t.implementation] }),
    index('stats_review_counts_empty_idx').on(t.n).where(sql`n = 0`),
  ],
);

export const statsCycleCounts = pgTable(
  'stats_cycle_counts',
  {
    dim: text('dim').notNull(),
    cycle: integer('cycle').notNull(),
    value: jsonb('value').notNull(),
    ...statsCell,
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.dim, t.cycle, t.value, t.position, t.implementation] }),
    index('stats_cycle_counts_empty_idx').on(t.n).where(sql`n = 0`),
  ],
);

export const statsValueCounts = pgTable(
  'stats_value_counts',
  {
    dim: text('dim').notNull(),
    value: jsonb('value').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.dim, t.value] }),
    index('stats_value_counts_empty_idx').on(t.n).where(sql`n = 0`),
  ],
);
