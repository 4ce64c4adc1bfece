import type { Db } from '../db/open.js';
import { type ReadStore, sqliteReadStore } from '../db/read-store.js';
import { reviewCsvColumns } from './csv.js';
import { getReview, listReviews, pageReviews } from './queries.js';
import type { ReviewDetail, ReviewFilter } from './schemas.js';

// The reviews' store (src/db/read-store.ts): SQLite's reads queries.ts; PostgreSQL's is pg-queries.ts. The
// list has one order, by id.

export type ReviewStore = ReadStore<ReviewFilter, ReviewDetail>;

export const REVIEW_LIST = { resource: 'reviews', columns: reviewCsvColumns };

export function sqliteReviewStore(db: Db): ReviewStore {
  return sqliteReadStore(db, REVIEW_LIST, {
    page: (from, f, _sort, limit, after) => pageReviews(from, f, limit, after),
    list: (from, f, sort, limit, after) => listReviews(from, f, sort.name, limit, after),
    get: getReview,
  });
}
