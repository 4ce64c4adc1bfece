import { DIACRITICS, FOLDS, SEPARATORS } from './unicode-table.js';

// SQLite's FTS5 tokenizer `porter unicode61 remove_diacritics 2` (the full-text tables' setting,
// migrations/0003_full_text_rowid.sql) in JavaScript, so that PostgreSQL indexes and searches the very terms
// SQLite does (src/db/pg/fulltext.ts). Tokens, as unicode61 makes them: runs of token characters (what the
// table in unicode-table.ts, asked of SQLite itself, does not call a separator), each folded to lower case
// without diacritics; the 25 combining marks FTS5 removes continue a token but never start one. Then each
// token is stemmed as fts5_tokenize.c's fts5PorterCb does: tokens under 3 or over 64 bytes of UTF-8 are left
// as they are, and the rules compare bytes, so a character outside ASCII is a consonant (or several).
// test/fts5-tokenize.test.ts compares both with what SQLite indexes.

const SEPARATOR = 0;
const TOKEN = 1;
const DIACRITIC = 2;

// The kind of every code point of the Basic Multilingual Plane, and of the others by a search of SEPARATORS.
const BMP = new Uint8Array(0x10000).fill(TOKEN);
for (let i = 0; i < SEPARATORS.length; i += 2) {
  if (SEPARATORS[i]! > 0xffff) break;
  BMP.fill(SEPARATOR, SEPARATORS[i]!, Math.min(SEPARATORS[i + 1]!, 0xffff) + 1);
}
BMP[0] = SEPARATOR; // NUL: FTS5 never reads it as part of a token
for (const c of DIACRITICS) BMP[c] = DIACRITIC;
// Lone surrogates reach SQLite (and PostgreSQL) as U+FFFD, the UTF-8 encoders' replacement.
BMP.fill(BMP[0xfffd]!, 0xd800, 0xe000);

const FOLDED = new Map<number, string>();
for (let i = 0; i < FOLDS.length; i += 4) {
  const [first, count, step, delta] = [FOLDS[i]!, FOLDS[i + 1]!, FOLDS[i + 2]!, FOLDS[i + 3]!];
  for (let n = 0; n < count; n++) FOLDED.set(first + n * step, String.fromCodePoint(first + n * step + delta));
}

function kindOf(c: number): number {
  if (c <= 0xffff) return BMP[c]!;
  let lo = 0;
  let hi = SEPARATORS.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < SEPARATORS[mid * 2]!) hi = mid - 1;
    else if (c > SEPARATORS[mid * 2 + 1]!) lo = mid + 1;
    else return SEPARATOR;
  }
  return TOKEN;
}

/** The tokens FTS5's unicode61 (remove_diacritics 2) makes of a text, in order, folded, not stemmed. */
export function fts5Tokens(text: string): string[] {
  const tokens: string[] = [];
  let token = '';
  let inToken = false;
  for (let i = 0; i < text.length; ) {
    const c = text.codePointAt(i)!;
    const width = c > 0xffff ? 2 : 1;
    const kind = kindOf(c);
    if (kind === TOKEN) {
      token += FOLDED.get(c) ?? text.slice(i, i + width);
      inToken = true;
    } else if (kind === SEPARATOR || !inToken) {
      if (inToken) tokens.push(token);
      token = '';
      inToken = false;
    }
    i += width;
  }
  if (inToken) tokens.push(token);
  return tokens;
}

/** The terms FTS5's `porter unicode61 remove_diacritics 2` indexes for a text (or looks up for a query), in order. */
export function fts5Terms(text: string): string[] {
  return fts5Tokens(text).map(porterStem);
}

const MAX_TOKEN_BYTES = 64;

/** A folded token stemmed as FTS5's porter tokenizer stems it. */
export function porterStem(token: string): string {
  // The rules read bytes: a token with characters outside ASCII is stemmed as its UTF-8 bytes (one character
  // of JavaScript's latin1 each), which only ASCII suffixes can match, and decoded back.
  const ascii = /^[\x00-\x7f]*$/.test(token);
  const bytes = ascii ? token : Buffer.from(token, 'utf8').toString('latin1');
  if (bytes.length > MAX_TOKEN_BYTES || bytes.length < 3) return token;
  const stemmed = stem(bytes);
  return ascii ? stemmed : Buffer.from(stemmed, 'latin1').toString('utf8');
}

const isVowel = (c: string | undefined, yIsVowel: boolean) =>
  c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || (yIsVowel && c === 'y');

/** Where the first vowel-consonant sequence of w[from..to) ends (after its consonant), or 0 if there is none. */
function gobbleVC(w: string, from: number, to: number, prevConsonant: boolean): number {
  let consonant = prevConsonant;
  let i = from;
  for (; i < to; i++) {
    consonant = !isVowel(w[i], consonant);
    if (!consonant) break;
  }
  for (i++; i < to; i++) {
    consonant = !isVowel(w[i], consonant);
    if (consonant) return i + 1;
  }
  return 0;
}

