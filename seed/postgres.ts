import type pg from 'pg';
import { freshenPostgres } from '../src/db/pg/freshen.js';
import { openPostgres } from '../src/db/pg/open.js';
import { copyScope, copyVocabularies, type FileScope } from '../src/import/pg-import-scope.js';
import { inScratchTransaction, writeThroughScratch } from '../src/import/pg-scratch.js';
import { pgMaterialize } from '../src/recommendations/pg-documents.js';
import { pgStateNames } from '../src/related/pg-freshen.js';
import { pgRelateRenamed } from '../src/related/pg-state-name-changes.js';
import { applySeed, type SeedReport, seededIds } from './apply.js';
import { claimKey, type SeededIds } from './audit.js';
import * as kgz from './kyrgyzstan-upr3.js';

// `npm run seed` with DATABASE_URL: the PostgreSQL database is migrated, then gets what the seed has and it
// lacks, as `npm run seed` adds it to a SQLite file: all of it in a new database, what a release added to the
// seed (an alias, a theme, a link) or what was deleted since in one holding records. SQLite's seed (apply.ts)
// runs unchanged on a scratch SQLite file holding what it can read, and what it changed is written into
// PostgreSQL (src/import/pg-scratch.ts, as an import on PostgreSQL does): the same rows, audit entries,
// versions, revision, stored documents, relations, counts and machine labels as on SQLite, in one transaction
// under the write lock every writer takes. API keys are not read or written.
//
// A new database was filled by copying a newly seeded SQLite file into it (npm run db:copy's path) before;
// this path writes the same tables in about the same time (1.2 s against 1.3 s), so it is the only one.

/** Seeds the PostgreSQL database at `url`; `now` stamps what it creates. */
export async function seedPostgres(url: string, now?: string): Promise<SeedReport> {
  const db = await openPostgres(url, { poolMax: 1 });
  try {
    // As a start does (src/db/pg/backend.ts), and SQLite's open before its seed: what a migration left stale.
    await freshenPostgres(db.$client);
    return await pgApplySeed(db.$client, now);
  } finally {
    await db.$client.end();
  }
}

/**
 * What the seed's run can read or change (src/import/pg-import-scope.ts): the states of its reviews and
 * developments, its recommendations and those its stored developments and assessments refer to (with their
 * states' records), its sources, developments and statements.
 */
async function seedScope(client: pg.PoolClient): Promise<FileScope> {
  const developmentIds = kgz.DEVELOPMENTS.map((d) => d.id);
  const { rows } = await client.query<{ id: string }>(
    `select recommendation_id as id from development_recommendations where development_id = any($1::text[])
      union select recommendation_id from assessments where id = any($2::text[])`,
    [developmentIds, kgz.ASSESSMENTS.map((a) => a.id)],
  );
  return {
    states: [...new Set([...kgz.REVIEWS.map((r) => r.stateCode), ...kgz.DEVELOPMENTS.map((d) => d.stateCode)])],
    recommendationIds: [...kgz.RECOMMENDATIONS.map((r) => r.id), ...rows.map((row) => row.id)],
    sourceIds: kgz.SOURCES.map((s) => s.id),
    sourceUrls: kgz.SOURCES.map((s) => s.url),
    developmentIds,
    statementIds: kgz.STATEMENTS.map((s) => s.id),
  };
}

/** claimedRecords (seed/audit.ts) on PostgreSQL: the scratch file holds no audit log. */
async function pgClaimedRecords(client: pg.PoolClient, seeded: SeededIds): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (const [entity, ids] of Object.entries(seeded)) {
    const { rows } = await client.query<{ id: string }>(
      `select distinct entity_id as id from audit_log where entity = $1 and entity_id = any($2::text[]) and actor <> 'seed'`,
      [entity, ids],
    );
    for (const { id } of rows) claimed.add(claimKey(entity, id));
  }
  return claimed;
}

/** SQLite's applySeed on PostgreSQL's records. */
async function pgApplySeed(pool: pg.Pool, now?: string): Promise<SeedReport> {
  return inScratchTransaction(pool, false, async (scratch) => {
    const { client, db } = scratch;
    const copied = {};
    await copyVocabularies(client, db.$client, copied);
    await copyScope(client, db.$client, await seedScope(client), copied);
    const claimed = await pgClaimedRecords(client, seededIds());
    // The scratch file holds the recommendations of the seed's states only: those of the others whose text an
    // alias the release added strips differently are recomputed here (src/related/pg-state-name-changes.ts).
    const names = await pgStateNames(client);
    const report = await writeThroughScratch(scratch, async () => applySeed(db, now, claimed));
    await pgMaterialize(client, await pgRelateRenamed(client, names));
    return report;
  });
}
