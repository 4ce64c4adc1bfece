import { canonicalInstruments } from './instruments.js';
import { NO_STATE_NAMES, type StateNames } from './state-names.js';

// A recommendation's text as the terms its similarity is computed on: without the recommending states
// printed in parentheses at its end (state-names.ts: "… (France);", as the Terman corpus and OHCHR print
// them and UPR Info does not; a parenthesis that is no state's name stays, "(OP-CAT)", "(2011)"), lower case
// without accents, instrument and body names replaced by one token each (instruments.ts), words split on anything that is
// not a letter or a digit, stop words and numbers dropped, a few verbs of the same request merged
// ("accede", "ratification", "sign" → ratify), and every other word cut to a light stem (plural, -ing and -ed
// removed, then at most STEM_LENGTH letters: "discrimination" and "discriminatory" meet, so do "protect" and "protection").

const STEM_LENGTH = 6;

// English function words, and the words nearly every UPR recommendation uses to ask for anything (they say
// nothing about what is asked).
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are as at be been before being below between both
  but by can could did do does doing down during each few for from further had has have having he her here
  hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now
  of off on once only or other our ours ourselves out over own same she should so some such than that the
  their theirs them themselves then there these they this those through to too under until up very was we
  were what when where which while who whom why will with would you your yours thereof therein thereto
  within without upon among amongst via per inter alia etc particularly particular especially including
  include includes well
  continue continues continued continuing efforts effort take taking measures measure steps step ensure
  ensuring necessary appropriate further strengthen strengthening undertake country countries state states
  government national consider considering possibility view relevant effective effectively adequate
  adequately order aimed aiming regard regarding line accordance need needed make making recommend
  recommendation recommendations recommended`.split(/\s+/),
);

// Words merged into one term before stemming.
const SYNONYMS: Record<string, string> = {
  ratify: 'ratify',
  ratifies: 'ratify',
  ratified: 'ratify',
  ratifying: 'ratify',
  ratification: 'ratify',
  ratifications: 'ratify',
  accede: 'ratify',
  accedes: 'ratify',
  acceded: 'ratify',
  acceding: 'ratify',
  accession: 'ratify',
  adhere: 'ratify',
  adhering: 'ratify',
  adherence: 'ratify',
  // Signing is the first step of the same request ("sign and ratify").
  sign: 'ratify',
  signs: 'ratify',
  signing: 'ratify',
  signed: 'ratify',
  signature: 'ratify',
  women: 'woman',
  girls: 'girl',
  children: 'child',
  men: 'man',
  abolition: 'abolish',
  abolishing: 'abolish',
  abolished: 'abolish',
  detainees: 'detain',
  detainee: 'detain',
  detention: 'detain',
  detained: 'detain',
  people: 'person',
  persons: 'person',
  laws: 'law',
  legislation: 'law',
  legislative: 'law',
};

/** A word without a plural ending, cut to STEM_LENGTH letters. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4) {
    if (w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
    else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  }
  if (w.length > 6 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 6 && w.endsWith('ed')) w = w.slice(0, -2);
  return w.length > STEM_LENGTH ? w.slice(0, STEM_LENGTH) : w;
}

/** The text in lower case, accents removed, typographic quotes and dashes made plain, spaces single. */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(text);
  return (ascii ? text : text.normalize('NFKD').replace(/\p{M}/gu, ''))
    .toLowerCase()
    .replace(/[\u2018\u2019\u2032`]/g, "'")
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/^\s*\d+(?:\.\d+)*\.?\s+/, '') // a paragraph number in front ("76.1. Ratify …")
    .replace(/\s+/g, ' ')
    .trim();
}

// Phrases that ask for the same as one word of SYNONYMS.
const RATIFY_PHRASE = /\bbecom(?:e|es|ing) (?:a )?(?:state )?part(?:y|ies)\b/g;

/**
 * The terms of a text, in order, repeated as often as they occur (instrument tokens start with "zz"); the
 * recommending states at its end left out when `names` are given (every path relating texts gives them).
 */
export function termsOf(text: string, names: StateNames = NO_STATE_NAMES): string[] {
  const terms: string[] = [];
  for (const word of canonicalInstruments(plainText(names.strip(text)).replace(RATIFY_PHRASE, 'ratify')).match(/[a-z0-9]+/g) ?? []) {
    if (word.startsWith('zz')) {
      terms.push(word);
      continue;
    }
    if (word.length < 2 || /^\d+$/.test(word) || STOP_WORDS.has(word)) continue;
    // Own keys only: "constructor" read Object's constructor off the prototype, a function among the terms.
    terms.push(Object.hasOwn(SYNONYMS, word) ? SYNONYMS[word]! : stem(word));
  }
  return terms;
}
