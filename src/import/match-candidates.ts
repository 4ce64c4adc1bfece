import { fittingScore, type Key, keyOf, SIMILARITY_THRESHOLD } from './match-score.js';

// Which records of a file fit which stored records of the same review (src/import/reconcile.ts), found
// without scoring every pair: a review's stored keys are indexed by some of their words, and a record is
// scored only against the keys that share, through the index, a word every fitting key must share with it.
// The result is exactly the exhaustive search's (test/import-match-candidates.test.ts compares them):
// - the same key: score 3, found by its text;
// - a Dice coefficient of the word sets ≥ t: with s shared words out of a and b, 2s ≥ t(a + b) and s ≤ a
//   give s ≥ α(b) = t·b / (2 − t). Order all words by rarity (then any fixed order): the first shared word
//   of two sets sharing s words is among the first b − s + 1 of one and the first a − s + 1 of the other,
//   so within the first b − α(b) + 1 (its "prefix") of each. Only the prefix words of a key are indexed,
//   and a record looks up only its own prefix words;
// - containment (scoreOf's 1 + dice): every space-delimited word inside the shorter text (not its first or
//   last, which may be cut) is a word of the longer one. Each key of 4 parts or more is indexed by its
//   rarest inner word, which the record then must have; and a record of 4 parts or more looks up the keys
//   that have its own rarest inner word;
// - the same text but for its spaces (scoreOf): the keys of the record's text without spaces, looked up by it.

/**
 * What a record is matched by: its key's text, and the stored records it may not fit (they have its source). A
 * record matched by several texts is several probes of the same `record` number (leaveOutSettled counts records).
 */
export interface Probe {
  text: string;
  excludes: (target: number) => boolean;
  record?: number;
  /** Another text of the record than its key (src/import/match-score.ts, textsOf): never the same key as a stored one. */
  variant?: boolean;
}

/** A record (its index in the probes) that fits a stored record (its index in the targets), and how well. */
export interface Fit {
  record: number;
  target: number;
  score: number;
}

/** The fewest words a set of `size` words must share with another for their Dice coefficient to reach the threshold. */
const leastShared = (size: number) => Math.max(1, Math.ceil((SIMILARITY_THRESHOLD * size) / (2 - SIMILARITY_THRESHOLD) - 1e-9));

/** Lists of key numbers by a number (a word's rank): offsets into one array, built in two passes (count, then fill). */
class Lists {
  private readonly start: Int32Array;
  private items = new Int32Array(0);
  private fill: Int32Array | undefined;

  constructor(size: number) {
    this.start = new Int32Array(size + 1);
  }

  /** First pass: one more key for the list of `at`. */
  count(at: number): void {
    this.start[at + 1]!++;
  }

  /** Between the passes. */
  allocate(): void {
    for (let i = 1; i < this.start.length; i++) this.start[i]! += this.start[i - 1]!;
    this.items = new Int32Array(this.start[this.start.length - 1]!);
    this.fill = this.start.slice(0, -1);
  }

  /** Second pass, in the same order as the first: key `k` into the list of `at`. */
  add(at: number, k: number): void {
    this.items[this.fill![at]!++] = k;
  }

  forEach(at: number, visit: (k: number) => void): void {
    for (let i = this.start[at]!, end = this.start[at + 1]!; i < end; i++) visit(this.items[i]!);
  }
}

/** The stored keys indexed by their words, and the helpers that read a key's words as ranks. */
function wordIndex(keys: Key[]) {
  // Words by rarity among the stored keys (then by first appearance): a word's rank is its place in that order
  // (any fixed order of the words gives the same pairs).
  const idOf = new Map<string, number>();
  const counts: number[] = [];
  const keyWords: Int32Array[] = [];
  for (const key of keys) {
    const ids = new Int32Array(key.words.size);
    let i = 0;
    for (const w of key.words) {
      let id = idOf.get(w);
      if (id === undefined) {
        id = counts.length;
        idOf.set(w, id);
        counts.push(0);
      }
      counts[id]!++;
      ids[i++] = id;
    }
    keyWords.push(ids);
  }
  const size = counts.length;
  // A counting sort by number of keys (stable: first appearance within the same number).
  const byCount = new Int32Array(keys.length + 2);
  for (const c of counts) byCount[c + 1]!++;
  for (let c = 1; c < byCount.length; c++) byCount[c]! += byCount[c - 1]!;
  const rankOfId = new Int32Array(size);
  for (let id = 0; id < size; id++) rankOfId[id] = byCount[counts[id]!]!++;
  const rankOf = (w: string) => {
    const id = idOf.get(w);
    return id === undefined ? -1 : rankOfId[id]!;
  };
  /** A key's words as ranks, rarest first; a word no stored key has is -1 (rarer than all). */
  const ranksOf = (key: Key) => {
    const ranks = new Int32Array(key.words.size);
    let i = 0;
    for (const w of key.words) ranks[i++] = rankOf(w);
    return ranks.sort();
  };
  const prefix = (ranks: Int32Array) => ranks.subarray(0, ranks.length - leastShared(ranks.length) + 1);
  /** The rank of a key's rarest inner word; -1 when one is no stored key's; undefined when it has none. */
  const rarestInner = (key: Key) => {
    const parts = key.list;
    let rarest: number | undefined;
    for (let i = 1; i < parts.length - 1; i++) {
      if (parts[i] === '') continue;
      const rank = rankOf(parts[i]!);
      if (rarest === undefined || rank < rarest) rarest = rank;
    }
    return rarest;
  };

  const byJoined = new Map<string, number[]>(); // keys by their text without spaces (scoreOf: the same words)
  keys.forEach((key, k) => {
    const same = byJoined.get(key.joined);
    if (same === undefined) byJoined.set(key.joined, [k]);
    else same.push(k);
  });
  const byWord = new Lists(size); // every key having the word
  const byPrefix = new Lists(size); // the keys having it in their prefix
  const byInner = new Lists(size); // keys of 4 parts or more whose rarest inner word it is
  const innerless: number[] = []; // keys of 4 parts or more with no inner word (only spaces inside)
  const keyRanks: Int32Array[] = [];
  const inners = new Int32Array(keys.length).fill(-1);
  keys.forEach((key, k) => {
    const ids = keyWords[k]!;
    const ranks = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) ranks[i] = rankOfId[ids[i]!]!;
    ranks.sort();
    keyRanks.push(ranks);
    for (const rank of ranks) byWord.count(rank);
    for (const rank of prefix(ranks)) byPrefix.count(rank);
    if (key.parts < 4) return;
    const inner = rarestInner(key);
    if (inner === undefined) innerless.push(k);
    else {
      inners[k] = inner;
      byInner.count(inner);
    }
  });
  byWord.allocate();
  byPrefix.allocate();
  byInner.allocate();
  keyRanks.forEach((ranks, k) => {
    for (const rank of ranks) byWord.add(rank, k);
    for (const rank of prefix(ranks)) byPrefix.add(rank, k);
    if (inners[k]! >= 0) byInner.add(inners[k]!, k);
  });

  return { ranksOf, prefix, rarestInner, byWord, byPrefix, byInner, innerless, byJoined };
}

