import type { FastifyInstance } from 'fastify';
import { pgWriteTransaction } from '../src/db/pg/write-transaction.js';
import { bumpRevision } from '../src/db/revision.js';
import { recommendations, recommendationStates } from '../src/db/schema.js';
import { paragraphSortKey } from '../src/recommendations/paragraph.js';
import { postgresSide } from './helpers.js';

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
  const side = postgresSide(app);
  if (side === undefined) {
    // SQLite's triggers mark the document stale; the next read rebuilds it (freshenDocuments).
    app.db.transaction((tx) => {
      tx.insert(recommendations).values(row).run();
      for (const stateCode of states) tx.insert(recommendationStates).values({ recommendationId: row.id, stateCode }).run();
    });
    bumpRevision(app.db);
    return;
  }
  await side.pending;
  // On PostgreSQL in one write transaction, as the app's writes: it rebuilds the document and flushes the stats.
  await pgWriteTransaction(side.pool, 'test-fixture', async ({ tx, stale }) => {
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
    stale([row.id]);
    // No audit entry, so the transaction does not bump the revision itself.
    await tx.query(`insert into meta (key, value) values ('revision', '1')
      on conflict (key) do update set value = (cast(meta.value as bigint) + 1)::text`);
  });
}
