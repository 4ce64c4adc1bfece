import { sql } from 'drizzle-orm';
import { blob, check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Enumerations shared by the schema, the zod schemas and the seed data.
export const REGIONAL_GROUPS = ['African', 'Asia-Pacific', 'Eastern European', 'GRULAC', 'WEOG'] as const;
export const POSITIONS = ['supported', 'partially_supported', 'noted', 'pending'] as const;
export const DATE_PRECISIONS = ['day', 'month', 'year'] as const;
export const DIRECTIONS = ['progress', 'setback', 'neutral'] as const;
export const IMPLEMENTATION_STATUSES = ['not_implemented', 'partially_implemented', 'implemented'] as const;
export const STATEMENT_STAGES = ['interactive_dialogue', 'adoption'] as const;
// Label vocabularies: OHCHR's Universal Human Rights Index, UPR Info's 54 issues, and our own labels.
export const LABEL_SCHEMES = ['uhri', 'upr-info', 'local'] as const;
export type LabelScheme = (typeof LABEL_SCHEMES)[number];
// Who attached a label to a recommendation: an OHCHR matrix, UPR Info's coding, our curators, or automatic tagging.
export const LABEL_SOURCES = ['ohchr', 'upr-info', 'curated', 'machine'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

export type RegionalGroup = (typeof REGIONAL_GROUPS)[number];
export type Position = (typeof POSITIONS)[number];
export type DatePrecision = (typeof DATE_PRECISIONS)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type ImplementationStatus = (typeof IMPLEMENTATION_STATUSES)[number];
export type StatementStage = (typeof STATEMENT_STAGES)[number];

// Beyond the check() constraints below, migrations/0005_import_checks.sql guards what no write may store (id
// shapes, text lengths, session and version ranges, http(s) URLs, date shapes, a position only with its
// source) with BEFORE INSERT/UPDATE triggers that fail like a CHECK: SQLite adds a CHECK only by rebuilding
// a table, which inside the migrator's transaction would cascade-delete link rows and drop FTS triggers.

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};

// Optimistic concurrency: every editable record has a version that each update increments (its ETag).
const version = { version: integer('version').notNull().default(1) };

export const states = sqliteTable('states', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  regionalGroup: text('regional_group', { enum: REGIONAL_GROUPS }),
  unMember: integer('un_member', { mode: 'boolean' }).notNull(),
  // Why the group is what it is where that is not plain membership (the United States: WEOG as an observer).
  regionalGroupNote: text('regional_group_note'),
  ...version,
});

// Every spelling of a state's name found in UN documents and data sets, keyed by its normalised form
// (see normalizeStateName) so that importers resolve "Kyrgyz Republic" and "kyrgysztan" alike.
export const stateAliases = sqliteTable(
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

export const sources = sqliteTable('sources', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  publisher: text('publisher').notNull(),
  url: text('url').notNull().unique(),
  // As known: "2020", "2020-03" or "2020-03-15", with its precision (null together with the date).
  publishedOn: text('published_on'),
  publishedOnPrecision: text('published_on_precision', { enum: DATE_PRECISIONS }),
});

export const reviews = sqliteTable(
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
    // The year of the Working Group report as a source gives it (the Terman corpus's `year`), null when none
    // does: a review's year where the calendar does not know its session and no dialogue date is recorded.
    reportYear: integer('report_year'),
    adoptionSession: integer('adoption_session'),
    adoptionDate: text('adoption_date'),
    adoptionDatePrecision: text('adoption_date_precision', { enum: DATE_PRECISIONS }),
    // Whether we hold every recommendation of the report (no source we hold gives the total: false unless a
    // curator says so), and what is known about the gap.
    recommendationsComplete: integer('recommendations_complete', { mode: 'boolean' }).notNull().default(false),
    recommendationsNote: text('recommendations_note'),
    ...timestamps,
    ...version,
  },
  (t) => [
    index('reviews_state_idx').on(t.stateCode, t.cycle),
    check('reviews_cycle_range', sql`${t.cycle} between 1 and 4`),
  ],
);