type WordIndex = ReturnType<typeof wordIndex>;

/**
 * Every pair (record, stored record) whose score reaches the threshold — the stored record's best key over
 * the record's key, 3 for the same key — record by record, then stored record by stored record, as the
 * exhaustive search lists them; but a record with the same key as a stored record it may fit is paired with
 * those only: matched best first, it is settled (merged or ambiguous) before any lower score is looked at,
 * so its other pairs could change nothing.
 */
export function fittingPairs(probes: Probe[], targets: Key[][], options: { leaveOutSettled?: boolean } = {}): Fit[] {
  const byText = new Map<string, number[]>();
  targets.forEach((list, target) => {
    for (const key of list) {
      if (key.variant) continue;
      const same = byText.get(key.text);
      if (same === undefined) byText.set(key.text, [target]);
      else if (same.at(-1) !== target) same.push(target);
    }
  });
  const exactOf = probes.map(({ text, excludes, variant }) => (variant ? [] : (byText.get(text) ?? []).filter((target) => !excludes(target))));
  // leaveOutSettled: a stored record that a record alone fits by the same key, and fits alone, is merged with
  // it whatever else fits (reconcile.ts settles the pairs of score 3 first): the other records are not
  // compared with it (those pairs are left out of the result).
  const settled = new Uint8Array(targets.length);
  if (options.leaveOutSettled) {
    const byRecord = new Map<number, Set<number>>();
    probes.forEach((probe, i) => {
      const record = probe.record ?? -1 - i;
      const exact = byRecord.get(record) ?? new Set<number>();
      for (const target of exactOf[i]!) exact.add(target);
      byRecord.set(record, exact);
    });
    const exactly = new Int32Array(targets.length);
    for (const exact of byRecord.values()) for (const target of exact) exactly[target]!++;
    for (const exact of byRecord.values()) {
      const [only] = exact;
      if (exact.size === 1 && exactly[only!] === 1) settled[only!] = 1;
    }
  }
  // The keys the other records are compared with.
  const keys: Key[] = [];
  const owner: number[] = [];
  targets.forEach((list, target) => {
    if (settled[target] === 1) return;
    for (const key of list) {
      keys.push(key);
      owner.push(target);
    }
  });
  // Built when a record first has no stored record of the same key (most have one).
  let index: WordIndex | undefined;

  const fits: Fit[] = [];
  const seenKey = new Int32Array(keys.length).fill(-1); // the last record that looked the key up
  const best = new Float64Array(targets.length);
  const seenTarget = new Int32Array(targets.length).fill(-1);
  const fitting: number[] = [];
  probes.forEach(({ text, excludes }, record) => {
    const exact = exactOf[record]!;
    if (exact.length > 0) {
      for (const target of exact) fits.push({ record, target, score: 3 });
      return;
    }
    fitting.length = 0;
    const { ranksOf, prefix, rarestInner, byWord, byPrefix, byInner, innerless, byJoined } = (index ??= wordIndex(keys));
    const own = keyOf(text);
    const score = (k: number) => {
      if (seenKey[k] === record) return;
      seenKey[k] = record;
      const target = owner[k]!;
      if (excludes(target)) return;
      const s = fittingScore(keys[k]!, own);
      if (s < 0) return;
      if (seenTarget[target] !== record) {
        seenTarget[target] = record;
        best[target] = s;
        fitting.push(target);
      } else if (s > best[target]!) best[target] = s;
    };
    const ranks = ranksOf(own);
    for (const rank of prefix(ranks)) if (rank >= 0) byPrefix.forEach(rank, score);
    for (const rank of ranks) if (rank >= 0) byInner.forEach(rank, score);
    innerless.forEach(score);
    byJoined.get(own.joined)?.forEach(score);
    if (own.parts >= 4) {
      const inner = rarestInner(own);
      if (inner === undefined) keys.forEach((_, k) => score(k));
      else if (inner >= 0) byWord.forEach(inner, score);
    }
    fitting.sort((a, b) => a - b);
    for (const target of fitting) fits.push({ record, target, score: best[target]! });
  });
  return fits;
}
