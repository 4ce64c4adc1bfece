import type { FastifyBaseLogger } from 'fastify';
import { authenticateHeader } from '../auth/keys.js';
import type { Authenticate } from '../auth/plugin.js';
import { type ChangeStore, sqliteChangeStore } from '../changes/store.js';
import { RevisionTracker } from '../http/cache.js';
import { importFile, type RunImport } from '../import/run.js';
import { type RecommendationStore, sqliteRecommendationStore } from '../recommendations/store.js';
import { type RecommendationWrites, sqliteRecommendationWrites } from '../recommendations/write-store.js';
import { type StateNameSource, sqliteStateNames } from '../states/filter-names.js';
import { type FilterIdSource, sqliteFilterIds } from '../themes/filter-ids.js';
import { type RecommendationIdSource, sqliteRecommendationIds } from '../recommendations/id-filter.js';
import { type StatsStore, sqliteStatsStore } from '../stats/store.js';
import { type SourceStore, sqliteSourceStore } from '../sources/store.js';
import { type ReviewStore, sqliteReviewStore } from '../reviews/store.js';
import { type StateStore, sqliteStateStore } from '../states/store.js';
import { sqliteVocabularyStore, type VocabularyStore } from '../themes/queries.js';
import { type RelatedStore, sqliteRelatedStore } from '../related/queries.js';
import { type DevelopmentStore, sqliteDevelopmentStore } from '../developments/store.js';
import { type DevelopmentWrites, sqliteDevelopmentWrites } from '../developments/write-store.js';
import { type StatementStore, sqliteStatementStore } from '../statements/store.js';
import { type StatementWrites, sqliteStatementWrites } from '../statements/write-store.js';
import { type AssessmentStore, sqliteAssessmentStore } from '../assessments/store.js';
import { sqliteAssessmentWrites } from '../assessments/writes.js';
import type { WriteHandlers } from '../curation/http.js';
import { sqliteReviewWrites } from '../reviews/writes.js';
import { sqliteStateWrites } from '../states/writes.js';
import { ImportThread } from '../import/import-thread.js';
import { appliedMigrationCount, DEFAULT_BUSY_TIMEOUT_MS, type Db, expectedMigrationCount, openDatabase } from './open.js';
import { WriteGate } from './write-gate.js';
import { WalCheckpointThread } from './wal-thread.js';
import { DatabaseFiles, type FileTrouble } from './database-files.js';
import type { RevisionSource } from './revision.js';
import { importedBytes } from '../import/zip.js';

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
  /** The ids that theme, affectedPersons and reviewId filters take (src/themes/filter-ids.ts). */
  filterIds: FilterIdSource;
  /** Which recommendation ids are stored, for the recommendationId filters (src/recommendations/id-filter.ts). */
  recommendationIds: RecommendationIdSource;
  recommendations: RecommendationStore;
  /** The recommendations' write routes (src/recommendations/write-store.ts). */
  recommendationWrites: RecommendationWrites;
  /** Checks a request's API key against the stored keys (src/auth). */
  authenticate: Authenticate;
  /** Record histories and the change feed (src/changes). */
  changes: ChangeStore;
  stats: StatsStore;
  sources: SourceStore;
  reviews: ReviewStore;
  states: StateStore;
  vocabularies: VocabularyStore;
  related: RelatedStore;
  developments: DevelopmentStore;
  developmentWrites: DevelopmentWrites;
  statements: StatementStore;
  statementWrites: StatementWrites;
  assessments: AssessmentStore;
  /** The write routes of assessments, reviews and states (POST, PATCH, DELETE). */
  assessmentWrites: WriteHandlers;
  reviewWrites: WriteHandlers;
  stateWrites: WriteHandlers;
  /** Runs an import (POST /v1/imports; src/import/pg-import.ts on PostgreSQL). */
  importFile: RunImport;
  /**
   * SQLite: held by each import, which may write from its thread (src/db/write-gate.ts); the write routes wait
   * for it. PostgreSQL has none (a write meets an import's locks in the database, asynchronously).
   */
  writeGate?: WriteGate;
  /** SQLite: whether the files the server opened are still those at DATABASE_PATH (src/db/database-files.ts). */
  fileTrouble?: () => FileTrouble | undefined;
  /** SQLite: checkpoints the server's log off the event loop, asked after the write routes' commits (src/db/wal-thread.ts). */
  walCheckpoints?: WalCheckpointThread;
  /** Migrations applied (for /readyz) and expected. */
  migrations: { applied(): number | Promise<number>; expected: number };
  close(): Promise<void>;
}

