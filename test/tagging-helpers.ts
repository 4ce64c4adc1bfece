import type { LabelledText } from '../src/tagging/corpus.js';
import { uprInfoThemeId } from '../src/tagging/labels.js';
import { Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, fit, type TrainOptions } from '../src/tagging/train.js';

// A small fixture model trained in the test from a few hand-written texts (fictional wording, in the style
// of UPR recommendations): the tests of tagging never need the shipped model or the real data.

const DEATH = uprInfoThemeId('Death penalty');
const EDUCATION = uprInfoThemeId('Right to education');
const TORTURE = uprInfoThemeId('Torture and other CID treatment');
const WOMEN = uprInfoThemeId("Women's rights");
const INSTRUMENTS = uprInfoThemeId('International instruments');

export const FIXTURE_LABELS = { DEATH, EDUCATION, TORTURE, WOMEN, INSTRUMENTS };

const TEXTS: [string, string[]][] = [
  ['Abolish the death penalty', [DEATH]],
  ['Establish a moratorium on executions with a view to abolishing the death penalty', [DEATH]],
  ['Commute all death sentences to terms of imprisonment', [DEATH]],
  ['Consider abolishing capital punishment and the death penalty in law', [DEATH]],
  ['Ratify the Second Optional Protocol to the ICCPR aiming at the abolition of the death penalty', [DEATH, INSTRUMENTS]],
  ['Ensure free and compulsory primary education for all children', [EDUCATION]],
  ['Increase school enrolment and reduce drop-out rates in primary schools', [EDUCATION]],
  ['Improve access to quality education in rural schools', [EDUCATION]],
  ['Guarantee access to education for girls and women', [EDUCATION, WOMEN]],
  ['Allocate more resources to schools and teachers', [EDUCATION]],
  ['Investigate all allegations of torture and ill-treatment in detention', [TORTURE]],
  ['Ratify the Optional Protocol to the Convention against Torture', [TORTURE, INSTRUMENTS]],
  ['Prevent torture by police officers and punish perpetrators', [TORTURE]],
  ['Criminalise torture in the penal code in line with the Convention against Torture', [TORTURE]],
  ['Combat violence against women, including domestic violence', [WOMEN]],
  ['Promote gender equality and the participation of women in public life', [WOMEN]],
  ['Adopt a law against domestic violence and protect women victims', [WOMEN]],
  ['Eliminate discrimination against women in employment', [WOMEN]],
  ['Ratify the Convention on the Rights of Persons with Disabilities', [INSTRUMENTS]],
  ['Accede to the Rome Statute of the International Criminal Court', [INSTRUMENTS]],
  ['Ratify the International Convention for the Protection of All Persons from Enforced Disappearance', [INSTRUMENTS]],
  ['Sign and ratify the Optional Protocol to the Convention on the Elimination of Discrimination against Women', [INSTRUMENTS, WOMEN]],
];

/** The fixture texts, spread over sessions 1–4 (so that thresholds can be tuned on folds by session). */
export const FIXTURE_CORPUS: LabelledText[] = TEXTS.map(([text, labels], i) => ({ text, labels: [...labels].sort(), session: 1 + (i % 4) }));

/** Options that train the fixture quickly: words and word pairs only (test/tagging-model.test.ts adds n-grams; test/tagging-embedding.test.ts the word-vector network; test/tagging-bag.test.ts the network of trained term vectors). */
export const FIXTURE_OPTIONS: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, minDf: 1, maxTerms: 2_000, epochs: 40, folds: 2, weightsPerLabel: 200, pruneBelow: 0.01, charGrams: undefined, embedding: undefined, bag: undefined };

export const FIXTURE_THEMES = Object.values(FIXTURE_LABELS);

export function fixtureModel() {
  return fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture', FIXTURE_OPTIONS);
}

export function fixtureTagger(): Tagger {
  return new Tagger(fixtureModel());
}
