import { type Key, scoreOf, SIMILARITY_THRESHOLD } from './match-score.js';

// What the recommending states say of a pair of fitting records (src/import/reconcile.ts). A text can fit a
// sibling better than its own record: Peru 2008's paragraph 52.14 prints two wordings of one request, Belgium's
// ("…a national system of protection of witnesses") and Brazil's ("…of human rights defenders"); UPR Info's text
// for Brazil ("…of witnesses and human rights defenders") shares more words with Belgium's (0.88) than with
// Brazil's (0.848, below the 0.85 that fits). So:
// - of the pairs that are not the same text, the ones whose states meet (or cannot be compared: a side without
//   states, or with one unresolved) are settled before those whose states are apart (none in common, all
//   resolved): a text goes to a record whose states are apart only when none whose states meet is left for it;
// - a pair whose states are apart calls up the siblings of its paragraph whose states meet the other side, when
//   their texts are SIBLING_THRESHOLD alike or more (Brazil's 0.848).
// The same text comes first whatever the states: two sources often code one text with different states (Korea
// and the Democratic People's Republic of Korea, Austria and Australia, a co-author named inside the text).

/** A pair closer than this, but not close enough to fit, fits still when its states meet and a sibling's are apart. */
export const SIBLING_THRESHOLD = 0.8;

/** One side of a pair: its recommending states, whether one is unresolved, its keys. */
export interface Side {
  states: ReadonlySet<string>;
  unresolved: boolean;
  keys: Key[];
}

/** How siblingPairs reads a record and a stored record. */
export interface Sides<R, T> {
  record: (r: R) => Side;
  target: (t: T) => Side;
  paragraphOfRecord: (r: R) => string | null;
  paragraphOfTarget: (t: T) => string | null;
  excludes: (r: R, t: T) => boolean;
}

/** Whether two sides share a recommending state, have none in common (all resolved), or cannot tell. */
export function statesOf(a: Side, b: Side): 'meet' | 'apart' | 'unknown' {
  if (a.states.size === 0 || b.states.size === 0) return 'unknown';
  for (const code of a.states) if (b.states.has(code)) return 'meet';
  return a.unresolved || b.unresolved ? 'unknown' : 'apart';
}

/** Of the pairs that are not the same text (those rank 2), the ones whose states meet or cannot tell (1), then the others (0). */
export function rankOf(a: Side, b: Side): number {
  return statesOf(a, b) === 'apart' ? 0 : 1;
}

type Ranked<R, T> = { record: R; target: T; score: number; rank: number };

/**
 * The pairs each pair whose states are apart calls up: its other side with a sibling of the same paragraph (in
 * the same review: the file's records, or the stored ones) whose states meet it, when their texts are at least
 * SIBLING_THRESHOLD alike (pairs that fit are among the pairs already). In either import order the same
 * siblings: the side with paragraphs is the file's or the stored one.
 */
export function siblingPairs<R, T>(
  pairs: Ranked<R, T>[],
  records: R[],
  targets: T[],
  side: Sides<R, T>,
): Ranked<R, T>[] {
  const byParagraph = <X>(list: X[], of: (x: X) => string | null) => {
    const map = new Map<string, X[]>();
    for (const x of list) {
      const paragraph = of(x);
      if (paragraph === null) continue;
      const same = map.get(paragraph);
      if (same) same.push(x);
      else map.set(paragraph, [x]);
    }
    return map;
  };
  let recordsBy: Map<string, R[]> | undefined;
  let targetsBy: Map<string, T[]> | undefined;
  const found: Ranked<R, T>[] = [];
  const seen = new Map<R, Set<T>>();
  const consider = (record: R, target: T) => {
    const r = side.record(record);
    const t = side.target(target);
    if (side.excludes(record, target) || statesOf(r, t) !== 'meet' || seen.get(record)?.has(target)) return;
    let score = 0;
    for (const a of r.keys) for (const b of t.keys) score = Math.max(score, scoreOf(a, b));
    if (score < SIBLING_THRESHOLD || score >= SIMILARITY_THRESHOLD) return;
    seen.set(record, (seen.get(record) ?? new Set()).add(target));
    found.push({ record, target, score, rank: 1 });
  };
  for (const { record, target, rank } of pairs) {
    if (rank !== 0) continue;
    const of = side.paragraphOfRecord(record);
    if (of !== null) {
      for (const sibling of (recordsBy ??= byParagraph(records, side.paragraphOfRecord)).get(of)!) if (sibling !== record) consider(sibling, target);
    }
    const at = side.paragraphOfTarget(target);
    if (at !== null) {
      for (const sibling of (targetsBy ??= byParagraph(targets, side.paragraphOfTarget)).get(at)!) if (sibling !== target) consider(record, sibling);
    }
  }
  return found;
}
