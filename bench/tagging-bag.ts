import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { BagScorer, DEFAULT_BAG_OPTIONS, trainBag } from '../src/tagging/bag.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { EmbeddingScorer, trainEmbedding } from '../src/tagging/embedding.js';
import { UPR_INFO_THEMES } from '../src/tagging/labels.js';
import { DEFAULT_EMBEDDING_OPTIONS, DEFAULT_TRAIN_OPTIONS, labelIndexes, random } from '../src/tagging/train.js';
import { corpusVectors, HELD_OUT, VALIDATION } from '../src/tagging/training-run.js';

// A network member's scores (log-odds, Float32, text-major, 54 labels) saved once per split, as
// bench/tagging-scores.ts saves the linear model's: out-of-fold on the training sessions (the folds `fit`
// uses) and from the member trained on all of them on the measured sessions. Blends: bench/tagging-blend3.ts.
// `node --import tsx bench/tagging-bag.ts --split validation|held-out --out DIR --name NAME [--member bag|net] [--options JSON]`

const { values: args } = parseArgs({
  options: {
    split: { type: 'string', default: 'validation' },
    out: { type: 'string', default: '/tmp' },
    name: { type: 'string', default: 'bag' },
    member: { type: 'string', default: 'bag' },
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
const vectors = corpusVectors(training);
const ys = labelIndexes(training, labels);
const extra = JSON.parse(args.options!) as object;
type Scorer = { scores(text: string, out: Float64Array): void };
const train = (rows: number[]): Scorer => {
  const texts = rows.map((i) => training[i]!.text);
  const y = rows.map((i) => ys[i]!);
  if (args.member === 'net') return new EmbeddingScorer(trainEmbedding(texts, y, L, vectors, { ...DEFAULT_EMBEDDING_OPTIONS, ...extra }, random));
  return new BagScorer(trainBag(texts, y, L, vectors, { ...DEFAULT_BAG_OPTIONS, ...extra }, random));
};
const cpu = process.cpuUsage();
const wall = Date.now();
const sessions = [...new Set(training.map((t) => t.session))].sort((a, b) => a - b);
const foldOf = new Map(sessions.map((s, i) => [s, i % DEFAULT_TRAIN_OPTIONS.folds]));
const oof = new Float32Array(training.length * L);
const out = new Float64Array(L);
for (let fold = 0; fold < DEFAULT_TRAIN_OPTIONS.folds; fold++) {
  const scorer = train(training.flatMap((t, i) => (foldOf.get(t.session) === fold ? [] : [i])));
  training.forEach((t, i) => {
    if (foldOf.get(t.session) !== fold) return;
    scorer.scores(t.text, out);
    oof.set(out, i * L);
  });
  process.stderr.write(`fold ${fold + 1} done\n`);
}
const full = train(training.map((_, i) => i));
const scoreCpu = process.cpuUsage();
const meas = new Float32Array(measured.length * L);
measured.forEach((t, i) => {
  full.scores(t.text, out);
  meas.set(out, i * L);
});
const scoring = process.cpuUsage(scoreCpu);
writeFileSync(join(args.out!, `${args.name}-${args.split}-oof.f32`), Buffer.from(oof.buffer));
writeFileSync(join(args.out!, `${args.name}-${args.split}-measured.f32`), Buffer.from(meas.buffer));
const used = process.cpuUsage(cpu);
process.stderr.write(
  `${JSON.stringify({ name: args.name, split: args.split, member: args.member, options: extra, cpuSeconds: Math.round((used.user + used.system) / 1e6), wallSeconds: Math.round((Date.now() - wall) / 1000), scoringMicrosPerText: Math.round((scoring.user + scoring.system) / measured.length) })}\n`,
);
