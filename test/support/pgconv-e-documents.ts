import type { FastifyInstance } from 'fastify';
import { buildRecommendationRecords } from '../../src/recommendations/queries.js';
import type { RecommendationRecord } from '../../src/recommendations/schemas.js';
import { postgresSide } from '../helpers.js';

/**
 * The list records of these recommendations built afresh from a test app's base tables, whichever backend it
 * runs on: SQLite's buildRecommendationRecords, PostgreSQL's pgBuildRecommendationRecords (what each backend's
 * writes store as documents).
 */
export async function freshRecords(app: FastifyInstance, ids: readonly string[]): Promise<RecommendationRecord[]> {
  const side = postgresSide(app);
  if (side === undefined) return buildRecommendationRecords(app.db, ids);
  await side.pending;
  // Imported here: SQLite runs need not load pg.
  const { pgBuildRecommendationRecords } = await import('../../src/recommendations/pg-documents.js');
  return pgBuildRecommendationRecords(side.pool, ids);
}

/** Rebuilds the stored documents of these ids on PostgreSQL (pgMaterialize, as a write does before it commits). */
export async function pgRematerialize(app: FastifyInstance, ids: readonly string[]): Promise<void> {
  const side = postgresSide(app)!;
  await side.pending;
  const { pgMaterialize } = await import('../../src/recommendations/pg-documents.js');
  await pgMaterialize(side.pool, ids);
}
