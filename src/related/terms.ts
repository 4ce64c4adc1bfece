import { canonicalInstruments, NOT_RATIFIABLE } from './instruments.js';
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
const RATIFY_PHRASE = /\b(?:becom(?:e|es|ing)|being) (?:a )?(?:state )?part(?:y|ies)\b/g;

// The act dimension: a treaty asked to be ratified is one request, the same treaty named for anything else
// (implement it, withdraw reservations to it, bring the law in line with it, set up its mechanism) another.
// A treaty token named after a ratify word with no word of OTHER_ACT between them (nor of NEXT_ACT after a treaty), or just before
// "ratification" or "accession", becomes `<token>ratify`, counted twice: "Ratify OP-CAT" and "Establish a preventive
// mechanism in line with OP-CAT" no longer meet on the protocol (0.62 before, in a state of the record), and a
// request to ratify weighs its treaties more than its other words, as a list of treaties to ratify does
// (session 40's audit, docs/reliability-probes.md: added as a second token beside the treaty's, the pairs of
// ratifying and implementing one treaty still scored 0.5–0.8).
const OTHER_ACT = new Set(
  `withdraw withdrawing withdrawal lift lifting reservation reservations line accordance conformity conform
  compliance comply complies compliant align aligning alignment harmonize harmonise harmonizing harmonising
  harmonization harmonisation incorporate incorporating incorporation domesticate domesticating domestication
  transpose transposing obligation obligations provision provisions declaration declarations competence article
  articles standards committee mechanism framework under`.split(/\s+/),
);
// Words that start another request once a treaty has been named under a ratify word: "Sign and ratify the Rome
// Statute, and take measures to implement the CEDAW" asks to ratify the statute, not the convention. Only after a
// treaty, since "ratify and implement the CRPD" asks to ratify it. The verbs that follow "<ratify> <treaty> and" in
// the Terman and UPR Info files (session 41); not the nouns "adoption", "cooperation", "respect" (treaties' names:
// "… Co-operation in respect of Intercountry Adoption") nor "establishing", "abolishing" ("the Rome Statute
// establishing the ICC", "the ICCPR-OP2, aimed at abolishing the death penalty, OP-CRC-AC").
const NEXT_ACT = new Set(
  `implement implements implementing implemented implementation establish establishes establishment ensure
  ensuring take taking recognize recognise recognizing recognising accept accepting bring bringing adopt adopting
  improve improving put amend amending enact enacting set continue adjust adjusting develop developing extend
  extending cooperate cooperating review reviewing revise revising guarantee declare integrate integrating apply
  applying enforce enforcing fulfil fulfill fulfilling submit provide providing`.split(/\s+/),
);
const RATIFY_NOUNS = new Set(['ratification', 'ratifications', 'accession', 'adherence', 'signature']);

/**
 * The terms of a text, in order, repeated as often as they occur (instrument tokens start with "zz"); the
 * recommending states at its end left out when `names` are given (every path relating texts gives them).
 */
export function termsOf(text: string, names: StateNames = NO_STATE_NAMES): string[] {
  const terms: string[] = [];
  let ratifying = false;
  let named = false; // a treaty named since the last ratify word
  let previous = '';
  for (const word of canonicalInstruments(plainText(names.strip(text)).replace(RATIFY_PHRASE, 'ratify')).match(/[a-z0-9]+/g) ?? []) {
    const before = previous;
    previous = word;
    if (word.startsWith('zz')) {
      if (ratifying && !NOT_RATIFIABLE.has(word)) {
        terms.push(`${word}ratify`, `${word}ratify`);
        named = true;
      } else terms.push(word);
      continue;
    }
    if (OTHER_ACT.has(word) || (named && NEXT_ACT.has(word))) ratifying = false;
    if (word.length < 2 || /^\d+$/.test(word) || STOP_WORDS.has(word)) continue;
    // Own keys only: "constructor" read Object's constructor off the prototype, a function among the terms.
    const term = Object.hasOwn(SYNONYMS, word) ? SYNONYMS[word]! : stem(word);
    if (term === 'ratify') {
      named = !ratifying && RATIFY_NOUNS.has(word) && before.startsWith('zz') && !NOT_RATIFIABLE.has(before);
      if (named) terms.splice(-1, 1, `${before}ratify`, `${before}ratify`);
      ratifying = true;
    }
    terms.push(term);
  }
  return terms;
}
