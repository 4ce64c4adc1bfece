import { z } from 'zod';
import { invalidParam } from '../http/problem.js';
import { fts5Tokens } from './fts5/tokenize.js';
import { variantsOf } from './fulltext-variants.js';

// Turns a user's search text into an FTS5 query that cannot be a syntax error: every word must occur,
// "quoted words" form a phrase, and a trailing * makes a word a prefix. OR typed between two terms matches
// either side (`death penalty OR capital punishment`: both words of either), AND typed between two terms is
// what side by side means already; elsewhere, and the other FTS5 operators (NEAR, NOT, column filters), they are
// searched as plain words.
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
        '"a phra*" for a phrase whose last word is one (a * elsewhere is a 400); OR in capitals between terms ' +
        'matches either side (death penalty OR capital punishment). A word or phrase also finds its other ' +
        'spellings: British and American (labour, labor), hyphenated or joined (non-discrimination), woman and ' +
        'women, a treaty abbreviation and its name (CEDAW, OP-CAT, ICCPR). Repeated ' +
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
  /** Which side of the typed ORs the term is on, from 0: a record matches when it holds every term of one side. */
  group: number;
  /**
   * Other forms a record may hold the term in, each looked up beside it (a record matches any): the term
   * decomposed (NFD), when FTS5 makes other tokens of it, since FTS5 removes the marks only Latin letters lose
   * composed, so a й (U+0439) or ё typed is "й" to it but "и" and a breve, as a PDF may give it, is "и"
   * (likewise ά, آ or إ); then, for a word or a phrase (not a prefix), its other spellings, hyphenated or joined
   * forms and a treaty's abbreviation or name (fulltext-variants.ts). `text` and `tokens` are the composed form (NFC).
   */
  alternatives?: { text: string; tokens: string[] }[];
}

/** The distinct terms of a search, within the limits (a 400 problem beyond): each backend writes them its way. */
export function fullTextTerms(q: string): FullTextTerm[] {
  const terms = new Map<string, FullTextTerm>();
  let words = 0;
  // The alternatives' words, within the same limit: a mark FTS5 splits at (Arabic's hamza below) can make one
  // word many (إإإ…), and each is looked up.
  let alternativeWords = 0;
  const matches = [...q.matchAll(/"([^"]*)"(\*?)|(\S+)/g)];
  let group = 0;
  for (const [at, match] of matches.entries()) {
    const [written, phrase, starAfterPhrase, word] = match;
    // AND or OR, as typed, between two terms: an operator (a term before it on this side, a word after it).
    if ((word === 'AND' || word === 'OR') && [...terms.values()].some((term) => term.group === group) && isWordAfter(matches, at)) {
      if (word === 'OR') group++;
      continue;
    }
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
    const key = `${group} ${tokens.join(' ')}${prefix ? '*' : ''}`;
    if (terms.has(key)) continue;
    if (prefix && [...tokens.at(-1)!].length < limits.minPrefix) {
      throw invalidParam(
        'query',
        'q',
        `"${written}": a prefix needs at least ${limits.minPrefix} letters or digits before the * (FULL_TEXT_MIN_PREFIX).`,
      );
    }
    words += tokens.length;
    // Each alternative's words count within FULL_TEXT_MAX_TERMS, all terms' together: one that leaves a prefix
    // too short to look up, or would take them past it, is left out (the typed form is still searched).
    const alternatives: { text: string; tokens: string[] }[] = [];
    const add = (alternative: { text: string; tokens: string[] }) => {
      if (alternativeWords + alternative.tokens.length > limits.maxTerms) return;
      alternativeWords += alternative.tokens.length;
      alternatives.push(alternative);
    };
    const decomposed = text.normalize('NFD');
    const decomposedTokens = fts5Tokens(decomposed);
    if (
      decomposedTokens.join(' ') !== tokens.join(' ') &&
      !(prefix && [...(decomposedTokens.at(-1) ?? '')].length < limits.minPrefix)
    ) {
      add({ text: decomposed, tokens: decomposedTokens });
    }
    if (!prefix) for (const variant of variantsOf(text, tokens)) add({ text: variant.join(' '), tokens: variant });
    terms.set(key, { text: text.normalize('NFC'), tokens, prefix, group, ...(alternatives.length > 0 && { alternatives }) });
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

/** Whether a match after `at` is a word or a phrase with a letter or a digit (a term, not punctuation). */
function isWordAfter(matches: RegExpExecArray[], at: number): boolean {
  return matches.slice(at + 1).some(([, phrase, , word]) => /[\p{L}\p{N}]/u.test(phrase ?? word!));
}

/** The terms of each side of the typed ORs, in order. */
export function fullTextGroups(terms: FullTextTerm[]): FullTextTerm[][] {
  const groups: FullTextTerm[][] = [];
  for (const term of terms) (groups[term.group] ??= []).push(term);
  return groups;
}

/** The search as an FTS5 query. */
export function toFtsQuery(q: string): string {
  const groups = fullTextGroups(fullTextTerms(q));
  const written = groups.map((terms) => {
    const each = terms.map((term) => {
      const star = term.prefix ? '*' : '';
      if (!term.alternatives) return quote(term.text) + star;
      return `(${[term.text, ...term.alternatives.map((alternative) => alternative.text)].map((text) => quote(text) + star).join(' OR ')})`;
    });
    // FTS5 reads phrases side by side as AND, but not a (… OR …) group: that needs the AND written.
    return each.join(groups.length > 1 || terms.some((term) => term.alternatives) ? ' AND ' : ' ');
  });
  return groups.length === 1 ? written[0]! : written.map((side) => `(${side})`).join(' OR ');
}

/** A list's total from a full-text count that stopped after FULL_TEXT_MAX_COUNT + 1 matches. */
export function cappedTotal(counted: number): { total: number; totalCapped?: true } {
  return counted > limits.maxCount ? { total: limits.maxCount, totalCapped: true } : { total: counted };
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
