import { RevisionTracker } from '../http/cache.js';
import { type RecommendationStore, sqliteRecommendationStore } from '../recommendations/store.js';
import { type StateNameSource, sqliteStateNames } from '../states/filter-names.js';
import { type StatsStore, sqliteStatsStore } from '../stats/store.js';
import { type SourceStore, sqliteSourceStore } from '../sources/store.js';
import { type ReviewStore, sqliteReviewStore } from '../reviews/store.js';
import { type StateStore, sqliteStateStore } from '../states/store.js';
import { sqliteVocabularyStore, type VocabularyStore } from '../themes/queries.js';
import { type RelatedStore, sqliteRelatedStore } from '../related/queries.js';
import { appliedMigrationCount, type Db, expectedMigrationCount, openDatabase } from './open.js';
import type { RevisionSource } from './revision.js';

// The database behind the service, as buildApp sees it: the one place that knows which backend serves.
// SQLite (DATABASE_PATH, the default) serves every route; PostgreSQL (DATABASE_URL, src/db/pg/backend.ts)
// serves the routes ported so far (issue #12) and gives the others a stand-in `db` they never reach.

export interface Backend {
  kind: 'sqlite' | 'postgres';
  /** The SQLite database the route modules not yet behind a store read. */
  db: Db;
  /** The data revision for ETags and the response cache. */
  revision: RevisionSource;
  stateNames: StateNameSource;
  recommendations: RecommendationStore;
  stats: StatsStore;
  sources: SourceStore;
  reviews: ReviewStore;
  states: StateStore;
  vocabularies: VocabularyStore;
  related: RelatedStore;
  /** Migrations applied (for /readyz) and expected. */
  migrations: { applied(): number | Promise<number>; expected: number };
  close(): Promise<void>;
}

export function sqliteBackend(path: string): Backend {
  const db = openDatabase(path);
  return {
    kind: 'sqlite',
    db,
    revision: new RevisionTracker(db),
    stateNames: sqliteStateNames(db),
    recommendations: sqliteRecommendationStore(db),
    stats: sqliteStatsStore(db),
    sources: sqliteSourceStore(db),
    reviews: sqliteReviewStore(db),
    states: sqliteStateStore(db),
    vocabularies: sqliteVocabularyStore(db),
    related: sqliteRelatedStore(db),
    migrations: { applied: () => appliedMigrationCount(db), expected: expectedMigrationCount() },
    close: async () => {
      db.$client.close();
    },
  };
}
