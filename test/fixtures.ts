import type { FastifyInstance } from 'fastify';
import { bumpRevision } from '../src/db/revision.js';
import { recommendations, recommendationStates } from '../src/db/schema.js';
import { paragraphSortKey } from '../src/recommendations/paragraph.js';

// Writes test records straight through the database layer (the write API comes with the curation issue).

export interface RecommendationFixture {
  id: string;
  text: string;
  paragraph?: string | null;
  reviewId?: string;
  recommendingStates?: string[];
  position?: (typeof recommendations.$inferInsert)['position'];
  /** Where the position is recorded: a position needs one (the schema's checks refuse it without). */
  positionSource?: string;
}

export function insertRecommendation(app: FastifyInstance, fixture: RecommendationFixture): void {
  const now = new Date().toISOString();
  const paragraph = fixture.paragraph ?? null;
  app.db.transaction((tx) => {
    tx.insert(recommendations)
      .values({
        id: fixture.id,
        reviewId: fixture.reviewId ?? 'KGZ-3',
        paragraph,
        paragraphSortKey: paragraphSortKey(paragraph),
        text: fixture.text,
        verbatim: false,
        position: fixture.position ?? null,
        positionSource: fixture.position ? (fixture.positionSource ?? 'test fixture') : null,
        createdAt: now,
        updatedAt: now,
      })
      .run();
    for (const stateCode of fixture.recommendingStates ?? ['FIN']) {
      tx.insert(recommendationStates).values({ recommendationId: fixture.id, stateCode }).run();
    }
  });
  bumpRevision(app.db);
}