export const reviewSources = sqliteTable(
  'review_sources',
  {
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id, { onDelete: 'cascade' }),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
  },
  (t) => [
    primaryKey({ columns: [t.reviewId, t.sourceId] }),
    // GET /v1/sources/{id}: what cites a source.
    index('review_sources_source_idx').on(t.sourceId),
  ],
);

export const recommendations = sqliteTable(
  'recommendations',
  {
    id: text('id').primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    paragraph: text('paragraph'),
    // "121.10" sorts after "121.9": each numeric part zero-padded; unknown paragraphs sort last.
    paragraphSortKey: text('paragraph_sort_key').notNull(),
    text: text('text').notNull(),
    verbatim: integer('verbatim', { mode: 'boolean' }).notNull(),
    position: text('position', { enum: POSITIONS }),
    // The decision as the source printed it when it differs from the position ("implemented" → supported).
    positionLabel: text('position_label'),
    positionSource: text('position_source'),
    sourceId: text('source_id').references(() => sources.id),
    // UPR Info's 1–5 scale of what a recommendation asks (see src/reference/upr-info.ts); null when unknown.
    actionCategory: integer('action_category'),
    // The full-text index's rowid (migrations/0003_full_text_rowid.sql): set once by the insert trigger and
    // never changed, unlike the implicit rowid, which VACUUM may renumber.
    ftsRowid: integer('fts_rowid'),
    ...timestamps,
    ...version,
  },
  (t) => [
    uniqueIndex('recommendations_fts_rowid_idx').on(t.ftsRowid),
    index('recommendations_review_order_idx').on(t.reviewId, t.paragraphSortKey, t.id),
    index('recommendations_position_idx').on(t.position),
    index('recommendations_updated_idx').on(t.updatedAt, t.id),
    // Covers the common filters by review and position for meta.total's count without reading the table.
    index('recommendations_review_position_idx').on(t.reviewId, t.position, t.paragraphSortKey, t.id),
    // For the read model's trigger on sources: which documents embed a changed source.
    index('recommendations_source_idx').on(t.sourceId),
    // The actionCategory filter's (a page of few matches, its count, stats by it).
    index('recommendations_action_category_idx').on(t.actionCategory),
  ],
);

// The read model: each recommendation as the API serves it, its JSON document and its CSV row, kept in
// the same transaction as every write that changes anything they embed (src/recommendations/documents.ts).
export const recommendationDocuments = sqliteTable('recommendation_documents', {
  recommendationId: text('recommendation_id')
    .primaryKey()
    .references(() => recommendations.id, { onDelete: 'cascade' }),
  json: text('json').notNull(),
});

// The CSV rows of the read model, in a table of their own so that a CSV export reads only their bytes (in
// recommendation_documents beside the JSON they made a full export read three times as much). The row is
// stored in three parts around the record's absolute URL, which depends on the request: csv_head (the id
// cell and a comma), csv_path (/v1/recommendations/<id>), csv_tail (the other cells, CRLF).
export const recommendationCsvLines = sqliteTable('recommendation_csv_lines', {
  recommendationId: text('recommendation_id')
    .primaryKey()
    .references(() => recommendations.id, { onDelete: 'cascade' }),
  csvHead: text('csv_head').notNull(),
  csvPath: text('csv_path').notNull(),
  csvTail: text('csv_tail').notNull(),
});

// Recommendations whose documents a write has made stale: filled by triggers on every table a document
// embeds (migrations/0007_read_model.sql), emptied by materializeStale before the transaction commits.
export const recommendationDocumentsStale = sqliteTable('recommendation_documents_stale', {
  recommendationId: text('recommendation_id').primaryKey(),
});

