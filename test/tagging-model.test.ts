import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { MAX_LABELS, MODEL_FORMAT, Tagger, blockScales, loadTagger } from '../src/tagging/model.js';
import { machineTagger, setTagger } from '../src/tagging/tagger.js';
import { charGramCounts, features, metaCounts, stem, termCounts, words } from '../src/tagging/text.js';
import { evaluate, fit, random, tuneThresholds } from '../src/tagging/train.js';
import { heldOutEvaluation, shippedModel } from '../src/tagging/training-run.js';
import { tempDir } from './helpers.js';
import { run, seededDb } from './import-helpers.js';
import { uprInfoCsv } from './support/pgconv-e-tagging.js';
import { FIXTURE_CORPUS, FIXTURE_LABELS, FIXTURE_OPTIONS, FIXTURE_THEMES, fixtureModel, fixtureTagger } from './tagging-helpers.js';

// The tagger itself (src/tagging/): features, the model, its training and evaluation, the training run over
// UPR Info's CSV files and the shipped model. No app and no server database here (the training run reads a
// seeded SQLite file, as `npm run train` does), so this file runs once, not on each backend: the labels'
// life in the database is tagging.test.ts's.

const { DEATH, EDUCATION, TORTURE, WOMEN, INSTRUMENTS } = FIXTURE_LABELS;
const tagger = fixtureTagger();
setTagger(tagger);
t.teardown(() => setTagger(undefined)); // the shipped model again: a shard runs other files in this process

t.test('text features: folded words, light stems, word pairs', async (t) => {
  t.same(words("Ratify the Women’s Convention; 2 ratifications!"), ['ratifi', 'women', 'convention', 'ratific']);
  t.equal(stem('ratifies'), 'ratify'.slice(0, 5) + 'i', 'ies → y, then y → i');
  t.equal(stem('classes'), 'class');
  t.equal(stem('status'), 'status', 'a word ending in -us keeps its s');
  t.equal(stem('act'), 'act', 'short words are kept');
  t.same([...termCounts('death penalty, death penalty')], [
    ['death', 2],
    ['penalti', 2],
    ['death penalti', 2],
    ['penalti death', 1],
  ]);
  t.same([...charGramCounts('the Torture', { min: 3, max: 4 })].map(([g]) => g), [
    '# to', '#tor', '#ort', '#rtu', '#tur', '#ure', '#re ',
    '# tor', '#tort', '#ortu', '#rtur', '#ture', '#ure ',
  ], 'n-grams within each content word, its edges as spaces, marked #');
  t.same(charGramCounts('aaaa aaaa', { min: 3, max: 3 }).get('#aaa'), 4, 'counted');
  t.same(features('death penalty', undefined), termCounts('death penalty'), 'no n-grams unless asked');
  const both = features('death', { min: 3, max: 3 });
  t.same([...both.keys()], ['death', '# de', '#dea', '#eat', '#ath', '#th ']);
});

t.test('a vector of two blocks: each L2-normalised, weighted, of norm 1 in all', async (t) => {
  const close = (a: number[], b: number[]) => t.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-12), `${a} ≈ ${b}`);
  close(blockScales(4, 9, 1), [1 / 2 / Math.SQRT2, 1 / 3 / Math.SQRT2]);
  close(blockScales(4, 9, 2), [1 / 2 / Math.sqrt(5), 2 / 3 / Math.sqrt(5)]);
  close(blockScales(0, 9, 2), [0, 1 / 3]);
  close(blockScales(4, 0, 2), [1 / 2, 0]);
  close(blockScales(0, 0, 1), [0, 0]);
});

