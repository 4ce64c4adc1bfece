// Text features of the tagger: words and word pairs of a normalised text. Normalising folds case, accents,
// typographic apostrophes, digits and punctuation; a light stemmer folds plurals and a few suffixes so that
// "ratify", "ratifies" and "ratification" meet; stop words are dropped, and pairs are formed over the words
// that remain ("rights of the child" → "right child"), which keeps the phrases the labels hinge on.

const STOP_WORDS = new Set(
  (
    'a an and are as at be been by for from has have in into is it its of on or that the their them these this ' +
    'those to was were which with all any such other also its own well including include both etc within its ' +
    'upon under through between which who whom whose'
  ).split(' '),
);

/** A light suffix stemmer (plurals, -ing, -ed, -ation…): good enough to fold inflections of one word. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  for (const suffix of ['ations', 'ation', 'ition', 'ment', 'ness', 'ing', 'ed', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 4) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  if (w.endsWith('y') && w.length > 4) w = `${w.slice(0, -1)}i`;
  return w;
}

// The last text's words: the tagger reads a text's words three times (its terms, its character n-grams and the
// bag network's terms), which cost more than the rest of making its features. Callers get copies.
let lastText: string | undefined;
let lastPlain: string[] = [];
let lastStemmed: string[] | undefined;

/** The content words of a text, in order, not stemmed. */
export function plainWords(text: string): string[] {
  if (text !== lastText) {
    lastPlain = splitWords(text);
    lastStemmed = undefined;
    lastText = text;
  }
  return lastPlain.slice();
}

function splitWords(text: string): string[] {
  const plain = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’‘`]s\b/g, '')
    .replace(/[^a-z]+/g, ' ');
  return plain.split(' ').filter((word) => word.length >= 2 && !STOP_WORDS.has(word));
}

/** The stemmed content words of a text, in order. */
export function words(text: string): string[] {
  if (text !== lastText || lastStemmed === undefined) lastStemmed = plainWords(text).map(stem);
  return lastStemmed.slice();
}

/** The terms of a text with their counts: its words, and each pair of neighbouring words ("death penalti"). */
export function termCounts(text: string): Map<string, number> {
  const ws = words(text);
  const counts = new Map<string, number>();
  for (let i = 0; i < ws.length; i++) {
    counts.set(ws[i]!, (counts.get(ws[i]!) ?? 0) + 1);
    if (i > 0) {
      const pair = `${ws[i - 1]} ${ws[i]}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  }
  return counts;
}

/** Character n-grams of a text: a second block of terms, each marked by a leading '#'. */
export const CHAR_GRAM_MARK = '#';

export interface CharGrams {
  /** Shortest and longest n-gram, in characters (a word's edges count as a space). */
  min: number;
  max: number;
}

/**
 * The character n-grams (min–max long) within each content word, the word framed by spaces (" torture " →
 * "# to", "#tor", …): they meet across inflections and compounds the stemmer misses ("discriminatory",
 * "trafficking", "ill-treatment").
 */
export function charGramCounts(text: string, grams: CharGrams, counts = new Map<string, number>()): Map<string, number> {
  for (const word of plainWords(text)) {
    const framed = ` ${word} `;
    for (let n = grams.min; n <= grams.max; n++) {
      for (let i = 0; i + n <= framed.length; i++) {
        const gram = CHAR_GRAM_MARK + framed.slice(i, i + n);
        counts.set(gram, (counts.get(gram) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** All the terms of a text: words and word pairs, and the character n-grams when asked. */
export function features(text: string, grams: CharGrams | undefined): Map<string, number> {
  const counts = termCounts(text);
  return grams === undefined ? counts : charGramCounts(text, grams, counts);
}

/** Metadata terms (who recommended, to whom): a third block of terms, each marked by a leading '@'. */
export const META_MARK = '@';

/** What the tagger knows of a recommendation besides its text: ISO codes, as stored. */
export interface TextMeta {
  recommendingStates: readonly string[];
  stateUnderReview: string | null;
}

/** A recommendation's metadata terms ("@rs:NOR", "@sur:KGZ"), added to `counts` once each (the states sorted). */
export function metaCounts(meta: TextMeta | undefined, counts = new Map<string, number>()): Map<string, number> {
  if (meta === undefined) return counts;
  for (const code of [...meta.recommendingStates].sort()) counts.set(`${META_MARK}rs:${code}`, 1);
  if (meta.stateUnderReview !== null) counts.set(`${META_MARK}sur:${meta.stateUnderReview}`, 1);
  return counts;
}
