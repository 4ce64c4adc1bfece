// Names of human rights instruments and bodies as UPR recommendations write them, each mapped to one
// canonical token, so that "Ratify OP-CAT" and "Accede to the Optional Protocol to the Convention against
// Torture" share the token for the instrument. Patterns run in order over lower-case text with single
// spaces; the more specific names (an optional protocol) come before the instrument they belong to, and
// each match is replaced by its token, so that a shorter pattern never matches inside it afterwards.

/** A canonical token: letters only, so that the tokenizer keeps it whole and no stop word or stem hits it. */
export type InstrumentToken = `zz${string}`;

interface Instrument {
  token: InstrumentToken;
  patterns: RegExp[];
}

// Fragments shared by several patterns.
const OF = '(?:to|of|on)';
const THE = '(?:the )?';
const CAT = `${THE}(?:(?:un |united nations )?convention against torture(?: and other cruel,? inhuman or degrading treatment or punishment)?|cat)`;
const CEDAW = `${THE}(?:convention on the elimination of all forms of discrimination against women|cedaw)`;
const CRC = `${THE}(?:(?:un |united nations )?convention on the rights of the child|crc)`;
const CRPD = `${THE}(?:convention on the rights of (?:persons|people) with disabilities|crpd)`;
const ICCPR = `${THE}(?:international covenant on civil and political rights|iccpr)`;
const ICESCR = `${THE}(?:international covenant on economic,? social and cultural rights|icescr)`;
const OP = `(?:${THE}(?:first |second )?optional protocol)`;

const g = (source: string) => new RegExp(source, 'g');

// An acronym in parentheses after a name ("… Rights of the Child (CRC) on the involvement …") is moved to
// the end of the text, so that it neither breaks the long name nor is lost when the name is not recognised.
const PARENTHESISED_ACRONYM = /\s*\((?:[a-z]{1,5}-?)?[a-z]{2,8}(?:-[a-z]{1,4}){0,2}\)/g;


const AND_ITS = ' and (?:its|the) optional protocol(?: thereto)?\\b';

// The sale-of-children protocol's full name, and no more: the words after it may name other treaties.
// "Protect women from violence", "… against all forms of violence": the group shielded from violence (session 43).
const SHIELDED_FROM = '(?:from|against) (?:all (?:forms|kinds) of )?(?:sexual )?';

const SALE_OF_CHILDREN = '(?:the )?sale of children(?:,? child prostitution,? and child pornography)?';