t.test('a model with character n-grams tags a word form it never saw', async (t) => {
  const options = { ...FIXTURE_OPTIONS, charGrams: { min: 3, max: 5 }, charWeight: 1.5 };
  const model = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture with n-grams', options);
  t.same(model.charGrams, { min: 3, max: 5, weight: 1.5 }, 'the file says how to compute its features');
  t.ok(Object.keys(model.terms).some((term) => term.startsWith('#')), 'n-grams among its terms');
  t.equal(JSON.stringify(model), JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture with n-grams', options)), 'deterministic');
  const withGrams = new Tagger(model);
  t.same(withGrams.tag('Prosecute torturers').map((l) => l.themeId), [TORTURE], '"torturers": only its n-grams are known');
  t.same(withGrams.tag('Abolish the death penalty').map((l) => l.themeId), [DEATH]);
  t.equal(fixtureModel().charGrams, undefined, 'a model without them: words and pairs only');
});

t.test('the fixture model tags what it was trained on, deterministically', async (t) => {
  t.equal(JSON.stringify(fixtureModel()), JSON.stringify(fixtureModel()), 'same data, same file');
  t.same(tagger.tag('Abolish capital punishment').map((l) => l.themeId), [DEATH]);
  const torture = tagger.tag('Ratify the Convention against Torture').map((l) => l.themeId);
  t.same([...torture].sort(), [INSTRUMENTS, TORTURE].sort(), 'two labels when two apply');
  for (const label of tagger.tag('Protect women from domestic violence')) {
    t.ok(label.confidence > 0 && label.confidence <= 1, 'a confidence is a probability');
  }
  const unsure = new Tagger({ ...fixtureModel(), thresholds: FIXTURE_THEMES.map(() => 1) });
  t.same(unsure.tag('Abolish the death penalty').map((l) => l.themeId), [DEATH], 'at least one label: the closest to its threshold');
  t.equal(unsure.tag('').length, 1, 'even for nothing known');
  const sure = new Tagger({ ...fixtureModel(), thresholds: FIXTURE_THEMES.map(() => 0) });
  t.equal(sure.tag('Abolish the death penalty').length, Math.min(MAX_LABELS, FIXTURE_THEMES.length), 'at most MAX_LABELS');
  t.throws(() => new Tagger({ ...fixtureModel(), format: 'other' as typeof MODEL_FORMAT }), /not a tagger model/);
  const rand = random(1);
  t.not(rand(), rand());
});

t.test('metadata terms: who recommended it and to whom, a third block of its own weight', async (t) => {
  t.same([...metaCounts({ recommendingStates: ['NOR', 'FIN'], stateUnderReview: 'KGZ' })], [
    ['@rs:FIN', 1],
    ['@rs:NOR', 1],
    ['@sur:KGZ', 1],
  ], 'the recommending states sorted, each once, then the state under review');
  t.same([...metaCounts({ recommendingStates: [], stateUnderReview: null })], [], 'nothing known: no term');
  t.same([...metaCounts(undefined, new Map([['death', 1]]))], [['death', 1]], 'no metadata: the text terms alone');
  // The same vague text, labelled by who asked: FIN's are about education, NOR's about women.
  const vague = 'Take further measures to implement its commitments';
  const meta = (code: string) => ({ recommendingStates: [code], stateUnderReview: 'KGZ' });
  const corpus = [
    ...FIXTURE_CORPUS.map((x, i) => ({ ...x, meta: meta(i % 2 === 0 ? 'GBR' : 'USA') })),
    ...[1, 2, 3, 4].flatMap((session) => [
      { text: vague, labels: [EDUCATION], session, meta: meta('FIN') },
      { text: vague, labels: [WOMEN], session, meta: meta('NOR') },
    ]),
  ];
  const model = fit(corpus, FIXTURE_THEMES, 'fixture with metadata', { ...FIXTURE_OPTIONS, metaWeight: 1 });
  t.same(model.meta, { weight: 1 }, 'the file says the weight of its metadata block');
  t.ok(model.terms['@rs:FIN'] !== undefined && model.terms['@rs:NOR'] !== undefined, 'the states are terms of the model');
  const withMeta = new Tagger(model);
  t.same(withMeta.tag(vague, meta('FIN')).map((l) => l.themeId), [EDUCATION], "FIN's: education");
  t.same(withMeta.tag(vague, meta('NOR')).map((l) => l.themeId), [WOMEN], "NOR's: women");
  const p = withMeta.probabilities(vague);
  t.same(withMeta.probabilities(vague, { recommendingStates: ['ZZZ'], stateUnderReview: null }), p, 'states it never saw: the text alone');
  t.same(withMeta.tag('Abolish the death penalty').map((l) => l.themeId), [DEATH], 'no metadata: the text alone still tags');
  const textOnly = fit(corpus, FIXTURE_THEMES, 'fixture', FIXTURE_OPTIONS);
  t.equal(textOnly.meta, undefined, 'without metaWeight: no metadata block');
  t.notOk(Object.keys(textOnly.terms).some((term) => term.startsWith('@')), 'nor metadata terms');
  const fixtureWithMeta = corpus.slice(0, FIXTURE_CORPUS.length);
  t.equal(JSON.stringify(fit(fixtureWithMeta, FIXTURE_THEMES, 'fixture', FIXTURE_OPTIONS)), JSON.stringify(fixtureModel()), 'the same model as from the texts alone, byte for byte');
  const plain = new Tagger(textOnly);
  t.same(plain.probabilities(vague, meta('FIN')), plain.probabilities(vague), 'a model without metadata ignores it');
});

t.test('evaluation: micro- and macro-F1 and per-label scores', async (t) => {
  const e = evaluate(tagger, FIXTURE_CORPUS);
  t.equal(e.texts, FIXTURE_CORPUS.length);
  t.ok(e.microF1 > 0.8, `micro-F1 on its own training texts ${e.microF1}`);
  t.ok(e.macroF1 > 0.7);
  t.equal(e.perLabel.length, FIXTURE_THEMES.length);
  const none = evaluate(tagger, [{ text: 'Abolish the death penalty', labels: ['upr-info-unknown'], session: 1 }]);
  t.equal(none.microF1, 0, 'a label outside the model is missed');
  t.same(tuneThresholds([Float64Array.of(0.9), Float64Array.of(0.2)], [Int32Array.of(0), Int32Array.of()], 1), [0.21]);
  t.same(tuneThresholds([Float64Array.of(0.9)], [Int32Array.of()], 1), [0.5], 'no positives: the default');
  const oneSession = fit(FIXTURE_CORPUS.map((x) => ({ ...x, session: 1 })), FIXTURE_THEMES, 'one session', FIXTURE_OPTIONS);
  t.same(oneSession.thresholds, FIXTURE_THEMES.map(() => 0.5), 'one session: no folds to tune on');
});

t.test('weights averaged over the last epochs', async (t) => {
  const at = (averageFrom: number) => fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'averaged', { ...FIXTURE_OPTIONS, averageFrom });
  const last = at(0);
  t.equal(JSON.stringify(at(FIXTURE_OPTIONS.epochs)), JSON.stringify(last), 'the mean of the last epoch alone: its weights');
  const averaged = at(10);
  t.not(JSON.stringify(averaged.terms), JSON.stringify(last.terms), 'the mean of epochs 10–40 is not the last epoch');
  t.same(new Tagger(averaged).tag('Abolish the death penalty').map((l) => l.themeId), [DEATH]);
});


