import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { UPR_INFO_THEMES } from '../src/tagging/labels.js';
import { MODEL_FORMAT, Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, labelIndexes, tuneThresholds } from '../src/tagging/train.js';
import { HELD_OUT, VALIDATION } from '../src/tagging/training-run.js';

// Blends of saved scores (the linear model's probabilities from bench/tagging-scores.ts, the networks'
// log-odds from bench/tagging-bag.ts) in log-odds, thresholds tuned on the out-of-fold blend as `fit`
// tunes them, F1 on the measured sessions as `evaluate` counts it.
// `node --import tsx bench/tagging-blend3.ts --split validation --linear DIR --scores DIR --blends 'net:0.15;bag:0.2;net:0.1,bag:0.1'`
// (each blend: members and weights; the linear model has 1 − their sum; `bag:1` alone is the member alone)

const { values: args } = parseArgs({
  options: {
    split: { type: 'string', default: 'validation' },
    linear: { type: 'string', default: '/work/wt/scores' },
    scores: { type: 'string', default: '/tmp' },
    blends: { type: 'string', default: '' },
  },
});
const split = args.split === 'held-out' ? HELD_OUT : VALIDATION;
const dataDir = join(process.env.SHARED_DATA_DIR ?? '/work/shared/data/', 'upr-info-2008-2013');
const corpus = await readLabelledCorpus(openDatabase(':memory:'), dataDir);
const labels = UPR_INFO_THEMES.map((t) => t.id);
const L = labels.length;
const training = corpus.filter((t) => t.session <= split.lastTraining);
const measured = corpus.filter((t) => t.session > split.lastTraining && t.session <= split.lastMeasured);
const read = (path: string, logit: boolean) => {
  const f = new Float32Array(new Uint8Array(readFileSync(path)).buffer);
  return Float64Array.from(f, (p) => (logit ? Math.log(p / (1 - p)) : p));
};
const cache = new Map<string, { oof: Float64Array; measured: Float64Array }>();
const member = (name: string) => {
  if (!cache.has(name)) {
    const linear = name === 'linear';
    const dir = linear ? args.linear! : args.scores!;
    const path = (part: string) => join(dir, `${name}-${args.split}-${part}.f32`);
    if (!existsSync(path('oof'))) throw new Error(`no ${path('oof')}`);
    cache.set(name, { oof: read(path('oof'), linear), measured: read(path('measured'), linear) });
  }
  return cache.get(name)!;
};
const ys = labelIndexes(training, labels);
const gold = labelIndexes(measured, labels);
for (const spec of args.blends!.split(';')) {
  const parts = spec.split(',').map((p) => p.split(':')).map(([n, w]) => ({ name: n!, weight: Number(w) }));
  const linearWeight = 1 - parts.reduce((s, p) => s + p.weight, 0);
  const all = linearWeight > 1e-9 ? [{ name: 'linear', weight: linearWeight }, ...parts] : parts;
  const blend = (part: 'oof' | 'measured', n: number) =>
    Array.from({ length: n }, (_, i) => {
      const p = new Float64Array(L);
      for (let l = 0; l < L; l++) {
        let z = 0;
        for (const m of all) z += m.weight * member(m.name)[part][i * L + l]!;
        p[l] = 1 / (1 + Math.exp(-z));
      }
      return p;
    });
  const thresholds = tuneThresholds(blend('oof', training.length), ys, L, DEFAULT_TRAIN_OPTIONS.thresholdMicroWeight);
  const decider = new Tagger({ format: MODEL_FORMAT, trainedOn: '', labels, bias: labels.map(() => 0), thresholds, terms: {} });
  const tp = new Float64Array(L);
  const fp = new Float64Array(L);
  const fn = new Float64Array(L);
  blend('measured', measured.length).forEach((p, i) => {
    const predicted = new Set(decider.decide(p).map((m) => labels.indexOf(m.themeId)));
    for (const l of predicted) gold[i]!.includes(l) ? tp[l]!++ : fp[l]!++;
    for (const l of gold[i]!) if (!predicted.has(l)) fn[l]!++;
  });
  const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
  const f1 = labels.map((_, l) => (tp[l]! === 0 ? 0 : (2 * tp[l]!) / (2 * tp[l]! + fp[l]! + fn[l]!)));
  const supported = labels.map((_, l) => l).filter((l) => tp[l]! + fn[l]! > 0);
  const macro = supported.reduce((s, l) => s + f1[l]!, 0) / supported.length;
  const micro = (2 * sum(tp)) / (2 * sum(tp) + sum(fp) + sum(fn));
  const weak = supported.map((l) => [labels[l]!, Number(f1[l]!.toFixed(3))] as const).sort((x, y) => x[1] - y[1]).slice(0, 8);
  console.log(JSON.stringify({ split: args.split, blend: all.map((m) => `${m.name}:${Number(m.weight.toFixed(3))}`).join(','), micro: Number(micro.toFixed(4)), macro: Number(macro.toFixed(4)), weakest: weak }));
}
