import t from 'tap';
import { canonicalInstruments, INSTRUMENTS } from '../src/related/instruments.js';
import { allNeighbours, roundScore, type Vector, vectorize, vectorizeIds } from '../src/related/similarity.js';
import { NO_STATE_NAMES, StateNames } from '../src/related/state-names.js';
import { RECURRENCE_THRESHOLD } from '../src/related/settings.js';
import { TermIds } from '../src/related/term-ids.js';
import { plainText, stem, termsOf } from '../src/related/terms.js';
import { isStateList, withoutRecommenders } from '../src/states/names-in-text.js';
import { STATES } from '../seed/states.js';

// The text side of related recommendations: names of instruments made one token, terms, and the cosine.

const cosine = (a: string, b: string) => {
  const vectors = vectorize([termsOf(a), termsOf(b), termsOf('Guarantee freedom of expression online')]);
  return allNeighbours(vectors, 0, 5)[0]!.find((n) => n.index === 1)?.score ?? 0;
};

t.test('every instrument pattern starts at a word boundary (the alternation of them all tests it once)', async (t) => {
  for (const { token, patterns } of INSTRUMENTS) for (const p of patterns) t.ok(p.source.startsWith('\\b'), `${token}: ${p.source}`);
});

t.test('a treaty named in different words is one term', async (t) => {
  const opcat = ['Ratify OP-CAT', 'Accede to the Optional Protocol to the Convention against Torture', 'Consider ratifying the OPCAT.'];
  for (const text of opcat) t.same(termsOf(text), ['ratify', 'zzopcatratify', 'zzopcatratify'], text);
  t.same(termsOf('Sign and ratify the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment'), [
    'ratify',
    'ratify',
    'zzcatratify',
    'zzcatratify',
  ]);
  t.same(termsOf('Ratify the Rome Statue of the ICC'), ['ratify', 'zzromeratify', 'zzromeratify'], 'a typo of statute, and the court named in it');
  t.same(termsOf('Ratify the CAT and its Optional Protocol'), ['ratify', 'zzcatratify', 'zzcatratify', 'zzopcatratify', 'zzopcatratify'], 'a convention with its protocol: both');
  t.same(termsOf('Accede to the Optional Protocols to the CRC'), ['ratify', 'zzopcrcscratify', 'zzopcrcscratify', 'zzopcrcacratify', 'zzopcrcacratify']);
  t.same(termsOf('Ratify the Second Optional Protocol to the ICCPR, aiming at the abolition of the death penalty'), [
    'ratify',
    'zziccprop2ratify',
    'zziccprop2ratify',
  ]);
  t.same(termsOf('Ratify ILO Convention No. 169'), ['ratify', 'zzilo169ratify', 'zzilo169ratify']);
  t.same(termsOf('Become a party to the Rome Statute of the International Criminal Court'), ['ratify', 'zzromeratify', 'zzromeratify']);
  t.same(termsOf('Reconsider being party to the ICRMW').slice(1), ['ratify', 'zzicrmwratify', 'zzicrmwratify'], 'being party: ratify');
  t.ok(cosine('Ratify OP-CAT', 'Accede to the Optional Protocol to the Convention against Torture') > 0.99, 'rewording keeps the score');
  t.ok(cosine('Ratify OP-CAT', 'Ratify the CAT') < 0.5, 'the protocol is not the convention');
});

/** The score of texts a and b among the recommendations to one state (idf over all of them, as relateAll computes it). */
function scoreInState(state: readonly string[], a: number, b: number): number {
  const lists = allNeighbours(vectorize(state.map((text) => termsOf(text))), 0, state.length);
  return lists[a]!.find((n) => n.index === b)?.score ?? 0;
}

