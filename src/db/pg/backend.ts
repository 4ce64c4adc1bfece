import { pgAuthenticateHeader } from '../../auth/pg-keys.js';
import { pgChangeStore } from '../../changes/pg-queries.js';
import { pgRecommendationStore } from '../../recommendations/pg-store.js';
import { pgRecommendationWrites } from '../../recommendations/pg-write-store.js';
import { pgStatsStore } from '../../stats/pg-queries.js';
import { pgSourceStore } from '../../sources/pg-queries.js';
import { pgReviewStore } from '../../reviews/pg-queries.js';
import { pgStateStore } from '../../states/pg-queries.js';
import { pgVocabularyStore } from '../../themes/pg-queries.js';
import { pgRelatedStore } from '../../related/pg-queries.js';
import { pgDevelopmentStore } from '../../developments/pg-queries.js';
import { pgDevelopmentWrites } from '../../developments/pg-write-store.js';
import { pgStatementStore } from '../../statements/pg-queries.js';
import { pgStatementWrites } from '../../statements/pg-write-store.js';
import { pgAssessmentStore } from '../../assessments/pg-queries.js';
import { pgAssessmentWrites } from '../../assessments/pg-writes.js';
import { pgReviewWrites } from '../../reviews/pg-writes.js';
import { pgStateWrites } from '../../states/pg-writes.js';
import { ImportThread } from '../../import/import-thread.js';
import { pgImportFile } from '../../import/pg-import.js';
import type { StateSpellings } from '../../states/filter-names.js';
import { FILTER_ID_QUERIES, type IdEntries, type IdEntry } from '../../themes/filter-ids.js';
import type { Backend } from '../backend.js';
import type { Db } from '../open.js';
import { type FreshenOptions, freshenPostgres } from './freshen.js';
import { appliedPgMigrationCount, expectedPgMigrationCount, openPostgres } from './open.js';
import { withoutReadTimeout } from './read-timeout.js';
import { PgRevision } from './revision.js';
import { warnOfTextRules } from './text-rules.js';
import { warnOfConnectionLimit } from './connection-limit.js';
import { importedBytes } from '../../import/zip.js';

// PostgreSQL behind the service (DATABASE_URL): one bounded pool, migrated on open; the stores ported so far
// read it, and the data revision is read from it on each request (src/db/pg/revision.ts).

/** What the modules not yet ported get as their SQLite `db`: their routes answer 501 before reaching it. */
const notOnPostgres = new Proxy({} as Db, {
  get(_target, key) {
    // Fastify's decorate() and promise checks look for these; nothing else may read a SQLite database here.
    if (typeof key === 'symbol' || key === 'getter' || key === 'setter' || key === 'then') return undefined;
    throw new Error(`the SQLite database was asked for (${String(key)}) while serving from PostgreSQL`);
  },
});

/**
 * PostgreSQL at `url`, migrated, its stale relations and stored documents brought up to date (src/db/pg/freshen.ts:
 * one query when none are), progress said to `freshen.log`.
 */
export async function postgresBackend(
  url: string,
  poolMax: number,
  lockTimeoutMs?: number,
  importThreadMinBytes = 0,
  freshen: FreshenOptions & { connectTimeoutMs?: number; readTimeoutMs?: number; importThreadMaxHeapMb?: number } = {},
): Promise<Backend> {
  const { connectTimeoutMs, readTimeoutMs, waitMs: migrateWaitMs } = freshen;
  const db = await openPostgres(url, { poolMax, lockTimeoutMs, connectTimeoutMs, readTimeoutMs, migrateWaitMs });
  try {
    await freshenPostgres(db.$client, freshen);
    // Not cut by the read timeout either, as the start's other checks (a lock held on states made the start fail).
    const seeded = await withoutReadTimeout(db.$client, async (client) => {
      await warnOfTextRules(client, freshen.log);
      await warnOfConnectionLimit(client, poolMax, freshen.log);
      // Migrated here, but seeded only by `npm run seed`: an import into it resolves no state (a 422 that says so).
      const { rows } = await client.query<{ seeded: boolean }>('select exists (select 1 from states) as seeded');
      return rows[0]!.seeded;
    });
    if (!seeded) {
      freshen.log?.warn?.(
        {},
        'The PostgreSQL database holds no states: it is empty until seeded. Run `npm run seed` with its DATABASE_URL ' +
          '(or copy a SQLite database into it with `npm run db:copy`) before importing.',
      );
    }
  } catch (error) {
    await db.$client.end();
    throw error;
  }
  const pool = db.$client;
  const revision = new PgRevision(pool);
  const thread = new ImportThread({ kind: 'postgres', url, lockTimeoutMs, connectTimeoutMs }, freshen.importThreadMaxHeapMb);
  return {
    kind: 'postgres',
    db: notOnPostgres,
    revision,
    stateNames: {
      current: () => revision.current(),
      stamp: () => revision.stamp(),
      spellings: async (): Promise<StateSpellings> => ({
        states: (await pool.query<{ code: string; name: string }>('select code, name from states')).rows,
        aliases: (await pool.query<{ key: string; code: string }>('select key, state_code as code from state_aliases')).rows,
      }),
    },
    filterIds: {
      current: () => revision.current(),
      stamp: () => revision.stamp(),
      entries: async (kinds) =>
        Object.fromEntries(await Promise.all(kinds.map(async (kind) => [kind, (await pool.query<IdEntry>(FILTER_ID_QUERIES[kind])).rows]))) as IdEntries,
    },
    recommendationIds: {
      stored: async (ids) => (await pool.query<{ id: string }>('select id from recommendations where id = any($1::text[])', [ids])).rows.map((row) => row.id),
    },
    recommendations: pgRecommendationStore(pool),
    recommendationWrites: pgRecommendationWrites(pool),
    authenticate: (header) => pgAuthenticateHeader(pool, header),
    changes: pgChangeStore(pool),
    stats: pgStatsStore(pool),
    sources: pgSourceStore(pool),
    reviews: pgReviewStore(pool),
    states: pgStateStore(pool),
    vocabularies: pgVocabularyStore(pool),
    related: pgRelatedStore(pool),
    developments: pgDevelopmentStore(pool),
    developmentWrites: pgDevelopmentWrites(pool),
    statements: pgStatementStore(pool),
    statementWrites: pgStatementWrites(pool),
    assessments: pgAssessmentStore(pool),
    assessmentWrites: pgAssessmentWrites(pool),
    reviewWrites: pgReviewWrites(pool),
    stateWrites: pgStateWrites(pool),
    importFile: (source, options) =>
      source.bytes !== undefined && importedBytes(source.bytes) >= importThreadMinBytes
        ? thread.run(source.name, source.bytes, options)
        : pgImportFile({ pool }, source, options),
    migrations: { applied: () => appliedPgMigrationCount(db), expected: expectedPgMigrationCount() },
    close: async () => {
      await thread.close();
      await pool.end();
    },
  };
}
