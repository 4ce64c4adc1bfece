import type Database from 'better-sqlite3';
import { trailingGroups } from '../states/names-in-text.js';
import type { ImportNote, ImportRecord, ReviewInput } from './types.js';

// A data set can print one review's recommendations a second time under a later year: the Terman corpus's
// 2014 file holds Guinea's first review (2010) again, 114 rows with the same paragraph numbers and texts, and
// its year made them a second-cycle review (GIN-2) that no report ever held, each of its records "recurring"
// from its own original. No review reprints an earlier one's numbered paragraphs word for word, so a review
// whose numbered recommendations are almost all (COPY_SHARE) another review's of the same state in an
// earlier cycle, same number and same text, is a copy of it: the later one is the copy (no report quotes a
// later report). A file's copy is not imported (each row reported); a copy stored before (a database that
// imported the later file first, or before this check) is kept and a warning names it.

/** At least this many numbered recommendations make a review comparable (fewer can coincide). */
export const COPY_MIN_PARAGRAPHS = 10;
/** The share of a review's numbered recommendations found word for word in the earlier review that makes it a copy. */
export const COPY_SHARE = 0.9;

interface Keyed {
  reviewId: string;
  paragraph: string | null;
  text: string;
}

/** A recommendation's number and text without its trailing "(State);" groups, spaces and case. */
const keyOf = (paragraph: string, text: string) =>
  `${paragraph}\u0000${trailingGroups(text).body.replace(/\s+/g, ' ').trim().toLowerCase()}`;

function keysByReview(records: Iterable<Keyed>): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const { reviewId, paragraph, text } of records) {
    if (paragraph === null) continue;
    const set = keys.get(reviewId) ?? new Set<string>();
    set.add(keyOf(paragraph, text));
    keys.set(reviewId, set);
  }
  return keys;
}

export interface CopiedReviews<T extends ImportRecord> {
  /** The file's records that are not copies. */
  records: T[];
  /** The reviews of the file that are copies (none of their records kept). */
  copies: Set<string>;
  /** Each row of a copy, as a problem (not imported). */
  problems: ImportNote[];
  /** Copies already stored, one warning each. */
  warnings: ImportNote[];
}

interface Copy {
  earlier: string;
  same: number;
  total: number;
}

const copyWords = (later: string, { earlier, same, total }: Copy) =>
  `review ${later} repeats review ${earlier} word for word (${same} of its ${total} numbered recommendations, with the ` +
  'same numbers and texts): a copy of the earlier review, not a review of its own';

/** Whether `later`'s numbered recommendations are, nearly all, `earlier`'s (how many are), when there are enough to tell. */
function copied(later: Set<string>, earlier: Set<string>): number | undefined {
  if (later.size < COPY_MIN_PARAGRAPHS) return undefined;
  let same = 0;
  for (const key of later) if (earlier.has(key)) same++;
  return same >= COPY_SHARE * later.size ? same : undefined;
}

/**
 * The file's records without those of its reviews that copy an earlier review of their state (stored, or in
 * the same file); and a warning for each stored review that copies an earlier one the file gives or names.
 */
export function withoutCopiedReviews<T extends ImportRecord>(
  sql: Database.Database,
  records: T[],
  reviews: ReviewInput[],
): CopiedReviews<T> {
  const result: CopiedReviews<T> = { records, copies: new Set(), problems: [], warnings: [] };
  const inFile = keysByReview(records);
  if (inFile.size === 0) return result;
  const otherReviews = sql.prepare('select id, cycle from reviews where state_code = ? and cycle <> ?');
  const storedOf = sql.prepare(
    'select review_id as reviewId, paragraph, text from recommendations where review_id = ? and paragraph is not null',
  );
  const storedCount = sql.prepare('select count(*) from recommendations where review_id = ?').pluck();
  // A review's numbered recommendations, stored and in the file.
  const known = new Map<string, Set<string>>();
  const keysOf = (reviewId: string) => {
    let keys = known.get(reviewId);
    if (keys === undefined) {
      keys = keysByReview(storedOf.all(reviewId) as Keyed[]).get(reviewId) ?? new Set();
      for (const key of inFile.get(reviewId) ?? []) keys.add(key);
      known.set(reviewId, keys);
    }
    return keys;
  };

  const copies = new Map<string, Copy>();
  const fileReviews = new Map(reviews.map((r) => [r.id, r]));
  const consider = (later: string, earlier: string) => {
    if (copies.has(later)) return;
    // The file's copy is judged by its own rows (what it would import), a stored one by what is stored.
    const laterKeys = fileReviews.has(later) ? (inFile.get(later) ?? new Set<string>()) : keysOf(later);
    const same = copied(laterKeys, keysOf(earlier));
    if (same === undefined) return;
    const copy = { earlier, same, total: laterKeys.size };
    copies.set(later, copy);
    const stored = storedCount.get(later) as number;
    if (stored === 0) return;
    result.warnings.push({ message: `${copyWords(later, copy)}: its ${stored} stored recommendations are kept; delete them` });
  };
  for (const review of reviews) {
    for (const other of otherReviews.all(review.stateCode, review.cycle) as { id: string; cycle: number }[]) {
      if (other.cycle > review.cycle) consider(other.id, review.id);
      else consider(review.id, other.id);
    }
  }
  for (const later of reviews) {
    for (const earlier of reviews) {
      if (earlier.stateCode === later.stateCode && earlier.cycle < later.cycle) consider(later.id, earlier.id);
    }
  }
  for (const later of copies.keys()) if (fileReviews.has(later)) result.copies.add(later);
  if (result.copies.size === 0) return result;
  result.records = records.filter((r) => !result.copies.has(r.reviewId));
  for (const r of records) {
    if (!result.copies.has(r.reviewId)) continue;
    const message = `${copyWords(r.reviewId, copies.get(r.reviewId)!)}: not imported`;
    for (const row of r.rows) result.problems.push({ row, paragraph: r.paragraph, message });
  }
  return result;
}