// Pairs the session 40 audit found above the threshold though they ask different things (their texts as printed),
// among other requests to one state, as common in it as in the real record's states (below the old scores).
const STATE = [
  'Consider ratifying the Optional Protocol to CAT.',
  'Establish a national mechanism to visit places of detention in line with the Optional Protocol to the Convention against Torture (Costa Rica);',
  'Speed up ratification of the ICCPR and of the Convention against Torture.',
  'Withdraw the remaining reservations to the ICCPR and the CAT (Switzerland);',
  'Consider abolishing the death penalty',
  'Establish a moratorium on the death penalty (Mexico);',
  // The same requests in other words: they stay above it.
  'To ratify the Convention on the Rights of Persons with Disabilities (Qatar);',
  'Take steps to ratify and implement the CRPD (Kenya);',
  'Complete the CPED ratification process (Mexico);',
  'Ratify the International Convention for the Protection of All Persons from Enforced Disappearance (France);',
  'Establish a moratorium on executions with a view to abolishing the death penalty (Portugal);',
  'Establish an official moratorium with a view to the final abolition of the death penalty (France);',
  // Other requests to the state.
  'Ratify the International Convention on the Elimination of All Forms of Racial Discrimination (Brazil);',
  'Ratify the Convention on the Rights of Persons with Disabilities (Spain);',
  'Accede to the Rome Statute of the International Criminal Court (France);',
  'Ratify the Convention on the Reduction of Statelessness (Hungary);',
  'Improve conditions in places of detention (Canada);',
  'Establish a mechanism to monitor places of detention (Denmark);',
  'Establish an independent national human rights institution (Germany);',
  'Combat violence against women and children (Italy);',
  'Improve prison conditions and reduce overcrowding (Algeria);',
  'Guarantee freedom of expression online (Sweden);',
  'Ratify the ICCPR',
  'Speed up the process of ratification of the ICCPR-OP2 (Estonia);',
  'Ratify the United Nations Convention against Corruption (Netherlands);',
  'Implement promptly the United Nations Convention against Corruption (Australia);',
  // Session 42, texts as UPR Info prints them: a strategy against violence against children / against women (0.63
  // in the record, 0.53 here before), and violence against women in other words (0.26 before: "gender-based" met
  // neither "women" nor "against").
  'Adopt a comprehensive national strategy to prevent and combat all forms of violence against children',
  'to continue to promote the comprehensive strategy to prevent and eliminate all forms of violence against women and girls',
  'Continue to address gender-based violence',
  'Make more strenuous effort to address the issue of violence against women, including through intensifying its awareness-raising and strengthening prevention efforts and measures',
  // A standing invitation / cooperation with special procedures (0.58 in the record), and a standing invitation in
  // other words.
  'Issue a standing invitation to the Special Procedures',
  'Strengthen cooperation with the special procedures of the Council.',
  'Consider extending a standing invitation to all special procedures mandate holders of the Human Rights Council',
  'Extend an open and permanent invitation to all United Nations special procedures',
];

// Session 43, as the record prints them (UPR Info's without the states): the groups in other words, among the same
// requests (0–0.49 here before).
const GROUPS_43 = [
  ...STATE,
  'Issue an open invitation to the United Nations special mechanisms (Uruguay);',
  'Extend a standing invitation to all mandate holders of the Council (Hungary);',
  'Continue to combat gender violence (Spain);',
  'Establish more shelters for women victims of violence (Norway);',
  'Establish shelters for the victims of violence against women',
  'Take further measures to ensure the full protection of children from all forms of violence (Sweden);',
  'Combat all forms of violence against children',
];

