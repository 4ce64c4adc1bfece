import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Enumerations shared by the schema, the zod schemas and the seed data.
export const REGIONAL_GROUPS = ['African', 'Asia-Pacific', 'Eastern European', 'GRULAC', 'WEOG'] as const;
export const POSITIONS = ['supported', 'partially_supported', 'noted', 'pending'] as const;
export const DATE_PRECISIONS = ['day', 'month', 'year'] as const;
export const DIRECTIONS = ['progress', 'setback', 'neutral'] as const;
export const IMPLEMENTATION_STATUSES = ['not_implemented', 'partially_implemented', 'implemented'] as const;
export const STATEMENT_STAGES = ['interactive_dialogue', 'adoption'] as const;

export type RegionalGroup = (typeof REGIONAL_GROUPS)[number];
export type Position = (typeof POSITIONS)[number];
export type DatePrecision = (typeof DATE_PRECISIONS)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type ImplementationStatus = (typeof IMPLEMENTATION_STATUSES)[number];
export type StatementStage = (typeof STATEMENT_STAGES)[number];

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};

export const states = sqliteTable('states', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  regionalGroup: text('regional_group', { enum: REGIONAL_GROUPS }),
  unMember: integer('un_member', { mode: 'boolean' }).notNull(),
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
  publishedOn: text('published_on'),
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
    adoptionSession: integer('adoption_session'),
    adoptionDate: text('adoption_date'),
    adoptionDatePrecision: text('adoption_date_precision', { enum: DATE_PRECISIONS }),
    ...timestamps,
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
  (t) => [primaryKey({ columns: [t.reviewId, t.sourceId] })],
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
    positionSource: text('position_source'),
    sourceId: text('source_id').references(() => sources.id),
    ...timestamps,
  },
  (t) => [
    index('recommendations_review_order_idx').on(t.reviewId, t.paragraphSortKey, t.id),
    index('recommendations_position_idx').on(t.position),
    index('recommendations_updated_idx').on(t.updatedAt, t.id),
  ],
);

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

export const themes = sqliteTable('themes', {
  id: text('id').primaryKey(),
  label: text('label').notNull().unique(),
  // true for labels of the UN Universal Human Rights Index; false for our own, not yet confirmed.
  uhri: integer('uhri', { mode: 'boolean' }).notNull(),
});

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
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.themeId] }),
    index('recommendation_themes_theme_idx').on(t.themeId, t.recommendationId),
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
  },
  (t) => [
    primaryKey({ columns: [t.recommendationId, t.groupId] }),
    index('recommendation_affected_persons_group_idx').on(t.groupId, t.recommendationId),
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
    ...timestamps,
  },
  (t) => [
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
  (t) => [primaryKey({ columns: [t.developmentId, t.sourceId] })],
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
  },
  (t) => [index('assessments_rec_date_idx').on(t.recommendationId, t.assessedOn, t.id)],
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
    ...timestamps,
  },
  (t) => [
    index('statements_review_idx').on(t.reviewId, t.date),
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

// Key/value facts about the database itself, e.g. the data revision every write bumps.
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