// Recurring recommendations (src/related/): for each recommendation, the recommendations to the same state
// under review whose text is most like its own (at most RELATED_PER_RECORD, scoring at least RELATED_FLOOR),
// with the related one's cycle and whether it came earlier, later or in the same cycle. Rebuilt by
// refreshStaleRelations from the ids triggers put in recommendation_relations_stale (a text written, a
// recommendation moved to another review or state); triggers on this table mark the documents stale.
export const RELATIONS = ['earlier', 'later', 'same'] as const;
export type Relation = (typeof RELATIONS)[number];

export const recommendationRelations = sqliteTable(
  'recommendation_relations',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    relatedId: text('related_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    score: real('score').notNull(),
    relation: text('relation', { enum: RELATIONS }).notNull(),
    relatedCycle: integer('related_cycle').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.relatedId] }),
    index('recommendation_relations_related_idx').on(t.relatedId),
  ],
);

export const recommendationRelationsStale = sqliteTable('recommendation_relations_stale', {
  recommendationId: text('recommendation_id').primaryKey(),
});

export const recommendationStates = sqliteTable(
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

// A recommending "state" as printed in a source when no state code resolves it ("Korea", "NA"): kept, not guessed.
export const recommendationUnresolvedStates = sqliteTable(
  'recommendation_unresolved_states',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.recommendationId, t.name] })],
);

export const themes = sqliteTable(
  'themes',
  {
    id: text('id').primaryKey(),
    label: text('label').notNull(),
    // true for labels of the UN Universal Human Rights Index; false for our own, not yet confirmed.
    uhri: integer('uhri', { mode: 'boolean' }).notNull(),
    // The vocabulary the label belongs to: a label is unique within its scheme, never merged across them.
    scheme: text('scheme', { enum: LABEL_SCHEMES }).notNull().default('local'),
    // The UHRI code OHCHR prints before the label in its matrices ("B32"), learned from the first imported
    // matrix that prints it: the stable key of the label across matrices whose wordings differ.
    uhriCode: text('uhri_code'),
  },
  (t) => [
    uniqueIndex('themes_scheme_label_unique').on(t.scheme, t.label),
    uniqueIndex('themes_uhri_code_unique').on(t.uhriCode).where(sql`uhri_code is not null`),
  ],
);

export const affectedPersonsGroups = sqliteTable('affected_persons_groups', {
  id: text('id').primaryKey(),
  label: text('label').notNull().unique(),
  uhri: integer('uhri', { mode: 'boolean' }).notNull(),
});

export const sdgGoals = sqliteTable(
  'sdg_goals',
  {
    goal: integer('goal').primaryKey(),
    name: text('name').notNull(),
  },
  (t) => [check('sdg_goals_range', sql`${t.goal} between 1 and 17`)],
);

export const recommendationThemes = sqliteTable(
  'recommendation_themes',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    themeId: text('theme_id')
      .notNull()
      .references(() => themes.id),
    labelSource: text('label_source', { enum: LABEL_SOURCES }),
    // A machine label's probability (0–1, src/tagging/); null for every other source.
    confidence: real('confidence'),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.themeId] }),
    index('recommendation_themes_theme_idx').on(t.themeId, t.recommendationId),
  ],
);

// Machine labels a curator deleted (src/tagging/curation.ts): the tagger never gives them to that
// recommendation again, whether by `npm run tag`, an import or a text change.
export const machineLabelRejections = sqliteTable(
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

// The fields of a recommendation whose last writer was a curator (PATCH, POST), and what the files last offered
// for each (JSON; null: no file has offered one yet): an import keeps a curator's value and reports the file's
// (src/recommendations/curated-fields.ts). A field with no row is as the files give it.
export const CURATED_FIELDS = [
  'reviewId',
  'paragraph',
  'text',
  'verbatim',
  'recommendingStates',
  'position',
  'positionSource',
  'sourceId',
  'sdgs',
  'affectedPersons',
] as const;
export type CuratedField = (typeof CURATED_FIELDS)[number];

export const recommendationCuratedFields = sqliteTable(
  'recommendation_curated_fields',
  {
    recommendationId: text('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    field: text('field', { enum: CURATED_FIELDS }).notNull(),
    filesValue: text('files_value'),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.field] }),
    check('recommendation_curated_fields_field_value', sql.raw(`field in (${CURATED_FIELDS.map((f) => `'${f}'`).join(', ')})`)),
  ],
);

