import t from 'tap';
import { Tagger } from '../src/tagging/model.js';
import { fit, random, type TrainOptions, tuneThresholds } from '../src/tagging/train.js';
import { FIXTURE_CORPUS, FIXTURE_LABELS, FIXTURE_OPTIONS, FIXTURE_THEMES } from './tagging-helpers.js';

// An ensemble of linear models over the same features (their weights summed: one linear model again, the
// same file format), the squared hinge loss, and thresholds tuned together for micro- and macro-F1.

const logit = (p: number) => Math.log(p / (1 - p));
const single: TrainOptions = { ...FIXTURE_OPTIONS, ensemble: undefined, thresholdMicroWeight: 0 };
const text = 'Ratify the Optional Protocol to the Convention against Torture and abolish the death penalty';

t.test('an ensemble of one member of weight 1 is that model', async (t) => {
  const alone = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'm', single);
  const ensemble = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'm', { ...single, ensemble: [{ weight: 1, options: {} }] });
  t.equal(JSON.stringify(ensemble), JSON.stringify(alone));
});

t.test("an ensemble's scores are its members' weighted sum; same format; deterministic", async (t) => {
  const nb = { ...single, thresholdMicroWeight: 0 };
  const members = [
    { weight: 0.5, options: { nbSmoothing: 1 } },
    { weight: 0.5, options: { nbSmoothing: undefined } },
    { weight: 0.5, options: { loss: 'squared-hinge' as const } },
  ];
  const ensemble = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'e', { ...nb, ensemble: members });
  t.equal(JSON.stringify(ensemble), JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'e', { ...nb, ensemble: members })), 'same data, same file');
  t.same(Object.keys(ensemble), Object.keys(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'e', nb)), 'nothing new in the file');
  // Unpruned, the sum is exact but for the file's rounding of each weight.
  const unpruned = { ...nb, pruneBelow: 0, weightsPerLabel: 1e6 };
  const scores = (options: typeof nb) => Array.from(new Tagger(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'e', options)).probabilities(text), logit);
  const sum = scores({ ...unpruned, ensemble: members });
  const parts = members.map((m) => scores({ ...unpruned, ...m.options }));
  sum.forEach((z, l) => t.ok(Math.abs(z - members.reduce((s, m, i) => s + m.weight * parts[i]![l]!, 0)) < 0.01, `label ${l}: ${z}`));
  const tagger = new Tagger(ensemble);
  t.same(tagger.tag('Abolish the death penalty').map((l) => l.themeId), [FIXTURE_LABELS.DEATH]);
  t.same(tagger.tag('Improve access to quality education in rural schools').map((l) => l.themeId), [FIXTURE_LABELS.EDUCATION]);
});

t.test('the squared hinge loss: a linear SVM, another model in the same format', async (t) => {
  const hinge = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'h', { ...single, loss: 'squared-hinge' });
  t.not(JSON.stringify(hinge.terms), JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'h', single).terms));
  const tagger = new Tagger(hinge);
  t.same(tagger.tag('Abolish the death penalty').map((l) => l.themeId), [FIXTURE_LABELS.DEATH]);
  t.same(tagger.tag('Combat violence against women, including domestic violence').map((l) => l.themeId), [FIXTURE_LABELS.WOMEN]);
});

t.test('thresholds tuned together: for micro-F1, for macro-F1, or a mix', async (t) => {
  // Three labels over 300 texts: probabilities noisy around the truth, one label rare.
  const rand = random(5);
  const gold: Int32Array[] = [];
  const probabilities: Float64Array[] = [];
  for (let i = 0; i < 300; i++) {
    const y = [rand() < 0.5, rand() < 0.3, rand() < 0.05];
    gold.push(Int32Array.from([0, 1, 2].filter((l) => y[l])));
    probabilities.push(Float64Array.from(y, (v, l) => Math.min(0.99, Math.max(0.01, (v ? 0.6 : 0.35) + (rand() - 0.5) * (0.5 + l * 0.2)))));
  }
  const counts = (thresholds: number[]) => {
    const tp = [0, 0, 0];
    const fp = [0, 0, 0];
    const fn = [0, 0, 0];
    probabilities.forEach((p, i) => {
      for (let l = 0; l < 3; l++) {
        const y = gold[i]!.includes(l);
        if (p[l]! >= thresholds[l]!) y ? tp[l]!++ : fp[l]!++;
        else if (y) fn[l]!++;
      }
    });
    const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
    const micro = (2 * sum(tp)) / (2 * sum(tp) + sum(fp) + sum(fn));
    const macro = sum(tp.map((v, l) => (2 * v) / (2 * v + fp[l]! + fn[l]!))) / 3;
    return { micro, macro };
  };
  const own = tuneThresholds(probabilities, gold, 3);
  const forMicro = tuneThresholds(probabilities, gold, 3, 1);
  const mixed = tuneThresholds(probabilities, gold, 3, 0.5);
  for (const th of [forMicro, mixed]) for (const v of th) t.ok(v >= 0.05 && v <= 0.95 && Math.abs(v * 100 - Math.round(v * 100)) < 1e-9, 'on the grid');
  t.ok(counts(forMicro).micro >= counts(own).micro, `micro ${counts(forMicro).micro} ≥ ${counts(own).micro}`);
  t.ok(counts(mixed).micro + counts(mixed).macro >= counts(own).micro + counts(own).macro - 1e-12, 'the mix is at least as good for the mix');
  t.same(tuneThresholds(probabilities, gold, 3, 0.5), mixed, 'deterministic');
  t.same(tuneThresholds([Float64Array.of(0.9, 0.4)], [Int32Array.of(0)], 2, 0.5), [0.05, 0.5], 'a label without positives keeps the default');
});
