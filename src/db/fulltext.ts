import { z } from 'zod';
import { invalidParam } from '../http/problem.js';
import { fts5Tokens } from './fts5/tokenize.js';

// Turns a user's search text into an FTS5 query that cannot be a syntax error: every word must occur,
// "quoted words" form a phrase, and a trailing * makes a word a prefix. FTS5 operators typed by users
// (AND, OR, NEAR, column filters) are searched as plain words.
//
// Its cost is bounded: every word FTS5 looks up reads that word's list of matching rows, and a prefix reads
// the lists of every word it starts, so a query of many words or of short prefixes (`a* b* c* …`) could keep
// the (synchronous) database busy for seconds. Repeated terms are dropped (they cannot change the matches),
// and a query with more words than FULL_TEXT_MAX_TERMS or a prefix shorter than FULL_TEXT_MIN_PREFIX is a
// 400 naming the limit.

export interface FullTextLimits {
  /** Most words a query may look up, phrases' words included, after repeated terms are dropped. */
  maxTerms: number;
  /** Fewest letters or digits before a `*`. */
  minPrefix: number;
  /** A full-text list counts its matches up to this many; beyond, meta.total is this and meta.totalCapped true. */
  maxCount: number;
}

export const FULL_TEXT_DEFAULTS: FullTextLimits = { maxTerms: 8, minPrefix: 3, maxCount: 10_000 };

// One process serves one configuration: buildApp sets the limits of its config here.
let limits: FullTextLimits = FULL_TEXT_DEFAULTS;

export function setFullTextLimits(next: FullTextLimits): void {
  limits = next;
}

export function fullTextLimits(): FullTextLimits {
  return limits;
}

// Control characters other than tab and line breaks: FTS5 refuses a NUL, and none belongs in a search.
const CONTROL = /[^\P{Cc}\t\n\r]/u;

/** The `q` query parameter of every list, stats and export route that searches text. */
export function fullTextParam(what: string) {
  return z
    .string()
    .min(1)
    .max(500)
    .refine((q) => !CONTROL.test(q), 'q must not contain control characters (such as NUL).')
    .optional()
    .describe(
      `Full-text search over ${what}: every word must occur; "a phrase" in quotes; word* for a prefix, and ` +
        '"a phra*" for a phrase whose last word is one (a * elsewhere is a 400). Repeated ' +
        `terms count once. At most ${FULL_TEXT_DEFAULTS.maxTerms} words (FULL_TEXT_MAX_TERMS) and ` +
        `${FULL_TEXT_DEFAULTS.minPrefix} characters before a * (FULL_TEXT_MIN_PREFIX), or 400; the list's ` +
        `meta.total counts at most ${FULL_TEXT_DEFAULTS.maxCount} matches (FULL_TEXT_MAX_COUNT; beyond, ` +
        'meta.totalCapped is true). Limits shown are the defaults.',
    );
}

/** One term of a search: a word, a "phrase" of words, or a word* prefix, as the tokens FTS5 makes of it (folded, not stemmed). */
export interface FullTextTerm {
  text: string;
  tokens: string[];
  prefix: boolean;
  /**
   * The term decomposed (NFD), when FTS5 makes other tokens of it: a record matches either form. FTS5 removes
   * the marks only Latin letters lose composed, so a й (U+0439) or ё typed is "й" to it but "и" and a breve,
   * as a PDF may give it, is "и"; likewise ά, آ or إ. `text` and `tokens` are the composed form (NFC).
   */
  decomposed?: { text: string; tokens: string[] };
}

/** The distinct terms of a search, within the limits (a 400 problem beyond): each backend writes them its way. */
export function fullTextTerms(q: string): FullTextTerm[] {
  const terms = new Map<string, FullTextTerm>();
  let words = 0;
  // The decomposed alternatives' words, within the same limit: a mark FTS5 splits at (Arabic's hamza below) can
  // make one word many (إإإ…), and each is looked up.
  let alternativeWords = 0;
  for (const match of q.matchAll(/"([^"]*)"(\*?)|(\S+)/g)) {
    const [written, phrase, starAfterPhrase, word] = match;
    // A * ends a word or a phrase (`"death penal*"`, or `"death penal"*` as FTS5 writes it): its last word is then
    // a prefix. Anywhere else it was dropped as punctuation, so `tor*ure` searched for the words "tor ure" and
    // `"death penal*"` for the word "penal", and found nothing: a 400 says what a * can do.
    const raw = phrase ?? word!;
    const text = raw.replace(/\*+$/, '');
    const prefix = text !== raw || starAfterPhrase === '*';
    if (text.includes('*')) {
      throw invalidParam(
        'query',
        'q',
        `"${written}": a * makes a prefix only at the end of a word or a phrase (tortur*, "death penal*"); no search matches a * inside a word or before it.`,
      );
    }
    const tokens = fts5Tokens(text.normalize('NFC'));
    if (tokens.length === 0) continue;
    // Terms that tokenize alike match alike: `Torture`, `torture,` and `"torture"` are one.
    const key = tokens.join(' ') + (prefix ? '*' : '');
    if (terms.has(key)) continue;
    if (prefix && [...tokens.at(-1)!].length < limits.minPrefix) {
      throw invalidParam(
        'query',
        'q',
        `"${written}": a prefix needs at least ${limits.minPrefix} letters or digits before the * (FULL_TEXT_MIN_PREFIX).`,
      );
    }
    words += tokens.length;
    const decomposed = text.normalize('NFD');
    const decomposedTokens = fts5Tokens(decomposed);
    // (Not when it leaves a prefix too short to look up, or the alternatives more than FULL_TEXT_MAX_TERMS words:
    // the limits bound what they cost too, and the composed form is still searched.)
    const differs =
      decomposedTokens.join(' ') !== tokens.join(' ') &&
      !(prefix && [...(decomposedTokens.at(-1) ?? '')].length < limits.minPrefix) &&
      alternativeWords + decomposedTokens.length <= limits.maxTerms;
    if (differs) alternativeWords += decomposedTokens.length;
    terms.set(key, { text: text.normalize('NFC'), tokens, prefix, ...(differs && { decomposed: { text: decomposed, tokens: decomposedTokens } }) });
  }
  if (terms.size === 0) throw invalidParam('query', 'q', 'Give at least one word to search for.');
  if (words > limits.maxTerms) {
    throw invalidParam(
      'query',
      'q',
      `The search has ${words} words; at most ${limits.maxTerms} are allowed (FULL_TEXT_MAX_TERMS).`,
    );
  }
  return [...terms.values()];
}

/** The search as an FTS5 query. */
export function toFtsQuery(q: string): string {
  const terms = fullTextTerms(q);
  const written = terms.map((term) => {
    const star = term.prefix ? '*' : '';
    return term.decomposed ? `(${quote(term.text)}${star} OR ${quote(term.decomposed.text)}${star})` : quote(term.text) + star;
  });
  // FTS5 reads phrases side by side as AND, but not a (… OR …) group: that needs the AND written.
  return written.join(terms.some((term) => term.decomposed) ? ' AND ' : ' ');
}

/** A list's total from a full-text count that stopped after FULL_TEXT_MAX_COUNT + 1 matches. */
export function cappedTotal(counted: number): { total: number; totalCapped?: true } {
  return counted > limits.maxCount ? { total: limits.maxCount, totalCapped: true } : { total: counted };
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
