import { fts5Tokens } from './fts5/tokenize.js';

// Other ways a record may write a searched word, looked up beside it (session 43's audit of q=,
// docs/reliability-probes.md): the stemmer makes `tortured` `torture` but leaves British and American spelling
// apart (`labour`/`labor`, `criminalise`/`criminalize`, `programme`/`program`), a word hyphenated or joined
// (`non-discrimination`/`nondiscrimination`, `OP-CAT`/`OPCAT`), `woman`/`women`, and a treaty's abbreviation and
// its name. Only forms that mean the same: a table, and rules whose other form is no other word. Each is a list
// of tokens (folded as FTS5 folds them, not stemmed): both backends stem and look them up as they do the typed
// ones.

// Spellings that differ by more than a rule below, both ways.
const PAIRS: readonly (readonly [string, string])[] = [
  ['programme', 'program'], ['programmes', 'programs'], ['programmed', 'programed'], ['programming', 'programing'],
  ['defence', 'defense'], ['defences', 'defenses'], ['offence', 'offense'], ['offences', 'offenses'],
  ['licence', 'license'], ['licences', 'licenses'], ['centre', 'center'], ['centres', 'centers'],
  ['judgement', 'judgment'], ['judgements', 'judgments'], ['ageing', 'aging'], ['counselling', 'counseling'],
  ['enrolment', 'enrollment'], ['fulfil', 'fulfill'], ['fulfils', 'fulfills'], ['fulfilment', 'fulfillment'],
  ['paediatric', 'pediatric'], ['foetus', 'fetus'], ['uighur', 'uyghur'], ['uighurs', 'uyghurs'],
];
const PAIRED = new Map(PAIRS.flatMap(([a, b]) => [[a, b], [b, a]] as const));
// Plurals the stemmer leaves apart: a word searched alone only (`child labour` is no `children labour`).
const PLURALS = new Map([['woman', 'women'], ['women', 'woman'], ['child', 'children'], ['children', 'child']]);

// British -our: only these words (four, tour, hour, journal… are not).
const OUR = /^(labo|favo|hono|behavio|colo|neighbo|harbo|endeavo|rumo|vigo|humo|armo|savo|valo|rigo|odo)(u?)r(s|ed|ing|er|ers|able|al|ally|ite|ites|ful|less|hood)?$/;
// American -ize, -ization, -yze, after at least four letters: their British -ise form is looked up too. Not the
// other way: the stemmer cuts most -ize words to a stem other words share (`criminalize` and `criminal` are
// both `crimin`, `organize` is `organ`), so a British search would find those words too.
const IZE = /^([a-z]{4,}[iy])z(e|es|ed|ing|er|ers|ation|ations)$/;

function otherSpelling(token: string): string | undefined {
  const paired = PAIRED.get(token);
  if (paired !== undefined) return paired;
  const our = OUR.exec(token);
  if (our) return `${our[1]}${our[2] === 'u' ? '' : 'u'}r${our[3] ?? ''}`;
  const ize = IZE.exec(token);
  if (ize) return `${ize[1]}s${ize[2]}`;
  return undefined;
}

// A joined word that is also written with its prefix apart (`nondiscrimination`, `anticorruption`, `cooperation`):
// the rest at least four letters.
const PREFIXED = /^(non|anti|counter|multi)([a-z]{4,})$|^(co)(operat[a-z]*|ordinat[a-z]*)$/;

// Abbreviations and the names they stand for, one-to-one: a treaty's (its committee shares the letters and
// names the treaty) and female genital mutilation's. A name is searched without its first words where the rest
// names it alone, within FULL_TEXT_MAX_TERMS' default (8); typed, either the whole name or the rest finds the
// abbreviation.
const ABBREVIATIONS: readonly { forms: string[][]; name: string; typed?: string }[] = [
  { forms: [['cedaw']], name: 'Elimination of All Forms of Discrimination against Women' },
  { forms: [['icerd']], name: 'Elimination of All Forms of Racial Discrimination' },
  { forms: [['iccpr']], name: 'International Covenant on Civil and Political Rights' },
  { forms: [['icescr']], name: 'International Covenant on Economic, Social and Cultural Rights' },
  { forms: [['opcat'], ['op', 'cat']], name: 'Protocol to the Convention against Torture', typed: 'Optional Protocol to the Convention against Torture' },
  { forms: [['crpd']], name: 'Convention on the Rights of Persons with Disabilities' },
  { forms: [['crc']], name: 'Convention on the Rights of the Child' },
  { forms: [['icpped']], name: 'Protection of All Persons from Enforced Disappearance' },
  { forms: [['icrmw']], name: 'All Migrant Workers and Members of Their Families' },
  { forms: [['fgm']], name: 'female genital mutilation' },
];
const NAMED = new Map(ABBREVIATIONS.flatMap((entry) => entry.forms.map((form) => [form.join(''), entry] as const)));
const ABBREVIATED = new Map(
  ABBREVIATIONS.flatMap((entry) => [entry.name, entry.typed ?? entry.name].map((name) => [fts5Tokens(name).join(' '), entry] as const)),
);

/** A term's other forms, as token lists, most specific first; none is the term's own. */
export function variantsOf(text: string, tokens: readonly string[]): string[][] {
  const variants: string[][] = [];
  const add = (candidate: readonly string[]) => {
    const key = candidate.join(' ');
    if (key !== tokens.join(' ') && !variants.some((variant) => variant.join(' ') === key)) variants.push([...candidate]);
  };
  const named = NAMED.get(tokens.join(''));
  if (named) {
    add(fts5Tokens(named.name));
    named.forms.forEach(add);
  }
  ABBREVIATED.get(tokens.join(' '))?.forms.forEach(add);
  if (tokens.length === 1 && PLURALS.has(tokens[0]!)) add([PLURALS.get(tokens[0]!)!]);
  add(tokens.map((token) => otherSpelling(token) ?? token));
  // Hyphens between letters left out: `non-discrimination` is `nondiscrimination`.
  add(fts5Tokens(text.normalize('NFC').replace(/(?<=[\p{L}\p{N}])[-‐‑](?=[\p{L}\p{N}])/gu, '')));
  add(tokens.flatMap((token) => {
    const prefixed = PREFIXED.exec(token);
    return prefixed ? [prefixed[1] ?? prefixed[3]!, prefixed[2] ?? prefixed[4]!] : [token];
  }));
  return variants;
}
