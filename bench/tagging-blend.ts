import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddingScorer, trainEmbedding } from '../src/tagging/embedding.js';
import { DEFAULT_EMBEDDING_OPTIONS, random } from '../src/tagging/train.js';
import { corpusVectors } from '../src/tagging/training-run.js';
import { blendFigures, memberScores, SPLIT_OPTION, splitCorpus } from './tagging-split.js';

// The word-vector network's figures against saved linear scores (bench/tagging-scores.ts), without training
// the linear models again: the network's out-of-fold scores on the training sessions and its scores on the
// measured ones, blended with the linear model's (log-odds) at each weight asked, thresholds tuned on the
// out-of-fold blend as `fit` does, F1 on the measured sessions as `evaluate` counts it.
// `node --import tsx bench/tagging-blend.ts --split validation|held-out --scores DIR [--weights 0,0.1,0.15] [--options JSON]`
// (--scores: the temporary directory when not given)

const { values: args } = parseArgs({
  options: {
    ...SPLIT_OPTION,
    scores: { type: 'string', default: tmpdir() },
    weights: { type: 'string', default: '0,0.1,0.15,0.2' },
    options: { type: 'string', default: '{}' },
  },
});
const c = await splitCorpus(args.split);
const { training } = c;
const L = c.labels.length;
const options = { ...DEFAULT_EMBEDDING_OPTIONS, ...(JSON.parse(args.options) as object) };
const loaded = (name: string) => {
  const f = new Float32Array(new Uint8Array(readFileSync(join(args.scores, `linear-${args.split}-${name}.f32`))).buffer);
  return Array.from({ length: f.length / L }, (_, i) => Float64Array.from(f.subarray(i * L, (i + 1) * L), (p) => Math.log(p / (1 - p))));
};
const linearOof = loaded('oof');
const linearMeasured = loaded('measured');
const vectors = corpusVectors(training);
const cpu = process.cpuUsage();
const net = memberScores(c, (rows) => new EmbeddingScorer(trainEmbedding(rows.map((i) => training[i]!.text), rows.map((i) => c.ys[i]!), L, vectors, options, random)));
const trainCpu = process.cpuUsage(cpu);
const blend = (a: number, lin: Float64Array, net: Float64Array) => lin.map((z, l) => 1 / (1 + Math.exp(-((1 - a) * z + a * net[l]!))));
for (const a of args.weights.split(',').map(Number)) {
  const f = blendFigures(
    c,
    linearOof.map((z, i) => blend(a, z, net.oof[i]!)),
    linearMeasured.map((z, i) => blend(a, z, net.measured[i]!)),
  );
  console.log(JSON.stringify({ split: args.split, weight: a, options, micro: f.micro, macro: f.macro, networkCpuSeconds: Math.round((trainCpu.user + trainCpu.system) / 1e6), weakest: f.weakest }));
}