t.test('the act asked: a treaty to ratify is another request than the same treaty to implement (session 40)', async (t) => {
  t.same(termsOf('Ratify OP-CAT'), ['ratify', 'zzopcatratify', 'zzopcatratify'], 'ratified: the treaty\'s ratification, counted twice');
  t.same(termsOf('Establish a mechanism in line with OP-CAT'), ['establ', 'mechan', 'zzopcat'], 'named for another act: the treaty alone');
  t.same(termsOf('Withdraw reservations to CEDAW and accede to OP-CEDAW'), ['withdr', 'reserv', 'zzcedaw', 'ratify', 'zzopcedawratify', 'zzopcedawratify']);
  t.same(termsOf('Ratify CAT; implement it in line with the CRC'), ['ratify', 'zzcatratify', 'zzcatratify', 'implem', 'zzcrc'], 'in line with: another act');
  t.same(termsOf('Ratify OP-ICESCR; and CPED'), ['ratify', 'zzopicescrratify', 'zzopicescrratify', 'zzcpedratify', 'zzcpedratify'], 'a list goes on past a semicolon');
  t.same(termsOf('Complete the CPED ratification'), ['comple', 'zzcpedratify', 'zzcpedratify', 'ratify'], 'a treaty just before "ratification"');
  t.same(termsOf('Ratify and cooperate with the ICC and the NHRI'), ['ratify', 'cooper', 'zzicc', 'zznhri'], 'a court or a body is not ratified');
  t.ok(scoreInState(STATE, 0, 1) < RECURRENCE_THRESHOLD, 'ratify OP-CAT / a mechanism in line with it (0.51 before)');
  t.ok(scoreInState(STATE, 2, 3) < RECURRENCE_THRESHOLD, 'ratify ICCPR and CAT / withdraw reservations to them (0.66 before)');
  t.ok(scoreInState(STATE, 6, 7) >= RECURRENCE_THRESHOLD, '"ratify and implement" still asks to ratify');
  t.ok(scoreInState(STATE, 8, 9) >= RECURRENCE_THRESHOLD, 'the CPED ratification / ratify CPED');
  t.same(termsOf('Provide follow-up to the Council of Europe Convention on Action against Trafficking in Human Beings'), ['provid', 'follow', 'zzcoetraffick']);
  t.same(termsOf('Ratify UNCAC'), termsOf('Ratify the UN Convention against Corruption'));
  t.ok(scoreInState(STATE, 24, 25) < RECURRENCE_THRESHOLD, 'ratify the convention against corruption / implement it (0.79 in the record before)');
});

t.test('the ICCPR-OP2 after "the", or written "ICCPR-OP 2" or "Second OP-ICCPR", is the protocol, not the covenant (session 40)', async (t) => {
  for (const text of ['Speed up the ratification of the ICCPR-OP2', 'Ratify ICCPR-OP 2', 'Ratify the Second OP-ICCPR']) {
    t.same(termsOf(text).filter((term) => term.startsWith('zz')), ['zziccprop2ratify', 'zziccprop2ratify'], text);
  }
  t.same(termsOf('Ratify the First OP-ICCPR').filter((term) => term.startsWith('zz')), ['zziccprop1ratify', 'zziccprop1ratify']);
  t.ok(scoreInState(STATE, 22, 23) < 0.15, 'ratify the ICCPR / the ICCPR-OP2 (0.52 before)');
});

t.test('a ratify clause ends at another act once a treaty is named in it (session 41)', async (t) => {
  const treaties = (text: string) => termsOf(text).filter((term) => term.startsWith('zz'));
  t.same(treaties('Sign and ratify the Rome Statute, and take measures to implement the CEDAW'), ['zzromeratify', 'zzromeratify', 'zzcedaw']);
  t.same(treaties('Ratify OP-CAT and fully implement the CAT'), ['zzopcatratify', 'zzopcatratify', 'zzcat']);
  // Texts of the record (the Terman files and UPR Info), the treaty after the other act taken as ratified before.
  t.same(treaties('Accede to the OPCAT, improve its national implementation of the CAT, establish an independent complaints procedure'), [
    'zzopcatratify',
    'zzopcatratify',
    'zzcat',
  ]);
  t.same(treaties('Ratify the OP-CRC-SC with a view to providing better implementation to the Convention on the Rights of the Child'), [
    'zzopcrcscratify',
    'zzopcrcscratify',
    'zzcrc',
  ]);
  t.same(treaties('Complete the CPED ratification and implement the CRC'), ['zzcpedratify', 'zzcpedratify', 'zzcrc'], 'after "ratification" too');
  // Still ratified: an act word before any treaty, a ratify word after the act, a treaty's description.
  t.same(treaties('Take steps to ratify and implement the CRPD'), ['zzcrpdratify', 'zzcrpdratify']);
  t.same(treaties('Ratify the CAT and take steps to accede to OP-CAT'), ['zzcatratify', 'zzcatratify', 'zzopcatratify', 'zzopcatratify']);
  t.same(treaties('Ratify the Rome Statute establishing the International Criminal Court, as well as the CPED'), [
    'zzromeratify',
    'zzromeratify',
    'zzicc',
    'zzcpedratify',
    'zzcpedratify',
  ]);
  t.same(treaties('Sign and ratify OP-CAT, ICCPR-OP2, aimed at abolishing the death penalty, OP-CRC-AC'), [
    'zzopcatratify',
    'zzopcatratify',
    'zziccprop2ratify',
    'zziccprop2ratify',
    'zzdeathpen',
    'zzopcrcacratify',
    'zzopcrcacratify',
  ]);
  const state = [...STATE, 'Ratify the Convention against Torture (Austria);', 'Accede to the OPCAT, improve its national implementation of the CAT'];
  t.ok(scoreInState(state, state.length - 2, state.length - 1) < 0.15, 'ratify CAT / implement it, beside ratifying OP-CAT');
});