t.test('the training run: held-out sessions and the shipped model, from the CSV files', async (t) => {
  const dir = tempDir(t);
  const rows = FIXTURE_CORPUS.map((x) => [x.text, x.labels.map((l) => l.replace('upr-info-', '')).join(','), 13 + (x.session % 3)] as [string, string, number]);
  const issues: Record<string, string> = { [DEATH]: 'Death penalty', [EDUCATION]: 'Right to education', [TORTURE]: 'Torture and other CID treatment', [WOMEN]: "Women's rights", [INSTRUMENTS]: 'International instruments' };
  const file = FIXTURE_CORPUS.map((x, i) => [x.text, x.labels.map((l) => issues[l]).join(','), rows[i]![2]] as [string, string, number]);
  writeFileSync(join(dir, 'uprinfo_sessions_13-15.csv'), uprInfoCsv([...file, ['No issue here', '', 14]]));
  writeFileSync(join(dir, 'unrelated.csv'), 'not read');
  const db = seededDb(t);
  const corpus = await readLabelledCorpus(db, dir);
  t.equal(corpus.length, FIXTURE_CORPUS.length, 'a text without issues is not training data');
  const messages: string[] = [];
  const held = await heldOutEvaluation(db, dir, (m) => messages.push(m), FIXTURE_OPTIONS);
  t.equal(held.trainingTexts + held.texts, corpus.length, 'sessions 13–14 to train, 15 to measure');
  t.ok(held.texts > 0 && held.trainingTexts > 0);
  t.ok(messages.length > 0, 'progress reported');
  const model = await shippedModel(db, dir, undefined, FIXTURE_OPTIONS);
  t.match(model.trainedOn, /sessions 1–17 \(22 texts\)/);
  t.equal(model.labels.length, 54, "UPR Info's 54 issues");
});

t.test('the shipped model loads, once', async (t) => {
  setTagger(undefined);
  t.teardown(() => setTagger(tagger));
  const shipped = machineTagger();
  t.equal(machineTagger(), shipped, 'loaded once');
  t.equal(shipped!.labels.length, 54);
  t.ok(loadTagger);
  setTagger(null);
  t.equal(machineTagger(), null, 'tagging can be switched off');
  const db = openDatabase(':memory:');
  t.teardown(() => db.$client.close());
  const report = await run(db, uprInfoCsv([['Abolish the death penalty', '', 8]]));
  t.equal(report.recommendations.created, 1);
  t.equal(db.$client.prepare("select count(*) from recommendation_themes where label_source = 'machine'").pluck().get(), 0, 'no tagger: no machine labels');
});
