import { sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import type { Relation } from '../db/schema.js';
import { inList } from '../db/keyset.js';
import { type AnsweredAt, readAnswered } from '../db/revision.js';
import type { RecommendationRecord } from '../recommendations/schemas.js';
import { freshenDocuments } from '../recommendations/documents.js';
import type { RelatedList, RelatedQuery } from './schemas.js';
import { RECURRENCE_THRESHOLD, RELATED_FLOOR } from './settings.js';

type RelatedRow = { json: string; score: number; relation: Relation };

/** The queries of a recommendation's related list (SQL both databases run): whether it exists, its relations. */
export function relatedQueries(id: string, query: RelatedQuery) {
  const relation = query.relation ? sql` and ${inList(sql`l.relation`, query.relation)}` : sql``;
  return {
    exists: sql`select 1 from recommendations where id = ${id}`,
    // The related records' stored documents (src/recommendations/documents.ts) give their other fields.
    related: sql`select d.json, l.score, l.relation
      from recommendation_relations l join recommendation_documents d on d.recommendation_id = l.related_id
      where l.recommendation_id = ${id}${relation}
      order by l.score desc, l.related_id limit ${query.limit}`,
  };
}

/** The recommendations most like one recommendation (undefined when it does not exist), from the stored relations. */
export function relatedRecommendations(db: Db, id: string, query: RelatedQuery): RelatedList | undefined {
  const queries = relatedQueries(id, query);
  if (db.get(queries.exists) === undefined) return undefined;
  return relatedListOf(db.all<RelatedRow>(queries.related), query);
}

export function relatedListOf(rows: RelatedRow[], query: RelatedQuery): RelatedList {
  return {
    data: rows.map((row) => {
      const record = JSON.parse(row.json) as RecommendationRecord;
      return {
        id: record.id,
        reviewId: record.reviewId,
        cycle: record.cycle,
        recommendingStates: record.recommendingStates,
        position: record.position,
        text: record.text,
        score: row.score,
        relation: row.relation,
      };
    }),
    meta: { limit: query.limit, floor: RELATED_FLOOR, recurrenceThreshold: RECURRENCE_THRESHOLD },
  };
}

export interface RelatedStore {
  /** The related list, or undefined for no such recommendation, read in one snapshot after the stamp it tells `answered`. */
  related(id: string, query: RelatedQuery, answered: AnsweredAt): Promise<RelatedList | undefined>;
}

export function sqliteRelatedStore(db: Db): RelatedStore {
  return {
    related: async (id, query, answered) => {
      freshenDocuments(db);
      return readAnswered(db, answered, () => relatedRecommendations(db, id, query));
    },
  };
}
