import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_OPTIONS } from '../src/tagging/train.js';
import { blendFigures, SPLIT_OPTION, splitCorpus } from './tagging-split.js';

// Blends of saved scores (the linear model's probabilities from bench/tagging-scores.ts, the networks'
// log-odds from bench/tagging-bag.ts) in log-odds, thresholds tuned on the out-of-fold blend as `fit`
// tunes them, F1 on the measured sessions as `evaluate` counts it.
// `node --import tsx bench/tagging-blend3.ts --split validation --linear DIR --scores DIR --blends 'net:0.15;bag:0.2;net:0.1,bag:0.1'`
// (each blend: members and weights; the linear model has 1 − their sum; `bag:1` alone is the member alone;
// --linear and --scores: the temporary directory when not given; a member named `linear…`, e.g. `linear2`
// saved by bench/tagging-scores.ts --name linear2, is read from --linear as the linear model is:
// 'linear:0.375,linear2:0.375,bag:0.25'; several networks at a weight each: the mean of their log-odds
// at their summed weight, 'bag:0.125,bag2:0.125'; --micro-weights 0.5,0.75: each blend with its thresholds tuned
// for that share of micro-F1 (the rest macro; `fit`'s thresholdMicroWeight, 0.5 by default))

const { values: args } = parseArgs({
  options: {
    ...SPLIT_OPTION,
    linear: { type: 'string', default: tmpdir() },
    scores: { type: 'string', default: tmpdir() },
    blends: { type: 'string', default: '' },
    'micro-weights': { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.thresholdMicroWeight) },
  },
});
const c = await splitCorpus(args.split);
const L = c.labels.length;
const read = (path: string, logit: boolean) => {
  const f = new Float32Array(new Uint8Array(readFileSync(path)).buffer);
  return Float64Array.from(f, (p) => (logit ? Math.log(p / (1 - p)) : p));
};
const cache = new Map<string, { oof: Float64Array; measured: Float64Array }>();
const member = (name: string) => {
  if (!cache.has(name)) {
    const linear = name.startsWith('linear');
    const dir = linear ? args.linear : args.scores;
    const path = (part: string) => join(dir, `${name}-${args.split}-${part}.f32`);
    if (!existsSync(path('oof'))) throw new Error(`no ${path('oof')}`);
    cache.set(name, { oof: read(path('oof'), linear), measured: read(path('measured'), linear) });
  }
  return cache.get(name)!;
};
for (const spec of args.blends.split(';')) {
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
  const [oof, measured] = [blend('oof', c.training.length), blend('measured', c.measured.length)];
  for (const microWeight of args['micro-weights'].split(',').map(Number)) {
    const f = blendFigures(c, oof, measured, microWeight);
    console.log(JSON.stringify({ split: args.split, blend: all.map((m) => `${m.name}:${Number(m.weight.toFixed(3))}`).join(','), microWeight, ...f }));
  }
}