t.test('a moratorium is not abolition (session 40)', async (t) => {
  t.same(termsOf('Establish a moratorium on the death penalty'), ['establ', 'zzmoratorium', 'zzdeathpen']);
  t.ok(scoreInState(STATE, 4, 5) < RECURRENCE_THRESHOLD, 'abolition / a moratorium (0.52 before)');
  t.ok(scoreInState(STATE, 10, 11) >= RECURRENCE_THRESHOLD, 'a moratorium with a view to abolition, in other words');
});

t.test('violence against women is another request than violence against children (session 42)', async (t) => {
  const groups = (text: string) => termsOf(text).filter((term) => term.startsWith('zz'));
  for (const text of ['Combat violence against women', 'End violence against women and girls', 'Fight gender-based violence', 'Prevent violence towards women']) {
    t.same(groups(text), ['zzvaw'], text);
  }
  for (const text of ['Combat violence against children', 'Prevent child abuse', 'Stop violence against the child']) t.same(groups(text), ['zzvac'], text);
  for (const text of ['Combat violence against women and children', 'End violence against women, girls and children', 'Prevent violence against children and women']) {
    t.same(groups(text), ['zzvaw', 'zzvac'], `${text}: both`);
  }
  t.same(termsOf('Combat violence against women, including domestic violence'), ['combat', 'zzvaw', 'zzdomviol']);
  t.same(groups('Ratify CEDAW and combat violence against women'), ['zzcedawratify', 'zzcedawratify', 'zzvaw'], 'a group is not ratified');
  t.same(groups('Invite the Special Rapporteur on violence against women'), ['zzspecproc', 'zzvaw']);
  t.ok(scoreInState(STATE, 26, 27) < RECURRENCE_THRESHOLD, 'a strategy against violence against children / against women (0.53 before)');
  t.ok(scoreInState(STATE, 28, 29) >= RECURRENCE_THRESHOLD, 'gender-based violence / violence against women (0.26 before)');
  t.ok(scoreInState(STATE, 19, 26) > 0, 'violence against women and children still meets violence against children');
  t.ok(scoreInState(STATE, 19, 27) > 0, '… and violence against women');
});

t.test('a standing invitation is another request than cooperation with special procedures (session 42)', async (t) => {
  t.same(termsOf('Extend a standing invitation to all special procedures'), ['extend', 'zzstandinv', 'zzspecproc']);
  t.same(termsOf('Issue standing invitations'), ['issue', 'zzstandinv']);
  t.same(termsOf('Ratify OP-CAT and issue a standing invitation').filter((term) => term.startsWith('zz')), ['zzopcatratify', 'zzopcatratify', 'zzstandinv']);
  t.ok(scoreInState(STATE, 30, 31) < RECURRENCE_THRESHOLD, 'a standing invitation / cooperation (0.65 here before)');
  t.ok(scoreInState(STATE, 30, 32) >= RECURRENCE_THRESHOLD, 'a standing invitation in other words');
  for (const text of ['Issue an open and standing invitation to all special procedures', 'Extend a permanent invitation to all special procedures', 'Extend an open invitation to all of the special procedures']) {
    t.same(termsOf(text).slice(1), ['zzstandinv', 'zzspecproc'], text);
  }
  t.same(termsOf('Extend an open invitation to the Special Rapporteur on torture'), ['extend', 'open', 'invita', 'zzspecproc', 'tortur'], 'to one rapporteur: an invitation to visit');
  t.ok(scoreInState(STATE, 30, 33) >= RECURRENCE_THRESHOLD, 'an open and permanent invitation is a standing invitation (0.28 before)');
});

