// How alike two match keys (src/import/reconcile.ts) are, and whether they are alike enough to be one
// recommendation. Comparisons run by the ten thousand: nothing here allocates per comparison.

export const SIMILARITY_THRESHOLD = 0.85;

/** A key with its words, split once and only when asked (a key found by its text alone never is). */
export class Key {
  private split: { words: Set<string>; list: string[] } | undefined;
  private joinedText: string | undefined;

  /** variant: another text of the key (textsOf), never the same key as a text equal to it. */
  constructor(
    readonly text: string,
    readonly variant = false,
  ) {}

  get words(): Set<string> {
    return this.splitOnce().words;
  }

  /** Its space-separated parts (empty where spaces are doubled), as the containment rule counts them. */
  get list(): string[] {
    return this.splitOnce().list;
  }

  /** Its text without spaces: two texts that differ there alone ("an d", "forself-employment") are one. */
  get joined(): string {
    return (this.joinedText ??= this.text.replaceAll(' ', ''));
  }

  /** Its number of space-separated parts. */
  get parts(): number {
    return this.splitOnce().list.length;
  }

  private splitOnce(): { words: Set<string>; list: string[] } {
    if (this.split === undefined) {
      const list = this.text.split(' ');
      const words = new Set<string>();
      for (const w of list) if (w !== '') words.add(w);
      this.split = { words, list };
    }
    return this.split;
  }
}

export const keyOf = (text: string): Key => new Key(text);

/** A key's other text (textsOf). */
const variantOf = (text: string): Key => new Key(text, true);

/**
 * What begins a text without being its request: the report's lead-in, left on a paragraph cut from the sentence
 * before ("To ratify CAT (United Kingdom);", Angola 2010's 87.16, against UPR Info's "Ratify CAT"), or a source's
 * "Recommended …" / "That …".
 */
const LEAD_IN = /^(?:recommended (?:that )?|that |to )(?=[^ ])/;

/**
 * The texts a key is compared by: itself and, when it begins with a lead-in, itself without it (a variant). Two keys
 * fit by the best of their texts' pairs, a variant's as its words and containment say (never as the same key: only
 * the keys themselves are). The lead-in is not only left out: as a word it may be what two texts share ("… (Burundi)
 * to monitor Government action …" against UPR Info's "To monitor Government action …").
 */
export function textsOf(key: string): string[] {
  const without = key.replace(LEAD_IN, '');
  return without === key ? [key] : [key, without];
}

/** The keys of textsOf: the key, then its variants. */
export const keysOf = (key: string): Key[] => textsOf(key).map((text, i) => (i === 0 ? keyOf(text) : variantOf(text)));

/** One contains the other (the shorter with at least 4 parts): a text that adds or drops a clause. */
function contains(x: Key, y: Key): boolean {
  const short = x.text.length <= y.text.length ? x : y;
  const long = short === x ? y : x;
  return short.parts >= 4 && long.text.includes(short.text);
}

export function scoreOf(x: Key, y: Key): number {
  // The same words but for spaces score as the same words would (containment's 2 for 4 parts or more, else 1).
  if (x.joined === y.joined) return Math.min(x.parts, y.parts) >= 4 ? 2 : 1;
  const small = x.words.size <= y.words.size ? x.words : y.words;
  const large = small === x.words ? y.words : x.words;
  let shared = 0;
  for (const w of small) if (large.has(w)) shared++;
  const dice = (2 * shared) / (x.words.size + y.words.size);
  return contains(x, y) ? 1 + dice : dice;
}

/**
 * The score of two keys when it reaches the threshold, else -1 — without counting shared words when their
 * numbers of words alone rule a Dice coefficient that high out and neither contains the other.
 */
export function fittingScore(x: Key, y: Key): number {
  const fewer = Math.min(x.words.size, y.words.size);
  const more = Math.max(x.words.size, y.words.size);
  if ((2 * fewer) / (fewer + more) < SIMILARITY_THRESHOLD && !contains(x, y) && x.joined !== y.joined) return -1;
  const score = scoreOf(x, y);
  return score >= SIMILARITY_THRESHOLD ? score : -1;
}
