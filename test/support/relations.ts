import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { copyDatabase } from '../../src/db/copy/copy.js';
import { openDatabase } from '../../src/db/open.js';
import { type RelateCounts, relateAll } from '../../src/related/refresh.js';
import { send } from '../curation-helpers.js';
import { postgresSide, tempDir } from '../helpers.js';
import { testSql } from './test-sql.js';

// The relations a test app stores, and those a full recomputation (`npm run relate`) gives, on either backend.

export type RelationRow = [recommendationId: string, relatedId: string, score: number, relation: string, relatedCycle: number];
const RELATIONS = 'select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations';
const inPairOrder = (rows: RelationRow[]) => rows.sort(([a, b], [c, d]) => (a === c ? (b < d ? -1 : 1) : a < c ? -1 : 1));
const asRows = (rows: Record<string, unknown>[]) => inPairOrder(rows.map((row) => Object.values(row) as RelationRow));

/** The relations the app stores (those of one recommendation, given its id), by pair. */
export async function storedRelations(app: FastifyInstance, of?: string): Promise<RelationRow[]> {
  return asRows(await testSql(app).all(of === undefined ? RELATIONS : `${RELATIONS} where recommendation_id = ?`, of === undefined ? [] : [of]));
}

/**
 * A full recomputation of the app's relations (`npm run relate`: SQLite's relateAll), with what it changed and
 * the relations it leaves: in place on SQLite; on PostgreSQL, on a SQLite copy of its database (npm run
 * db:copy), which the relate command runs on.
 */
export async function recomputedRelations(
  t: Test,
  app: FastifyInstance,
  states?: string[],
): Promise<{ counts: RelateCounts; relations: RelationRow[] }> {
  const side = postgresSide(app);
  let db = app.db;
  if (side !== undefined) {
    await side.pending;
    const path = join(tempDir(t), 'copy.sqlite');
    await copyDatabase({ kind: 'postgres', url: side.pool.options.connectionString! }, { kind: 'sqlite', path });
    db = openDatabase(path, { seed: false });
  }
  try {
    const counts = db.transaction(() => relateAll(db, states, () => {}));
    return { counts, relations: asRows(db.$client.prepare(RELATIONS).all() as Record<string, unknown>[]) };
  } finally {
    if (db !== app.db) db.$client.close();
  }
}

const SOURCE = { title: 'Working Group report', publisher: 'Human Rights Council', url: 'https://example.org/wg-report' };

/** A recommendation created through the API (its review stored), made by `by`; its id. */
export async function createRecommendation(app: FastifyInstance, key: string, reviewId: string, text: string, by: string): Promise<string> {
  const { response, body } = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId, text, verbatim: true, recommendingStates: [by], sources: [SOURCE] },
  });
  if (response.statusCode !== 201) throw new Error(response.body);
  return body.id as string;
}
