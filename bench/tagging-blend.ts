import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { EmbeddingScorer, trainEmbedding } from '../src/tagging/embedding.js';
import { UPR_INFO_THEMES } from '../src/tagging/labels.js';
import { MODEL_FORMAT, Tagger } from '../src/tagging/model.js';
import { DEFAULT_EMBEDDING_OPTIONS, DEFAULT_TRAIN_OPTIONS, labelIndexes, random, tuneThresholds } from '../src/tagging/train.js';
import { corpusVectors, HELD_OUT, VALIDATION } from '../src/tagging/training-run.js';

// The word-vector network's figures against saved linear scores (bench/tagging-scores.ts), without training
// the linear models again: the network's out-of-fold scores on the training sessions and its scores on the
// measured ones, blended with the linear model's (log-odds) at each weight asked, thresholds tuned on the
// out-of-fold blend as `fit` does, F1 on the measured sessions as `evaluate` counts it.
// `node --import tsx bench/tagging-blend.ts --split validation|held-out --scores DIR [--weights 0,0.1,0.15] [--options JSON]`

const { values: args } = parseArgs({
  options: {
    split: { type: 'string', default: 'validation' },
    scores: { type: 'string', default: '/tmp' },
    weights: { type: 'string', default: '0,0.1,0.15,0.2' },
    options: { type: 'string', default: '{}' },
  },
});
const split = args.split === 'held-out' ? HELD_OUT : VALIDATION;
const dataDir = join(process.env.SHARED_DATA_DIR ?? '/work/shared/data/', 'upr-info-2008-2013');
const corpus = await readLabelledCorpus(openDatabase(':memory:'), dataDir);
const labels = UPR_INFO_THEMES.map((t) => t.id);
const L = labels.length;
const training = corpus.filter((t) => t.session <= split.lastTraining);
const measured = corpus.filter((t) => t.session > split.lastTraining && t.session <= split.lastMeasured);
const options = { ...DEFAULT_EMBEDDING_OPTIONS, ...(JSON.parse(args.options!) as object) };
const loaded = (name: string) => {
  const f = new Float32Array(new Uint8Array(readFileSync(join(args.scores!, `linear-${args.split}-${name}.f32`))).buffer);
  return Array.from({ length: f.length / L }, (_, i) => Float64Array.from(f.subarray(i * L, (i + 1) * L), (p) => Math.log(p / (1 - p))));
};
const linearOof = loaded('oof');
const linearMeasured = loaded('measured');
const vectors = corpusVectors(training);
const cpu = process.cpuUsage();
const ys = labelIndexes(training, labels);
const sessions = [...new Set(training.map((t) => t.session))].sort((a, b) => a - b);
const foldOf = new Map(sessions.map((s, i) => [s, i % DEFAULT_TRAIN_OPTIONS.folds]));
const netOof: Float64Array[] = new Array(training.length);
for (let fold = 0; fold < DEFAULT_TRAIN_OPTIONS.folds; fold++) {
  const rows = training.flatMap((t, i) => (foldOf.get(t.session) === fold ? [] : [i]));
  const scorer = new EmbeddingScorer(trainEmbedding(rows.map((i) => training[i]!.text), rows.map((i) => ys[i]!), L, vectors, options, random));
  training.forEach((t, i) => {
    if (foldOf.get(t.session) !== fold) return;
    netOof[i] = new Float64Array(L);
    scorer.scores(t.text, netOof[i]);
  });
}
const full = new EmbeddingScorer(trainEmbedding(training.map((t) => t.text), ys, L, vectors, options, random));
const netMeasured = measured.map((t) => {
  const out = new Float64Array(L);
  full.scores(t.text, out);
  return out;
});
const trainCpu = process.cpuUsage(cpu);
const gold = labelIndexes(measured, labels);
const blend = (a: number, lin: Float64Array, net: Float64Array) => lin.map((z, l) => 1 / (1 + Math.exp(-((1 - a) * z + a * net[l]!))));
for (const a of args.weights!.split(',').map(Number)) {
  const thresholds = tuneThresholds(linearOof.map((z, i) => blend(a, z, netOof[i]!)), ys, L, DEFAULT_TRAIN_OPTIONS.thresholdMicroWeight);
  const decider = new Tagger({ format: MODEL_FORMAT, trainedOn: '', labels, bias: labels.map(() => 0), thresholds, terms: {} });
  const tp = new Float64Array(L);
  const fp = new Float64Array(L);
  const fn = new Float64Array(L);
  linearMeasured.forEach((z, i) => {
    const predicted = new Set(decider.decide(blend(a, z, netMeasured[i]!)).map((m) => labels.indexOf(m.themeId)));
    for (const l of predicted) gold[i]!.includes(l) ? tp[l]!++ : fp[l]!++;
    for (const l of gold[i]!) if (!predicted.has(l)) fn[l]!++;
  });
  const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
  const f1 = labels.map((_, l) => (tp[l]! === 0 ? 0 : (2 * tp[l]!) / (2 * tp[l]! + fp[l]! + fn[l]!)));
  const supported = labels.map((_, l) => l).filter((l) => tp[l]! + fn[l]! > 0);
  const macro = supported.reduce((s, l) => s + f1[l]!, 0) / supported.length;
  const micro = (2 * sum(tp)) / (2 * sum(tp) + sum(fp) + sum(fn));
  const weak = supported.map((l) => [labels[l]!, Number(f1[l]!.toFixed(3))] as const).sort((x, y) => x[1] - y[1]).slice(0, 8);
  console.log(JSON.stringify({ split: args.split, weight: a, options, micro: Number(micro.toFixed(4)), macro: Number(macro.toFixed(4)), networkCpuSeconds: Math.round((trainCpu.user + trainCpu.system) / 1e6), weakest: weak }));
}