t.test('the groups in other words: gender violence, women victims of violence, mandate holders (session 43)', async (t) => {
  const groups = (text: string) => termsOf(text).filter((term) => term.startsWith('zz'));
  for (const text of [
    'Combat gender violence',
    'Fight gender-related violence',
    'Eliminate violence and discrimination against women',
    'Ensure that women victims of violence have access to justice',
    'Assist women and girls who are victims of sexual violence',
    'Protect women against all forms of violence',
    'Address violence against Aboriginal women',
    'Combat violence perpetrated against women',
  ]) {
    t.same(groups(text), ['zzvaw'], text);
  }
  t.same(termsOf('Address violence against indigenous women'), ['addres', 'zzvaw', 'indige', 'woman'], 'the women named keep their word');
  t.same(termsOf('Eliminate violence and discrimination against women'), ['elimin', 'zzvaw', 'discri', 'woman'], 'discrimination stays a word');
  for (const text of ['Protect children from all forms of violence', 'Combat violence against boys and girls', 'Prevent child sexual abuse', 'Support child victims of abuse', 'Combat sexual abuse against minors']) {
    t.same(groups(text), ['zzvac'], text);
  }
  for (const text of ['Protect women and children from violence', 'Eliminate violence and discrimination against women and children']) {
    t.same(groups(text), ['zzvaw', 'zzvac'], `${text}: both`);
  }
  for (const text of ['Respond to the questionnaires of mandate holders', 'Accept the visits requested by thematic mandate-holders', 'Cooperate with the thematic procedures']) {
    t.same(groups(text), ['zzspecproc'], text);
  }
  t.same(groups("Cooperate with the special procedures' mandate holders"), ['zzspecproc'], 'once, however the two are joined');
  for (const text of ['Extend an open invitation to the UN special rapporteurs', 'Extend an open and ongoing invitation to all special procedures']) {
    t.same(groups(text), ['zzstandinv', 'zzspecproc'], text);
  }
  // What means more than the group stays words: the human rights mechanisms are the treaty bodies and the UPR too,
  // violence "in particular against women" is any violence, an open invitation to two rapporteurs is to visit.
  t.same(groups('Cooperate with the United Nations human rights mechanisms'), []);
  t.same(groups('Reduce violence, in particular against women'), []);
  t.same(groups('Extend an open invitation to the Special Rapporteurs on torture and on education'), ['zzspecproc']);
  t.ok(scoreInState(GROUPS_43, 34, 30) >= RECURRENCE_THRESHOLD, 'an open invitation to the special mechanisms / a standing invitation to the special procedures (0.13 before)');
  t.ok(scoreInState(GROUPS_43, 35, 32) >= RECURRENCE_THRESHOLD, '… to all mandate holders of the Council / to all special procedures mandate holders (0.49 before)');
  t.ok(scoreInState(GROUPS_43, 36, 28) >= RECURRENCE_THRESHOLD, 'gender violence / gender-based violence (0 before)');
  t.ok(scoreInState(GROUPS_43, 37, 38) >= RECURRENCE_THRESHOLD, 'shelters for women victims of violence / for victims of violence against women (0.49 before)');
  t.ok(scoreInState(GROUPS_43, 39, 40) >= RECURRENCE_THRESHOLD, 'children protected from violence / violence against children (0.15 before)');
  t.ok(scoreInState(GROUPS_43, 39, 27) < 0.15, '… not violence against women');
});

t.test('an acronym in parentheses neither breaks a long name nor counts twice', async (t) => {
  t.match(
    canonicalInstruments('ratify the optional protocol to the convention on the rights of the child (crc) on the involvement of children in armed conflict'),
    /^ratify +zzopcrcac *$/,
  );
  t.match(canonicalInstruments('ratify the convention against torture (cat)'), /^ratify +zzcat *$/);
  t.match(canonicalInstruments('adopt the law (gbv) soon'), /^adopt the law soon gbv$/, 'an acronym that names nothing is kept');
});

