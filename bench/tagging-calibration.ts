import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { calibrated, fitCalibration } from '../src/tagging/calibration.js';
import { givenLabels, Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, fitWeights, outOfFold, tuneThresholds } from '../src/tagging/train.js';
import { corpusVectors } from '../src/tagging/training-run.js';
import { float32Rows, SPLIT_OPTION, splitCorpus } from './tagging-split.js';

// Does a machine label's confidence mean what it says? The shipped blend's probabilities (linear models and
// the bag network, as `fit` trains them) out of fold on the training sessions and, from the model trained on
// all of them, on the measured sessions, saved once to --scores as `blend-SPLIT-{oof,measured}.f32` (held out:
// 16 minutes on a busy 2-core machine, 1.3 GB); then, for the labels the tagger gives on the measured sessions,
// how often those shown in each band of confidence are right, the expected calibration error (10 bins) and
// the issues whose mean confidence is furthest from their precision: the probability itself, and calibrated
// as `fit` calibrates it (on the out-of-fold scores only).
// `node --import tsx bench/tagging-calibration.ts --split held-out --scores DIR`

const { values: args } = parseArgs({ options: { ...SPLIT_OPTION, scores: { type: 'string', default: '/tmp' } } });
const c = await splitCorpus(args.split);
const L = c.labels.length;
const path = (part: string) => join(args.scores, `blend-${args.split}-${part}.f32`);
if (!existsSync(path('measured'))) {
  const vectors = corpusVectors(c.training);
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  const { oof } = outOfFold(c.training, c.labels, DEFAULT_TRAIN_OPTIONS, progress, vectors);
  writeFileSync(path('oof'), float32Rows(oof, L));
  progress('weights: all training texts');
  const tagger = new Tagger(fitWeights(c.training, c.labels, DEFAULT_TRAIN_OPTIONS, c.labels.map(() => 0.5), '', vectors));
  writeFileSync(path('measured'), float32Rows(c.measured.map((t) => tagger.probabilities(t.text, t.meta)), L));
}
const rows = (part: string) => {
  const f = new Float32Array(new Uint8Array(readFileSync(path(part))).buffer);
  return Array.from({ length: f.length / L }, (_, i) => Float64Array.from(f.subarray(i * L, (i + 1) * L)));
};
const oof = rows('oof');
const thresholds = tuneThresholds(oof, c.ys, L, DEFAULT_TRAIN_OPTIONS.thresholdMicroWeight);
const calibration = fitCalibration(oof, c.ys, thresholds);

interface Given {
  label: number;
  p: number;
  right: boolean;
  /** Given as the text's one label though under its threshold. */
  fallback: boolean;
}
const given = rows('measured').flatMap((p, i) =>
  givenLabels(p, thresholds).map((label) => ({ label, p: p[label]!, right: c.gold[i]!.includes(label), fallback: p[label]! < thresholds[label]! })),
);
const share = (xs: Given[], f: (g: Given) => number) => Number((xs.reduce((s, g) => s + f(g), 0) / xs.length).toFixed(3));
const rightShare = (xs: Given[]) => share(xs, (g) => (g.right ? 1 : 0));

function figures(confidence: (g: Given) => number) {
  const band = (lo: number, hi: number) => {
    const xs = given.filter((g) => confidence(g) >= lo && confidence(g) < hi);
    return { band: `${lo}–${hi > 1 ? 1 : hi}`, labels: xs.length, confidence: share(xs, confidence), right: rightShare(xs) };
  };
  let ece = 0;
  for (let k = 0; k < 10; k++) {
    const xs = given.filter((g) => Math.min(Math.floor(confidence(g) * 10), 9) === k);
    ece += Math.abs(xs.reduce((s, g) => s + confidence(g) - (g.right ? 1 : 0), 0)) / given.length;
  }
  const issues = c.labels
    .map((id, l) => {
      const xs = given.filter((g) => g.label === l);
      return { id, labels: xs.length, confidence: share(xs, confidence), right: rightShare(xs) };
    })
    .filter((x) => x.labels >= 20)
    .sort((a, b) => a.confidence - a.right - (b.confidence - b.right));
  const under = given.filter((g) => confidence(g) < 0.5);
  const fallback = given.filter((g) => g.fallback);
  return {
    ece: Number(ece.toFixed(4)),
    brier: Number((given.reduce((s, g) => s + (confidence(g) - (g.right ? 1 : 0)) ** 2, 0) / given.length).toFixed(4)),
    bands: [band(0, 0.3), band(0.3, 0.5), band(0.5, 0.7), band(0.7, 0.9), band(0.9, 1.01)],
    under05: { labels: under.length, right: rightShare(under) },
    fallback: { labels: fallback.length, confidence: share(fallback, confidence), right: rightShare(fallback) },
    issuesOffBy01: `${issues.filter((x) => Math.abs(x.confidence - x.right) > 0.1).length} of ${issues.length} (20 labels or more)`,
    underConfident: issues.slice(0, 4),
    overConfident: issues.slice(-4).reverse(),
  };
}
console.log(JSON.stringify({ split: args.split, texts: c.measured.length, given: given.length, right: rightShare(given), thresholds: [Math.min(...thresholds), Math.max(...thresholds)], calibration }));
console.log(JSON.stringify({ confidence: 'probability', ...figures((g) => g.p) }));
console.log(JSON.stringify({ confidence: 'calibrated', ...figures((g) => calibrated(calibration, g.p)) }));
