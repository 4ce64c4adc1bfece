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

/** The stemmed content words of a text, in order. */
export function words(text: string): string[] {
  const plain = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’‘`]s\b/g, '')
    .replace(/[^a-z]+/g, ' ');
  const out: string[] = [];
  for (const word of plain.split(' ')) {
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    out.push(stem(word));
  }
  return out;
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