export const recommendationSdgs = sqliteTable(
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
  ],
);

export const recommendationAffectedPersons = sqliteTable(
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
  ],
);

// Every file or document a recommendation was read from (one record per recommendation, several sources when
// the Terman corpus, UPR Info and an OHCHR matrix describe it): each keeps what it printed.
export const recommendationSources = sqliteTable(
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
    // The source's text, normalised (src/import/reconcile.ts): a re-import finds its record by it (in memory).
    matchKey: text('match_key').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.sourceId] }),
    // What cites a source (its page, a deletion's check): no query looks a match key up (reconcile.ts matches in
    // memory), and PostgreSQL's btree refused a key of a text longer than ~2,700 bytes (an import's 500).
    index('recommendation_sources_source_idx').on(t.sourceId, t.recommendationId),
  ],
);

export const developments = sqliteTable(
  'developments',
  {
    id: text('id').primaryKey(),
    stateCode: text('state_code')
      .notNull()
      .references(() => states.code),
    reviewId: text('review_id').references(() => reviews.id),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    // As known: "2020", "2020-06" or "2020-07-25", with its precision; first and last day of that period
    // make "from/to" filters honest about coarse dates.
    date: text('date').notNull(),
    datePrecision: text('date_precision', { enum: DATE_PRECISIONS }).notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    // The full-text index's rowid, as for recommendations.
    ftsRowid: integer('fts_rowid'),
    ...timestamps,
    ...version,
  },
  (t) => [
    uniqueIndex('developments_fts_rowid_idx').on(t.ftsRowid),
    index('developments_state_date_idx').on(t.stateCode, t.periodStart),
    index('developments_review_idx').on(t.reviewId),
    index('developments_date_idx').on(t.periodStart, t.id),
  ],
);

export const developmentThemes = sqliteTable(
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

export const developmentRecommendations = sqliteTable(
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

export const developmentSources = sqliteTable(
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
    // GET /v1/sources/{id}: what cites a source.
    index('development_sources_source_idx').on(t.sourceId),
  ],
);

export const assessments = sqliteTable(
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
    // GET /v1/assessments in its default order (assessedOn, id), read in order from the index.
    index('assessments_date_idx').on(t.assessedOn, t.id),
    // GET /v1/sources/{id}: what cites a source.
    index('assessments_source_idx').on(t.sourceId),
  ],
);

export const statements = sqliteTable(
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
    // The full-text index's rowid, as for recommendations.
    ftsRowid: integer('fts_rowid'),
    ...timestamps,
    ...version,
  },
  (t) => [
    uniqueIndex('statements_fts_rowid_idx').on(t.ftsRowid),
    index('statements_review_idx').on(t.reviewId, t.date),
    // GET /v1/statements' default order (date, then id): a page read in order, not every statement sorted.
    index('statements_date_idx').on(t.date, t.id),
    // GET /v1/sources/{id}: what cites a source.
    index('statements_source_idx').on(t.sourceId),
    check(
      'statements_one_speaker',
      sql`(${t.speakerStateCode} is null) <> (${t.speakerOrganization} is null)`,
    ),
  ],
);

