import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BagScorer, DEFAULT_BAG_OPTIONS, trainBag } from '../src/tagging/bag.js';
import { EmbeddingScorer, trainEmbedding } from '../src/tagging/embedding.js';
import { DEFAULT_EMBEDDING_OPTIONS, DEFAULT_TRAIN_OPTIONS, random } from '../src/tagging/train.js';
import { corpusVectors } from '../src/tagging/training-run.js';
import { float32Rows, memberScores, type Scorer, SPLIT_OPTION, splitCorpus } from './tagging-split.js';

// A network member's scores (log-odds, Float32, text-major, 54 labels) saved once per split, as
// bench/tagging-scores.ts saves the linear model's: out-of-fold on the training sessions (the folds `fit`
// uses) and from the member trained on all of them on the measured sessions. Blends: bench/tagging-blend3.ts.
// `node --import tsx bench/tagging-bag.ts --split validation|held-out --out DIR --name NAME [--member bag|net] [--options JSON] [--folds N] [--meta]`
// (--out: the temporary directory when not given; --folds: out-of-fold over N folds, `fit`'s 3 unless given;
// --meta: the states as pseudo-words, below)

const { values: args } = parseArgs({
  options: {
    ...SPLIT_OPTION,
    out: { type: 'string', default: tmpdir() },
    name: { type: 'string', default: 'bag' },
    member: { type: 'string', default: 'bag' },
    options: { type: 'string', default: '{}' },
    meta: { type: 'boolean', default: false },
    folds: { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.folds) },
  },
});
const c = await splitCorpus(args.split);
// --meta (an experiment): each text ends with pseudo-words for its recommending states and its state under
// review ("zzrsnor zzsurkgz"), so that the network learns a vector for each as for a word.
if (args.meta) {
  for (const t of [...c.training, ...c.measured]) {
    const m = t.meta!;
    const terms = [...[...m.recommendingStates].sort().map((s) => `zzrs${s}`), ...(m.stateUnderReview === null ? [] : [`zzsur${m.stateUnderReview}`])];
    t.text = `${t.text} ${terms.join(' ').toLowerCase()}`;
  }
}
const { training, measured } = c;
const L = c.labels.length;
const vectors = corpusVectors(training);
const extra = JSON.parse(args.options) as object;
const train = (rows: number[]): Scorer => {
  const texts = rows.map((i) => training[i]!.text);
  const y = rows.map((i) => c.ys[i]!);
  if (args.member === 'net') return new EmbeddingScorer(trainEmbedding(texts, y, L, vectors, { ...DEFAULT_EMBEDDING_OPTIONS, ...extra }, random));
  return new BagScorer(trainBag(texts, y, L, vectors, { ...DEFAULT_BAG_OPTIONS, ...extra }, random));
};
const cpu = process.cpuUsage();
const wall = Date.now();
const scores = memberScores(c, train, (m) => process.stderr.write(`${m}\n`), Number(args.folds));
writeFileSync(join(args.out, `${args.name}-${args.split}-oof.f32`), float32Rows(scores.oof, L));
writeFileSync(join(args.out, `${args.name}-${args.split}-measured.f32`), float32Rows(scores.measured, L));
const used = process.cpuUsage(cpu);
const scoring = scores.scoringCpu;
process.stderr.write(
  `${JSON.stringify({ name: args.name, split: args.split, member: args.member, options: extra, cpuSeconds: Math.round((used.user + used.system) / 1e6), wallSeconds: Math.round((Date.now() - wall) / 1000), scoringMicrosPerText: Math.round((scoring.user + scoring.system) / measured.length) })}\n`,
);