/** Ordered: a convention with its protocols, protocols, then conventions, then bodies and other names. */
export const INSTRUMENTS: readonly Instrument[] = [
  { token: 'zzcat zzopcat', patterns: [g(`\\b${CAT}${AND_ITS}`)] },
  { token: 'zzcedaw zzopcedaw', patterns: [g(`\\b${CEDAW}${AND_ITS}`)] },
  { token: 'zzcrpd zzopcrpd', patterns: [g(`\\b${CRPD}${AND_ITS}`)] },
  { token: 'zzicescr zzopicescr', patterns: [g(`\\b${ICESCR}${AND_ITS}`)] },
  { token: 'zziccpr zziccprop1 zziccprop2', patterns: [g(`\\b${ICCPR} and (?:its|the) (?:two|first and second) optional protocols\\b(?: thereto)?`)] },
  {
    token: 'zzcrc zzopcrcsc zzopcrcac',
    patterns: [g(`\\b${CRC} and (?:its|the) (?:two |first two )?optional protocols\\b(?: thereto)?`)],
  },
  { token: 'zzopcrcsc zzopcrcac', patterns: [g(`\\b${THE}(?:two |first two )?optional protocols ${OF} ${CRC}`)] },
  { token: 'zzopcat', patterns: [g(`\\bop-? ?cat\\b`), g(`\\b${OP} ${OF} ${CAT}`)] },
  {
    token: 'zzopcrcsc',
    patterns: [
      g(`\\bop-? ?crc-? ?sc\\b`),
      g(`\\b${OP} ${OF} ${CRC},? on ${SALE_OF_CHILDREN}`),
      g(`\\b${OP} on ${SALE_OF_CHILDREN}`),
    ],
  },
  {
    token: 'zzopcrcac',
    patterns: [
      g(`\\bop-? ?crc-? ?ac\\b`),
      g(`\\b${OP} ${OF} ${CRC},? on (?:the )?involvement of children in armed conflicts?`),
      g(`\\b${OP} on (?:the )?involvement of children in armed conflicts?`),
    ],
  },
  {
    token: 'zzopcrcic',
    patterns: [
      g(`\\bop-? ?crc-? ?ic\\b`),
      g(`\\b(?:third |new )?${OP} ${OF} ${CRC},? on a communications? procedure`),
      g(`\\b(?:third |new )optional protocol ${OF} ${CRC}`),
    ],
  },
  {
    token: 'zzopcedaw',
    patterns: [g(`\\bop-? ?cedaw\\b`), g(`\\b${OP} ${OF} ${CEDAW}`)],
  },
  {
    token: 'zzopcrpd',
    patterns: [g(`\\bop-? ?crpd\\b`), g(`\\b${OP} ${OF} ${CRPD}`)],
  },
  {
    token: 'zziccprop2',
    patterns: [
      // "the ICCPR-OP2": with its article, or the covenant's own pattern (which takes "the ") matches first.
      g(`\\b(?:the )?(?:iccpr-? ?op ?2|op ?2-? ?iccpr|second op-? ?iccpr)\\b`),
      g(`\\bsecond optional protocol ${OF} ${ICCPR}(?:,? aiming at (?:the )?abolition of the death penalty)?`),
      g(`\\bsecond optional protocol\\b`),
    ],
  },
  {
    token: 'zziccprop1 zziccprop2',
    patterns: [g(`\\b(?:the )?(?:first and second|two) optional protocols ${OF} ${ICCPR}`)],
  },
  {
    token: 'zziccprop1',
    patterns: [g(`\\b(?:the )?(?:iccpr-? ?op ?1|op ?1-? ?iccpr|first op-? ?iccpr)\\b`), g(`\\b(?:the )?first optional protocol ${OF} ${ICCPR}`)],
  },
  {
    token: 'zzopicescr',
    patterns: [g(`\\bop-? ?icescr\\b`), g(`\\b${OP} ${OF} ${ICESCR}`)],
  },
  { token: 'zzcat', patterns: [g(`\\b${CAT}\\b`)] },
  { token: 'zzcedaw', patterns: [g(`\\b${CEDAW}\\b`), g('\\bwomen.s convention\\b')] },
  { token: 'zzcrpd', patterns: [g(`\\b${CRPD}\\b`)] },
  { token: 'zzcrc', patterns: [g(`\\b${CRC}\\b`)] },
  { token: 'zziccpr', patterns: [g(`\\b${ICCPR}\\b`)] },
  { token: 'zzicescr', patterns: [g(`\\b${ICESCR}\\b`)] },
  {
    token: 'zzicerd',
    patterns: [g('\\b(?:the )?international convention on the elimination of all forms of racial discrimination\\b'), g('\\bi?cerd\\b')],
  },
  {
    token: 'zzicrmw',
    patterns: [
      g('\\b(?:the )?(?:international )?convention (?:on|for|relating to) the (?:protection of (?:the )?)?rights of (?:all )?migrants? workers(?: and (?:(?:the )?members of )?their families)?'),
      g('\\b(?:the )?(?:international )?convention on (?:the rights of )?migrants? workers(?: and (?:members of )?their families)?'),
      g('\\b(?:icrmw|icmw|cmw)\\b'),
    ],
  },
  {
    token: 'zzcped',
    patterns: [
      g('\\b(?:the )?(?:international )?convention (?:for|on) the protection of (?:all )?persons (?:from|against) enforced disappearances?'),
      g('\\b(?:the )?(?:international )?convention (?:on|against) enforced disappearances?'),
      g('\\b(?:icpped|cped|ced)\\b'),
    ],
  },
  {
    token: 'zzrome',
    patterns: [
      g('\\b(?:the )?rome statu?t?e(?: of the (?:international criminal court|icc))?'),
      g('\\b(?:the )?statute of the international criminal court'),
    ],
  },
  { token: 'zzicc', patterns: [g('\\b(?:the )?international criminal court\\b'), g('\\bicc\\b')] },
  {
    token: 'zzilo169',
    patterns: [
      g('\\bilo (?:convention )?(?:no\\.? ?|number |n° ?|nº ?|c ?)?169\\b'),
      g('\\b(?:convention )?(?:no\\.? ?|number )?169 (?:of the (?:ilo|international labour organi[sz]ation) )?(?:on|concerning) indigenous and tribal peoples\\b'),
      g('\\bindigenous and tribal peoples convention\\b'),
    ],
  },
  {
    token: 'zzilo189',
    patterns: [
      g('\\bilo (?:convention )?(?:no\\.? ?|number |c ?)?189\\b'),
      g('\\b(?:the )?domestic workers convention\\b'),
      g('\\bconvention (?:no\\.? ?)?189 (?:on|concerning) decent work for domestic workers\\b'),
    ],
  },
  { token: 'zzilo138', patterns: [g('\\bilo (?:convention )?(?:no\\.? ?|number |c ?)?138\\b'), g('\\bminimum age convention\\b')] },
  {
    token: 'zzilo182',
    patterns: [g('\\bilo (?:convention )?(?:no\\.? ?|number |c ?)?182\\b'), g('\\bworst forms of child labour convention\\b')],
  },
  {
    token: 'zzstateless61',
    patterns: [g('\\b(?:the )?(?:1961 )?convention on the reduction of statelessness(?: of 1961)?')],
  },
  {
    token: 'zzstateless54',
    patterns: [g('\\b(?:the )?(?:1954 )?convention relating to the status of stateless persons(?: of 1954)?')],
  },
  {
    token: 'zzrefugee51',
    patterns: [
      g('\\b(?:the )?(?:1951 )?convention relating to the status of refugees(?: of 1951)?(?: and its (?:1967 )?protocol)?'),
      g('\\b(?:the )?(?:1951 )?refugee convention(?: and its (?:1967 )?protocol)?'),
    ],
  },
  {
    token: 'zzpalermo',
    patterns: [
      g('\\b(?:the )?protocol to prevent,? suppress and punish trafficking in persons,? especially women and children'),
      g('\\b(?:the )?palermo protocol\\b'),
    ],
  },
  {
    token: 'zzcoetraffick',
    patterns: [g('\\b(?:the )?council of europe convention on action against trafficking in human beings\\b')],
  },
  {
    token: 'zzuncac',
    patterns: [g('\\b(?:the )?(?:united nations |un )?convention against corruption\\b'), g('\\buncac\\b')],
  },
  {
    token: 'zzdiscedu',
    patterns: [g('\\b(?:the )?(?:unesco )?convention against discrimination in education\\b')],
  },
  {
    token: 'zznhri',
    patterns: [
      g('\\bnational human rights (?:institution|commission|council|institute)s?\\b'),
      g('\\bnational (?:institution|commission|council|institute)s? (?:for|of|on) human rights\\b'),
      g('\\bnhris?\\b'),
      g('\\b(?:the )?paris principles\\b'),
    ],
  },
  { token: 'zzfgm', patterns: [g('\\bfemale genital (?:mutilation|cutting)s?(?: ?/ ?cutting)?\\b'), g('\\bfgm(?:/c)?\\b')] },
  {
    token: 'zzsogi',
    patterns: [
      g('\\bsexual orientation (?:and|or) gender identity\\b'),
      g('\\blgbti?q?\\+?\\b'),
      g('\\blesbian,? gay,? bisexual,? (?:and )?transgender(?:,? (?:and )?intersex)?(?: persons| people)?\\b'),
    ],
  },
  { token: 'zzhrd', patterns: [g('\\bhuman rights defenders?\\b'), g('\\bhrds?\\b')] },
  { token: 'zzupr', patterns: [g('\\buniversal periodic review\\b'), g('\\bupr\\b')] },
  {
    token: 'zzspecproc',
    patterns: [
      g("\\bspecial[- ]procedures?(?:'? (?:thematic )?mandate[- ]holders?)?\\b"),
      g('\\bspecial rapporteurs?(?: mandate[- ]holders?)?\\b'),
      // Their other names (session 43): the Council's mandate holders, its thematic procedures, its special mechanisms.
      // Not "human rights mechanisms": the treaty bodies and the UPR too.
      g('\\b(?:thematic |special )?mandate[- ]holders?\\b'),
      g('\\bthematic (?:procedures|mechanisms)(?: mandate[- ]holders?)?\\b'),
      g('\\bthe (?:united nations |un )?special mechanisms\\b'),
    ],
  },
  // A standing invitation is one request to the special procedures, not any cooperation with them (session 40's
  // audit: "cooperate with special procedures" / "a standing invitation to special procedures", 0.61).
  // Also "open and permanent", "permanent", and "open" when it is to the special procedures as a whole (an open
  // invitation to one rapporteur is an invitation to visit).
  {
    token: 'zzstandinv',
    patterns: [
      g('\\b(?:open(?:-ended)?,? (?:and )?)?(?:standing|permanent|ongoing)(?:,? and (?:open|permanent|standing))? invitations?\\b'),
      g("\\bopen(?:-ended)? invitations? (?=to (?:all )?(?:of )?(?:the )?(?:united nations |un )?(?:human rights )?(?:council(?:'s)? )?(?:thematic )?(?:special (?:procedures|mechanisms|rapporteurs(?! on))|mandate[- ]holders|thematic procedures))"),
    ],
  },
  { token: 'zzohchr', patterns: [g('\\b(?:the )?office of the (?:united nations |un )?high commissioner for human rights\\b'), g('\\bohchr\\b')] },
  // A moratorium is not abolition: its own token, as heavy as the death penalty's, so that the two requests part.
  { token: 'zzmoratorium', patterns: [g('\\bmoratori(?:um|a)\\b')] },
  { token: 'zzdeathpen', patterns: [g('\\bdeath penalty\\b'), g('\\bcapital punishment\\b'), g('\\bdeath sentences?\\b')] },
  { token: 'zzdomviol', patterns: [g('\\bdomestic violence\\b'), g('\\bviolence in the family\\b'), g('\\bfamily violence\\b')] },
  { token: 'zztraffick', patterns: [g('\\btrafficking (?:in|of) (?:human beings|persons|people|women and children|women|children)\\b'), g('\\bhuman trafficking\\b')] },
  // The group a violence is against (session 42): "violence against women" and "violence against children" are
  // other requests, yet as words they met on "violen" and the rest of the text decided ("a strategy to prevent
  // violence against women" / "… against children", 0.63 in the record). One token each, both where the two are
  // named together; gender-based violence is violence against women (as CEDAW's general recommendations say).
  // Session 43: the same groups in other words, found by scanning the whole record. Where the group's words stay
  // around "violence" ("protect women from violence", "women victims of violence", "violence and discrimination
  // against women", "violence against indigenous women"), "violence" alone becomes the token (a lookbehind or a
  // lookahead reads the rest), so that the other words keep counting; "violence, in particular against women" is
  // more than the group, and stays words.
  {
    token: 'zzvaw zzvac',
    patterns: [
      g('\\bviolence against (?:both |all )?women(?:,? (?:and )?girls)?,? (?:and |as well as )?(?:their )?children\\b'),
      g('\\bviolence against children,? (?:and )?women\\b'),
      g(`\\bviolence\\b(?<=\\b(?:women(?:,? and girls)?,? and children|children and women) ${SHIELDED_FROM}violence)`),
      g('\\bviolence(?= and(?:/or)? (?:all forms of )?discrimination against (?:women and children|children and women)\\b)'),
    ],
  },
  {
    token: 'zzvaw',
    patterns: [
      g('\\bviolence (?:(?:perpetrated|committed|directed|inflicted) )?(?:against|towards?) (?:all |both )?(?:women|a woman|woman)(?:,? and (?:young )?girls)?\\b'),
      g('\\bviolence (?:faced|suffered|experienced) by women\\b'),
      g('\\bviolence against girls\\b'),
      g('\\bviolence against (?=(?!(?:and|or|men|children|boys) )[a-z]+ women\\b)'),
      g('\\bgender(?:[- ]based|[- ]related|- based)? violence(?: against women(?: and girls)?)?\\b'),
      g(`\\bviolence\\b(?<=\\b(?:women|girls)(?: and girls)? ${SHIELDED_FROM}violence)`),
      g('\\bviolence\\b(?<=\\b(?:women|girls|female)(?: and girls)? (?:who (?:are|have been) )?victims? of (?:sexual )?violence)'),
      g('\\bviolence(?= and(?:/or)? (?:all forms of )?discrimination against (?:women|girls)\\b)'),
    ],
  },
  {
    token: 'zzvac',
    patterns: [
      g('\\bviolence against (?:the )?child(?:ren)?\\b'),
      g('\\bviolence against (?:boys and girls|girls and boys|minors|juveniles)\\b'),
      g('\\bchild abuses?\\b'),
      g('\\bchild (?=sexual abuses?\\b)'),
      g('\\babuses? (?:of|against) (?:children|the child|minors)\\b'),
      g(`\\bviolence\\b(?<=\\bchild(?:ren)? ${SHIELDED_FROM}violence)`),
      g('\\b(?:violence|abuse)\\b(?<=\\bchild(?:ren)? victims? of (?:violence|abuse))'),
      g('\\bviolence(?= and(?:/or)? discrimination against (?:the )?child(?:ren)?\\b)'),
    ],
  },
];

