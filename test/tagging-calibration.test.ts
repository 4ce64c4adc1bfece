import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { calibrated, fitCalibration, logOdds } from '../src/tagging/calibration.js';
import { loadTagger, modelBytes, round, Tagger } from '../src/tagging/model.js';
import { tempDir } from './helpers.js';
import { FIXTURE_CORPUS, fixtureModel } from './tagging-helpers.js';

// A machine label's confidence is the chance that it is right: the model's probability calibrated
// (src/tagging/calibration.ts), fitted by `fit` on the labels given at the out-of-fold probabilities. Only the number shown
// changes, never which labels are given. No app, no database: runs once.

t.test('a calibration fitted on overconfident probabilities gives back how often a label given is right', async (t) => {
  // Label 0 (threshold 0.05: always given): at 0.9, right 30 times in 50; at 0.1, 15 times in 50. Label 1 (at
  // 0.01, threshold 0.5: never given) is always right: labels not given do not count.
  const probabilities: Float64Array[] = [];
  const gold: Int32Array[] = [];
  for (let i = 0; i < 100; i++) {
    const high = i < 50;
    probabilities.push(Float64Array.of(high ? 0.9 : 0.1, 0.01));
    const right = high ? i % 10 < 6 : i % 10 < 3;
    gold.push(Int32Array.from(right ? [0, 1] : [1]));
  }
  const thresholds = [0.05, 0.5];
  const [a, b] = fitCalibration(probabilities, gold, thresholds);
  t.ok(a > 0, 'increasing');
  // Platt's targets: a right label counts (45 + 1) / (45 + 2), a wrong one 1 / (55 + 2).
  const rate = (right: number) => (right * (46 / 47) + (50 - right) / 57) / 50;
  t.ok(Math.abs(calibrated([a, b], 0.9) - rate(30)) < 1e-3, `0.9 → ${calibrated([a, b], 0.9)}: right 30 times in 50`);
  t.ok(Math.abs(calibrated([a, b], 0.1) - rate(15)) < 1e-3, `0.1 → ${calibrated([a, b], 0.1)}: right 15 times in 50`);
  t.same(fitCalibration(probabilities, gold, thresholds), [a, b], 'deterministic');
  const first = (g: Int32Array[]) => g.map((x) => x.filter((l) => l === 0));
  t.same(fitCalibration(probabilities, first(gold), thresholds), [a, b], 'the same without label 1, never given');
  t.same(fitCalibration(probabilities, gold.map(() => Int32Array.of()), thresholds), [1, 0], 'never right: no fit, the probability itself');
  const lowRight = probabilities.map((p) => Int32Array.from(p[0]! < 0.5 ? [0] : []));
  t.same(fitCalibration(probabilities, lowRight, thresholds), [1, 0], 'right only when unlikely: a decreasing fit is refused');
  t.equal(calibrated(undefined, 0.37), 0.37, 'no calibration: the probability');
  t.equal(logOdds(1), 30, 'a probability of 1 is finite log-odds');
  t.equal(logOdds(0), -30);
});

t.test('fit stores the calibration in the model file', async (t) => {
  const model = fixtureModel();
  t.equal(model.calibration?.length, 2, '[a, b]');
  t.ok(model.calibration![0] > 0, 'increasing');
  t.notSame(model.calibration, [1, 0], 'fitted, not the identity');
});

t.test('the loader applies the calibration: confidences change, the labels given do not', async (t) => {
  const model = fixtureModel();
  const path = join(tempDir(t), 'model.json.gz');
  writeFileSync(path, modelBytes(model));
  const loaded = loadTagger(path);
  const uncalibrated = new Tagger({ ...model, calibration: undefined });
  const texts = [
    ...FIXTURE_CORPUS.map((x) => x.text),
    'Ratify the Convention against Torture',
    'Protect women from domestic violence',
    'Improve access to quality education and abolish the death penalty',
    'Take further measures to implement its commitments',
    '',
  ];
  let changed = 0;
  for (const text of texts) {
    const labels = loaded.tag(text);
    t.same(labels.map((l) => l.themeId), uncalibrated.tag(text).map((l) => l.themeId), `the same labels: ${JSON.stringify(text)}`);
    const p = loaded.probabilities(text);
    for (const label of labels) {
      const l = model.labels.indexOf(label.themeId);
      t.equal(label.confidence, round(calibrated(model.calibration, p[l]!)), 'its calibrated probability');
      if (label.confidence !== round(p[l]!)) changed++;
    }
  }
  t.ok(changed > 0, `${changed} confidences not the probability`);
});

t.test('the calibrated confidence is monotone in the probability', async (t) => {
  const ab = fixtureModel().calibration;
  const decreasing: number[] = [];
  let before = -1;
  for (let k = 1; k < 1000; k++) {
    const c = calibrated(ab, k / 1000);
    if (!(c > before)) decreasing.push(k / 1000);
    before = c;
  }
  t.same(decreasing, [], `${JSON.stringify(ab)}: increasing at every step of 0.001`);
});