export interface SqliteBackendOptions {
  busyTimeoutMs?: number;
  /** Files of at least this many bytes are imported in the import thread (see Limits.importThreadMinBytes). */
  importThreadMinBytes?: number;
  /** The import thread's heap in MB (0 or absent: V8's default). */
  importThreadMaxHeapMb?: number;
  /** How long opening waits for another process's write lock when it has to write, and where it says so. */
  openWaitMs?: number;
  log?: Pick<FastifyBaseLogger, 'warn' | 'info'>;
}

export function sqliteBackend(path: string, options: SqliteBackendOptions = {}): Backend {
  const { busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS, importThreadMinBytes = 0 } = options;
  const db = openDatabase(path, {
    busyTimeoutMs,
    openWaitMs: options.openWaitMs,
    onWait: (waitMs) => options.log?.warn({ waitMs }, 'SQLite: another process (an import, say) is writing to the database: waiting for it'),
    onStep: (step) => options.log?.info(step),
  });
  const gate = new WriteGate(db.$client, busyTimeoutMs);
  const files = path === ':memory:' ? undefined : new DatabaseFiles(path);
  // (An in-memory database is this connection's alone: no other thread can import into it.)
  const thread = path === ':memory:' ? undefined : new ImportThread({ kind: 'sqlite', path, busyTimeoutMs }, options.importThreadMaxHeapMb);
  const checkpoints = path === ':memory:' ? undefined : new WalCheckpointThread(db.$client, options.log);
  return {
    kind: 'sqlite',
    db,
    revision: new RevisionTracker(db),
    stateNames: sqliteStateNames(db),
    filterIds: sqliteFilterIds(db),
    recommendationIds: sqliteRecommendationIds(db),
    recommendations: sqliteRecommendationStore(db),
    recommendationWrites: sqliteRecommendationWrites(db),
    authenticate: (header) => authenticateHeader(db, header),
    changes: sqliteChangeStore(db),
    stats: sqliteStatsStore(db),
    sources: sqliteSourceStore(db),
    reviews: sqliteReviewStore(db),
    states: sqliteStateStore(db),
    vocabularies: sqliteVocabularyStore(db),
    related: sqliteRelatedStore(db),
    developments: sqliteDevelopmentStore(db),
    developmentWrites: sqliteDevelopmentWrites(db),
    statements: sqliteStatementStore(db),
    statementWrites: sqliteStatementWrites(db),
    assessments: sqliteAssessmentStore(db),
    assessmentWrites: sqliteAssessmentWrites(db),
    reviewWrites: sqliteReviewWrites(db),
    stateWrites: sqliteStateWrites(db),
    importFile: (source, options) =>
      gate.exclusive(() =>
        thread !== undefined && source.bytes !== undefined && importedBytes(source.bytes) >= importThreadMinBytes
          ? thread.run(source.name, source.bytes, options)
          : importFile(db, source, options),
      ),
    writeGate: gate,
    fileTrouble: files && (() => files.trouble()),
    walCheckpoints: checkpoints,
    migrations: { applied: () => appliedMigrationCount(db), expected: expectedMigrationCount() },
    close: async () => {
      await checkpoints?.close();
      await thread?.close();
      db.$client.close();
    },
  };
}