/** The measure m of w[0..n) is above 0. */
const mGt0 = (w: string, n: number) => gobbleVC(w, 0, n, false) !== 0;
/** m > 1. */
function mGt1(w: string, n: number): boolean {
  const at = gobbleVC(w, 0, n, false);
  return at !== 0 && gobbleVC(w, at, n, true) !== 0;
}
/** m = 1. */
function mEq1(w: string, n: number): boolean {
  const at = gobbleVC(w, 0, n, false);
  return at !== 0 && gobbleVC(w, at, n, true) === 0;
}
/** *o: w[0..n) ends consonant-vowel-consonant, the last not w, x or y. */
function endsCvc(w: string, n: number): boolean {
  const last = w[n - 1];
  if (last === 'w' || last === 'x' || last === 'y') return false;
  let mask = 0;
  let consonant = false;
  for (let i = 0; i < n; i++) {
    consonant = !isVowel(w[i], consonant);
    mask = ((mask << 1) | (consonant ? 1 : 0)) & 7;
  }
  return mask === 5;
}
/** *v*: w[0..n) has a vowel. */
function hasVowel(w: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (isVowel(w[i], i > 0)) return true;
  return false;
}
const mGt1AndSOrT = (w: string, n: number) => (w[n - 1] === 's' || w[n - 1] === 't') && mGt1(w, n);

type Condition = (w: string, n: number) => boolean;
/** [suffix, condition on the stem before it, replacement]. */
type Rule = readonly [string, Condition, string];

// Each step tries, among its rules for the word's next-to-last letter, the first whose suffix ends the word
// and is shorter than it, and applies it if the stem meets its condition (fts5PorterStep2..4).
const STEP2: readonly Rule[] = [
  ['ational', mGt0, 'ate'], ['tional', mGt0, 'tion'], ['enci', mGt0, 'ence'], ['anci', mGt0, 'ance'],
  ['izer', mGt0, 'ize'], ['logi', mGt0, 'log'], ['bli', mGt0, 'ble'], ['alli', mGt0, 'al'], ['entli', mGt0, 'ent'],
  ['eli', mGt0, 'e'], ['ousli', mGt0, 'ous'], ['ization', mGt0, 'ize'], ['ation', mGt0, 'ate'], ['ator', mGt0, 'ate'],
  ['alism', mGt0, 'al'], ['iveness', mGt0, 'ive'], ['fulness', mGt0, 'ful'], ['ousness', mGt0, 'ous'],
  ['aliti', mGt0, 'al'], ['iviti', mGt0, 'ive'], ['biliti', mGt0, 'ble'],
];
const STEP3: readonly Rule[] = [
  ['ical', mGt0, 'ic'], ['ness', mGt0, ''], ['icate', mGt0, 'ic'], ['iciti', mGt0, 'ic'], ['ful', mGt0, ''],
  ['ative', mGt0, ''], ['alize', mGt0, 'al'],
];
const STEP4: readonly Rule[] = [
  ['al', mGt1, ''], ['ance', mGt1, ''], ['ence', mGt1, ''], ['er', mGt1, ''], ['ic', mGt1, ''], ['able', mGt1, ''],
  ['ible', mGt1, ''], ['ant', mGt1, ''], ['ement', mGt1, ''], ['ment', mGt1, ''], ['ent', mGt1, ''],
  ['ion', mGt1AndSOrT, ''], ['ou', mGt1, ''], ['ism', mGt1, ''], ['ate', mGt1, ''], ['iti', mGt1, ''],
  ['ous', mGt1, ''], ['ive', mGt1, ''], ['ize', mGt1, ''],
];

/** The step's rules grouped by their suffix's next-to-last letter, in order. */
function byNextToLast(rules: readonly Rule[]): Map<string, Rule[]> {
  const groups = new Map<string, Rule[]>();
  for (const rule of rules) {
    const key = rule[0].at(-2)!;
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  return groups;
}
const STEPS = [STEP2, STEP3, STEP4].map(byNextToLast);

function applyStep(w: string, step: Map<string, Rule[]>): string {
  for (const [suffix, condition, replacement] of step.get(w.at(-2)!) ?? []) {
    if (w.length > suffix.length && w.endsWith(suffix)) {
      const n = w.length - suffix.length;
      return condition(w, n) ? w.slice(0, n) + replacement : w;
    }
  }
  return w;
}

function stem(token: string): string {
  let w = token;
  // Step 1a.
  if (w.endsWith('s')) {
    if (w.at(-2) === 'e') {
      w = (w.length > 4 && w.endsWith('sses')) || (w.length > 3 && w.at(-3) === 'i') ? w.slice(0, -2) : w.slice(0, -1);
    } else if (w.at(-2) !== 's') w = w.slice(0, -1);
  }
  // Step 1b.
  let removed = false;
  if (w.length > 3 && w.endsWith('eed')) {
    if (mGt0(w, w.length - 3)) w = w.slice(0, -1);
  } else if (w.length > 2 && w.endsWith('ed')) {
    if (hasVowel(w, w.length - 2)) [w, removed] = [w.slice(0, -2), true];
  } else if (w.length > 3 && w.endsWith('ing')) {
    if (hasVowel(w, w.length - 3)) [w, removed] = [w.slice(0, -3), true];
  }
  if (removed) {
    if (w.length > 2 && (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz'))) w += 'e';
    else {
      const last = w.at(-1)!;
      if (!isVowel(last, false) && last !== 'l' && last !== 's' && last !== 'z' && last === w.at(-2)) w = w.slice(0, -1);
      else if (mEq1(w, w.length) && endsCvc(w, w.length)) w += 'e';
    }
  }
  // Step 1c.
  if (w.endsWith('y') && hasVowel(w, w.length - 1)) w = `${w.slice(0, -1)}i`;
  // Steps 2 to 4.
  for (const step of STEPS) w = applyStep(w, step);
  // Step 5a.
  if (w.endsWith('e') && (mGt1(w, w.length - 1) || (mEq1(w, w.length - 1) && !endsCvc(w, w.length - 1)))) w = w.slice(0, -1);
  // Step 5b.
  if (w.length > 1 && w.endsWith('ll') && mGt1(w, w.length - 1)) w = w.slice(0, -1);
  return w;
}