/**
 * The tokens that name a body, a mechanism or a topic rather than a treaty a state can become party to: they are
 * never asked to be ratified (terms.ts's act dimension leaves them alone).
 */
export const NOT_RATIFIABLE: ReadonlySet<string> = new Set(['zzicc', 'zznhri', 'zzfgm', 'zzsogi', 'zzhrd', 'zzupr', 'zzspecproc', 'zzohchr', 'zzdeathpen', 'zzmoratorium', 'zzdomviol', 'zztraffick', 'zzvaw', 'zzvac', 'zzstandinv']);

// All patterns as one alternation, each in a capturing group of its own (the patterns' own groups are all
// non-capturing): one pass over the text, and at each position the first pattern in order that matches wins.
// Every pattern starts at a word boundary: the `\b` is tested once, before the alternation, so that a
// position inside a word is passed over without trying each pattern (a third of tokenising's time).
const TOKENS = INSTRUMENTS.flatMap((instrument) => instrument.patterns.map(() => instrument.token));
const ANY_INSTRUMENT = new RegExp(
  `\\b(?:${INSTRUMENTS.flatMap((instrument) => instrument.patterns.map((pattern) => `(${pattern.source.replace(/^\\b/, '')})`)).join('|')})`,
  'g',
);

const replaceInstruments = (text: string) =>
  text.replace(ANY_INSTRUMENT, (...groups: unknown[]) => ` ${TOKENS[groups.findIndex((g, i) => i > 0 && g !== undefined) - 1]} `);

/**
 * The text with every instrument name replaced by its token (between spaces); acronyms in parentheses at the
 * end, those of instruments only when the text names none (they repeat a name just given, or a part of it).
 */
export function canonicalInstruments(lowerText: string): string {
  const text = replaceInstruments(lowerText.replace(PARENTHESISED_ACRONYM, ''));
  const acronyms = lowerText.match(PARENTHESISED_ACRONYM);
  if (acronyms === null) return text;
  const named = text.includes(' zz');
  const extra = replaceInstruments(acronyms.map((a) => a.replace(/[\s()]/g, '')).join(' '))
    .split(' ')
    .filter((word) => word !== '' && !(named && word.startsWith('zz')));
  return `${text} ${extra.join(' ')}`;
}