t.test('plain text, stems and stop words', async (t) => {
  t.equal(plainText('  76.1. Protéger les “droits” – now’s  the time '), 'proteger les “droits” - now\'s the time');
  t.equal(stem('discrimination'), 'discri');
  t.equal(stem('discriminatory'), 'discri');
  t.equal(stem('policies'), 'policy');
  t.equal(stem('rights'), 'right');
  t.equal(stem('process'), 'proces', 'a double s is not a plural');
  t.equal(stem('law'), 'law');
  t.equal(stem('protecting'), 'protec');
  t.equal(stem('adopted'), 'adopt');
  t.same(termsOf('Continue its efforts to ensure the rights of women and children in 2012'), ['right', 'woman', 'child']);
  t.same(termsOf('Continue to take all necessary measures.'), [], 'nothing but the words of asking');
  t.same(termsOf('— …'), [], 'no word at all');
  const [empty] = vectorize([[], ['torture']]);
  t.equal(empty!.terms.length, 0, 'a text without terms has an empty vector, related to nothing');
});

/** The texts scoring at least `floor` with text `i`, best first: every other text's cosine computed directly. */
function oneAtATime(vectors: Vector[], i: number, floor: number) {
  const weightOf = (v: Vector) => new Map(Array.from(v.terms, (term, k) => [term, v.weights[k]!]));
  const own = weightOf(vectors[i]!);
  return vectors
    .map((other, index) => ({ index, score: roundScore([...weightOf(other)].reduce((dot, [term, w]) => dot + w * (own.get(term) ?? 0), 0)) }))
    .filter((n) => n.index !== i && n.score >= floor)
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

t.test('scores: symmetric, one text against all equals all pairs, floor and k hold', async (t) => {
  const texts = [
    'Ratify OP-CAT',
    'Accede to the Optional Protocol to the Convention against Torture',
    'Establish a national preventive mechanism against torture',
    'Ratify the Convention on the Rights of Persons with Disabilities',
    'Ratify the CRPD and its Optional Protocol',
    'Combat domestic violence against women',
    'Criminalise domestic violence',
  ];
  const vectors = vectorize(texts.map((text) => termsOf(text)));
  const all = allNeighbours(vectors, 0.1, 10);
  all.forEach((list, i) => {
    t.same(list, oneAtATime(vectors, i, 0.1), `text ${i}: the same neighbours one at a time`);
    for (const n of list) t.ok(all[n.index]!.some((m) => m.index === i && m.score === n.score), `pair ${i}–${n.index} symmetric`);
    t.ok(list.every((n, k) => k === 0 || list[k - 1]!.score >= n.score), 'best first');
  });
  t.equal(all[0]![0]!.index, 1, 'OP-CAT finds its rewording first');
  t.equal(all[3]![0]!.index, 4);
  t.equal(all[5]![0]!.index, 6);
  t.ok(allNeighbours(vectors, 0.1, 1).every((list) => list.length <= 1), 'k bounds each list');
  t.ok(allNeighbours(vectors, 0.99, 10).every((list) => list.every((n) => n.score >= 0.99)), 'the floor holds');
  t.equal(roundScore(1.00000001), 1, 'never above 1');
  t.equal(roundScore(0.123456), 0.1235);
});

t.test('term ids: one tokenising per text, forgotten at the limit, same vectors as the terms', async (t) => {
  const ids = new TermIds(2, 100);
  const first = ids.of('Ratify OP-CAT');
  t.equal(ids.of('Ratify OP-CAT'), first, 'a text seen before is not tokenised again');
  t.same([...first], [0, 1, 1]);
  t.same(ids.instrument, [false, true], 'zzopcatratify is an instrument token');
  ids.trim();
  t.equal(ids.size, 2, 'below the limits nothing is forgotten');
  ids.of('Combat torture');
  ids.trim();
  t.equal(ids.size, 0, 'two texts kept: all forgotten');
  t.same([...ids.of('Combat torture')], [0, 1], 'numbered anew');
  const few = new TermIds(100, 3);
  few.of('Combat torture and domestic violence');
  few.trim();
  t.equal(few.size, 0, 'the dictionary at its limit: all forgotten');
  const texts = ['Ratify OP-CAT', 'Accede to the Optional Protocol to the Convention against Torture', 'Combat torture'];
  const shared = new TermIds(100, 100);
  shared.of('Protect human rights defenders');
  t.same(
    vectorizeIds(
      texts.map((text) => shared.of(text)),
      shared.instrument,
    ),
    vectorize(texts.map((text) => termsOf(text))),
    'ids of a larger dictionary give the same vectors',
  );
});

// The states' names and aliases, as the states table holds them (seeded from seed/states.ts).
const NAMES = new StateNames(STATES.flatMap((state) => [state.name, ...state.aliases]));

t.test('the recommending states printed at the end of a text are not terms (the Terman corpus, OHCHR)', async (t) => {
  const asked = ['ratify', 'zzicrmwratify', 'zzicrmwratify'];
  for (const text of [
    'Ratify ICRMW (Norway);',
    'Ratify ICRMW (United Kingdom of Great Britain and Northern Ireland);',
    'Ratify ICRMW (Venezuela (Bolivarian Republic of)).',
    'Ratify ICRMW (Bolivia (Plurinational State of))  ; ',
    'Ratify ICRMW (France) (Lithuania);',
    'Ratify ICRMW (Chile, Mexico, Czech Republic);',
    'Ratify ICRMW (Ecuador and Spain);',
    'Ratify ICRMW (Slovenia, Argentina, and Sweden);',
    'Ratify ICRMW (the Netherlands; Brazil)',
    'Ratify ICRMW (Trinidad and Tobago)',
    '12.3. Ratify ICRMW (Norway)',
    'Ratify ICRMW (Norway). );',
  ]) {
    t.same(termsOf(text, NAMES), asked, text);
  }
  t.same(termsOf('Ratify ICRMW (Austria); ratify ICRMW (Bosnia and Herzegovina);', NAMES), [...asked, ...asked], 'a state after each part of a text joined from two rows');
  t.same(termsOf('Ratify ICRMW (Norway);'), ['ratify', 'zzicrmwratify', 'zzicrmwratify', 'norway'], 'without the names: the text as written');
  t.same(termsOf('Ratify ICRMW (Norway);', NO_STATE_NAMES), ['ratify', 'zzicrmwratify', 'zzicrmwratify', 'norway']);
});

t.test('a parenthesis that is not a list of states stays in the text', async (t) => {
  t.same(termsOf('Ratify the Optional Protocol against Torture (OP-CAT) (France);', NAMES), termsOf('Ratify the Optional Protocol against Torture (OP-CAT)'));
  t.same(termsOf('Ratify the convention on lighthouses (CEDAW);', NAMES), ['ratify', 'conven', 'lighth', 'zzcedawratify', 'zzcedawratify'], 'an acronym');
    t.same(termsOf('Protect the keepers of lighthouses (Fictional Republic of Nowhere);', NAMES), termsOf('Protect the keepers of lighthouses (Fictional Republic of Nowhere);'), 'no state has that name: kept');
  t.same(termsOf('Protect (Norway) the keepers of lighthouses', NAMES), termsOf('Protect (Norway) the keepers of lighthouses'), 'a state inside the text, not at the end of a part: kept');
  const resolve = (name: string) => (['norway', 'spain'].includes(name.toLowerCase()) ? name : undefined);
  t.equal(withoutRecommenders('Report on the lighthouse census (2011) (Norway);', resolve), 'Report on the lighthouse census (2011)');
  t.equal(withoutRecommenders('Ratify ILO Convention (No. 29) (Spain) (Norway).', resolve), 'Ratify ILO Convention (No. 29)');
  t.equal(withoutRecommenders('Ratify ILO Convention (No. 29);', resolve), 'Ratify ILO Convention (No. 29);', 'nothing to leave out: the text as it is');
  t.equal(withoutRecommenders('Ratify ILO Convention (No. 29). );', resolve), 'Ratify ILO Convention (No. 29). );', 'nor with a stray parenthesis');
  t.equal(withoutRecommenders('Ratify ILO Convention (No. 29) (Spain). );', resolve), 'Ratify ILO Convention (No. 29)', 'a stray parenthesis after states');
  t.equal(withoutRecommenders('Ratify it (Norway) ) ;  ', resolve), 'Ratify it', 'spaced out');
  t.equal(withoutRecommenders('Ratify it (Norway)) x', resolve), 'Ratify it (Norway)) x', 'not at the end: kept');
  t.ok(isStateList('Norway, Spain', resolve));
  t.ok(isStateList('Norway and the Spain', resolve), 'a list joined by "and", a leading "the"');
  t.notOk(isStateList('Norway, lighthouses', resolve), 'one name that is none: not a list of states');
  t.notOk(isStateList('', resolve));
});

t.test('the recommending states at the end of a text are read in linear time, whatever its spaces', async (t) => {
  // A written text (up to 10,000 characters, its spaces as sent) cost n² steps where a regex's \s* or \s+
  // backtracked over a run of spaces: before a stray ")" (10,000 spaces: ~30 ms at each write), and in a
  // parenthesised group (a list's separators: 120 ms).
  const resolve = (name: string) => (name.trim() === 'Norway' ? 'NOR' : undefined);
  const spaces = ' '.repeat(100_000);
  const start = process.cpuUsage();
  t.equal(withoutRecommenders(`a${spaces})x`, resolve), `a${spaces})x`);
  t.equal(withoutRecommenders(`Ratify it (Norway)${spaces})${spaces};${spaces}`, resolve), 'Ratify it');
  t.notOk(isStateList(`Norway and${spaces}x`, resolve));
  t.notOk(isStateList(`Norway,${spaces}x`, resolve));
  t.ok(isStateList(`Norway ,${spaces}Norway`, resolve), 'a list spaced out is still a list');
  t.same(termsOf(`Ratify it (Norway and${spaces}xx)`, NAMES), ['ratify', 'norway', 'xx'], 'through the terms of a text: not a list, kept');
  const spent = process.cpuUsage(start);
  t.ok((spent.user + spent.system) / 1000 < 1000, `${Math.round((spent.user + spent.system) / 1000)} ms of CPU (< 1 s)`);
});

t.test("a Terman-style copy scores with a UPR Info-style one as two UPR Info-style copies do", async (t) => {
  const group = (first: string) =>
    allNeighbours(
      vectorize(
        [first, 'Protect the keepers of lighthouses on the northern coast', 'Publish the annual report on river ferries', 'Train lighthouse keepers in first aid'].map(
          (text) => termsOf(text, NAMES),
        ),
      ),
      0,
      10,
    );
  const terman = group('Protect the keepers of lighthouses on the northern coast (United Kingdom of Great Britain and Northern Ireland);');
  const uprInfo = group('Protect the keepers of lighthouses on the northern coast');
  t.same(terman, uprInfo, 'every score the same');
  t.equal(terman[0]![0]!.score, 1, 'the two copies are one request');
});

t.test('term ids follow the states names they are given', async (t) => {
  const ids = new TermIds(100, 100);
  t.same([...ids.of('Ratify ICRMW (Norway);')], [0, 1, 1, 2], 'no names: the state is a term');
  ids.useNames(NAMES);
  t.same([...ids.of('Ratify ICRMW (Norway);')], [0, 1, 1], 'other names: the text tokenised again');
  ids.useNames(new StateNames(['norway', ...NAMES.list()]));
  t.same([...ids.of('Ratify ICRMW (Norway);')], [0, 1, 1], 'the same names (normalised): kept');
});

t.test("a protocol's name ends where it ends, and the ICCPR with its two protocols is all three (session 42)", async (t) => {
  const zz = (text: string) => termsOf(text).filter((term) => term.startsWith('zz'));
  // Nauru 2011's 79.19: the sale-of-children protocol's name took every word after it.
  t.same(
    zz('Ratify the Optional Protocol to the CRC on the sale of children, child prostitution and child pornography, CEDAW, ICERD and ICESCR'),
    ['zzopcrcscratify', 'zzopcrcscratify', 'zzcedawratify', 'zzcedawratify', 'zzicerdratify', 'zzicerdratify', 'zzicescrratify', 'zzicescrratify'],
  );
  t.same(
    zz('Ratify the Optional Protocol on the sale of children, child prostitution and child pornography and the Optional Protocol to the Convention against Torture'),
    ['zzopcrcscratify', 'zzopcrcscratify', 'zzopcatratify', 'zzopcatratify'],
  );
  t.same(zz('Ratify the Optional Protocol on the sale of children'), ['zzopcrcscratify', 'zzopcrcscratify'], 'the short name');
  // Saint Lucia 2011's 89.12: "the ICCPR and its two Optional Protocols".
  t.same(zz('Ratify the ICCPR and its two Optional Protocols'), [
    'zziccprratify',
    'zziccprratify',
    'zziccprop1ratify',
    'zziccprop1ratify',
    'zziccprop2ratify',
    'zziccprop2ratify',
  ]);
});
