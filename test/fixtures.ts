import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { pgWriteTransaction } from '../src/db/pg/write-transaction.js';
import { bumpRevision } from '../src/db/revision.js';
import { recommendations, recommendationStates } from '../src/db/schema.js';
import { paragraphSortKey } from '../src/recommendations/paragraph.js';
import { postgresSide } from './helpers.js';
import { numberedPlaceholders } from './support/test-sql.js';

// Writes test records straight into the app's database, whichever backend it runs on, leaving what a real
// write leaves (the stored document and CSV line, the kept stats counts, a new data revision) but no audit
// entry: records the test needs as given, not a curator's change.

export interface RecommendationFixture {
  id: string;
  text: string;
  paragraph?: string | null;
  reviewId?: string;
  recommendingStates?: string[];
  position?: (typeof recommendations.$inferInsert)['position'];
}

export async function insertRecommendation(app: FastifyInstance, fixture: RecommendationFixture): Promise<void> {
  const now = new Date().toISOString();
  const paragraph = fixture.paragraph ?? null;
  const row = {
    id: fixture.id,
    reviewId: fixture.reviewId ?? 'KGZ-3',
    paragraph,
    paragraphSortKey: paragraphSortKey(paragraph),
    text: fixture.text,
    verbatim: false,
    position: fixture.position ?? null,
    // A position is stored only with the source that records it (migration import_checks).
    positionSource: fixture.position ? 'A/HRC/44/9/Add.1' : null,
    createdAt: now,
    updatedAt: now,
  };
  const states = fixture.recommendingStates ?? ['FIN'];
  if (postgresSide(app) === undefined) {
    // SQLite's triggers mark the document stale; the next read rebuilds it (freshenDocuments).
    app.db.transaction((tx) => {
      tx.insert(recommendations).values(row).run();
      for (const stateCode of states) tx.insert(recommendationStates).values({ recommendationId: row.id, stateCode }).run();
    });
    bumpRevision(app.db);
    return;
  }
  await pgFixtureWrite(app, [row.id], async (tx) => {
    await tx.query(
      `insert into recommendations (id, review_id, paragraph, paragraph_sort_key, text, verbatim, position,
        position_source, created_at, updated_at, fts_rowid)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (select coalesce(max(fts_rowid), 0) + 1 from recommendations))`,
      [row.id, row.reviewId, row.paragraph, row.paragraphSortKey, row.text, row.verbatim, row.position, row.positionSource, now, now],
    );
    await tx.query(
      'insert into recommendation_states (recommendation_id, state_code) select $1, jsonb_array_elements_text($2::jsonb)',
      [row.id, JSON.stringify(states)],
    );
  });
}

/**
 * Runs SQL statements (`?` placeholders, SQL both backends read) as one write, leaving what a real write
 * leaves: the stored documents of the recommendations named in `touched` rebuilt (on SQLite its triggers find
 * them), the stats counted, a new data revision; no audit entry.
 */
export async function writeRows(app: FastifyInstance, touched: readonly string[], statements: [text: string, params: unknown[]][]): Promise<void> {
  if (postgresSide(app) === undefined) {
    const client = app.db.$client;
    client.transaction(() => {
      for (const [text, params] of statements) client.prepare(text).run(...params);
    })();
    bumpRevision(app.db);
    return;
  }
  await pgFixtureWrite(app, touched, async (tx) => {
    for (const [text, params] of statements) await tx.query(numberedPlaceholders(text), params);
  });
}

/** A write on the PostgreSQL side of a test app, in one write transaction as the app's writes: it rebuilds the touched documents and counts the stats. */
async function pgFixtureWrite(app: FastifyInstance, touched: readonly string[], write: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
  const side = postgresSide(app)!;
  await side.pending;
  await pgWriteTransaction(side.pool, 'test-fixture', async ({ tx, stale }) => {
    await write(tx);
    stale(touched);
    // No audit entry, so the transaction does not bump the revision itself.
    await tx.query(`insert into meta (key, value) values ('revision', '1')
      on conflict (key) do update set value = (cast(meta.value as bigint) + 1)::text`);
  });
}
