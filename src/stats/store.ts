import type { Db } from '../db/open.js';
import { type AnsweredAt, readAnswered } from '../db/revision.js';
import type { DevelopmentFilter } from '../developments/schemas.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { developmentStats, recommendationStats, reviewSummary } from './queries.js';
import type { DevelopmentGrouping, DevelopmentStats, RecommendationGrouping, RecommendationStats, ReviewSummary, ReviewSummaryOptions } from './schemas.js';

// The seam between the stats routes and a database (as src/recommendations/store.ts): SQLite's store calls
// queries.ts; PostgreSQL's is pg-queries.ts. Each reads an answer in one snapshot and says the revision it read.

export interface StatsStore {
  recommendations(groupBy: RecommendationGrouping[], f: RecommendationFilter, answered: AnsweredAt): Promise<RecommendationStats>;
  developments(groupBy: DevelopmentGrouping[], f: DevelopmentFilter, answered: AnsweredAt): Promise<DevelopmentStats>;
  /** A review's summary, or undefined for no such review. */
  reviewSummary(reviewId: string, options: ReviewSummaryOptions, answered: AnsweredAt): Promise<ReviewSummary | undefined>;
}

export function sqliteStatsStore(db: Db): StatsStore {
  return {
    recommendations: async (groupBy, f, answered) => readAnswered(db, answered, () => recommendationStats(db, groupBy, f)),
    developments: async (groupBy, f, answered) => readAnswered(db, answered, () => developmentStats(db, groupBy, f)),
    reviewSummary: async (reviewId, options, answered) => readAnswered(db, answered, () => reviewSummary(db, reviewId, options)),
  };
}