export const statementThemes = sqliteTable(
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

export const API_KEY_SCOPES = ['write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

// API keys for the curation API. Only a hash of the key is stored; the key itself is shown once.
export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  scope: text('scope', { enum: API_KEY_SCOPES }).notNull(),
  hash: text('hash').notNull().unique(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
});

export const AUDIT_ACTIONS = ['create', 'update', 'delete'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

// Every write, in commit order: the history of each record and the change feed (deletions included).
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action', { enum: AUDIT_ACTIONS }).notNull(),
    // JSON: { field: { before, after } } for the fields that changed.
    changes: text('changes').notNull(),
    actor: text('actor').notNull(),
    at: text('at').notNull(),
    revision: integer('revision').notNull(),
    // JSON: why the change was made, when the writer says more than the actor does (an import's split of a
    // record by paragraph: src/changes/schemas.ts changeReasonSchema); null otherwise.
    reason: text('reason'),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entity, t.entityId, t.seq),
    index('audit_log_at_idx').on(t.at, t.seq),
  ],
);

// Responses to POSTs sent with an Idempotency-Key, so a retried create returns the first answer.
export const idempotencyKeys = sqliteTable(
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

// Key/value facts about the database itself, e.g. the data revision every write bumps.
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

// Recommendation stats kept on write (src/stats/aggregates.ts reads them; the triggers of migration
// stats_aggregates keep them). A write marks the recommendations it touches in stats_dirty; the revision
// bump that ends every write transaction moves their old contribution out of the counts and the new one in.
// stats_members holds each recommendation's contribution: one row for its cell (dim '') and one per value
// of each multi-valued grouping (dim = the grouping, value '' = none). Counts are kept per review (for
// filters and groupings on the review), per cycle (fewer rows, for the rest) and per value alone (for
// one multi-valued grouping without a filter).
export const statsDirty = sqliteTable('stats_dirty', {
  recommendationId: text('recommendation_id').primaryKey(),
});

const statsCell = {
  position: text('position').notNull(), // 'unknown' when null
  implementation: text('implementation').notNull(), // 'unknown' when never assessed
};

export const statsMembers = sqliteTable(
  'stats_members',
  {
    recommendationId: text('recommendation_id').notNull(),
    dim: text('dim').notNull(),
    // A state code, regional group or theme id (text) or an SDG (integer): no type affinity, stored as given.
    value: blob('value').notNull(),
    reviewId: text('review_id').notNull(),
    cycle: integer('cycle').notNull(),
    ...statsCell,
  },
  (t) => [primaryKey({ columns: [t.recommendationId, t.dim, t.value] })],
);

export const statsReviewCounts = sqliteTable(
  'stats_review_counts',
  {
    dim: text('dim').notNull(),
    reviewId: text('review_id').notNull(),
    value: blob('value').notNull(),
    ...statsCell,
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.dim, t.reviewId, t.value, t.position, t.implementation] }),
    index('stats_review_counts_empty_idx').on(t.n).where(sql`n = 0`),
  ],
);

export const statsCycleCounts = sqliteTable(
  'stats_cycle_counts',
  {
    dim: text('dim').notNull(),
    cycle: integer('cycle').notNull(),
    value: blob('value').notNull(),
    ...statsCell,
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.dim, t.cycle, t.value, t.position, t.implementation] }),
    index('stats_cycle_counts_empty_idx').on(t.n).where(sql`n = 0`),
  ],
);

// The flush's scratch table (migration 0017): each member's change, counted once at the finest cell, from
// which the three counts above are changed; empty outside a flush.
export const statsDelta = sqliteTable(
  'stats_delta',
  {
    dim: text('dim').notNull(),
    reviewId: text('review_id').notNull(),
    value: blob('value').notNull(),
    ...statsCell,
    cycle: integer('cycle').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.dim, t.reviewId, t.value, t.position, t.implementation, t.cycle] })],
);

export const statsValueCounts = sqliteTable(
  'stats_value_counts',
  {
    dim: text('dim').notNull(),
    value: blob('value').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.dim, t.value] }),
    index('stats_value_counts_empty_idx').on(t.n).where(sql`n = 0`),
  ],
);
