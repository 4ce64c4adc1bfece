import type { Db } from '../db/open.js';
import { currentStamp } from '../db/revision.js';
import type { DevelopmentFilter } from '../developments/schemas.js';
import type { RecommendationFilter } from '../recommendations/schemas.js';
import { developmentStats, recommendationStats, reviewSummary } from './queries.js';
import type { DevelopmentGrouping, DevelopmentStats, RecommendationGrouping, RecommendationStats, ReviewSummary, ReviewSummaryOptions } from './schemas.js';

// The seam between the stats routes and a database (as src/recommendations/store.ts): SQLite's store calls
// queries.ts; PostgreSQL's is pg-queries.ts. Each reads an answer in one snapshot and says the revision it read.

/** Told the data revision's stamp an answer was read at (in its snapshot), for its ETag (src/http/cache.ts answeredAt). */
export type AnsweredAt = (stamp: string) => void;

export interface StatsStore {
  recommendations(groupBy: RecommendationGrouping[], f: RecommendationFilter, answered: AnsweredAt): Promise<RecommendationStats>;
  developments(groupBy: DevelopmentGrouping[], f: DevelopmentFilter, answered: AnsweredAt): Promise<DevelopmentStats>;
  /** A review's summary, or undefined for no such review. */
  reviewSummary(reviewId: string, options: ReviewSummaryOptions, answered: AnsweredAt): Promise<ReviewSummary | undefined>;
}

/** What `read` gives, read in one transaction after the stamp it tells `answered` (a deferred BEGIN: the snapshot of the first read). */
function labelled<T>(db: Db, answered: AnsweredAt, read: () => T): T {
  return db.$client.transaction(() => {
    answered(currentStamp(db));
    return read();
  })();
}

export function sqliteStatsStore(db: Db): StatsStore {
  return {
    recommendations: async (groupBy, f, answered) => labelled(db, answered, () => recommendationStats(db, groupBy, f)),
    developments: async (groupBy, f, answered) => labelled(db, answered, () => developmentStats(db, groupBy, f)),
    reviewSummary: async (reviewId, options, answered) => labelled(db, answered, () => reviewSummary(db, reviewId, options)),
  };
}
