import type { WordVectors } from './embedding.js';
import { adam, type Backward, backward, decodeVectors, initialLayers, type Layers, layerScores, layersFile, type LayersFile, loadLayers, zeroLayers } from './mlp.js';
import { plainWords, stem, words } from './text.js';

// A third kind of tagger member: a network that learns its input representation (fastText-style). A text
// is the bag of its stemmed words and pairs of neighbouring words (src/tagging/text.ts); each term of the
// vocabulary has a trainable vector (words start from the mean pretrained vector of the plain words that
// stem to them, pairs from the mean of their two words' starting vectors); a text's vector is the mean of
// its terms' vectors (and, when asked, their element-wise maximum), then one hidden layer of ReLUs and a
// sigmoid per label. Adam over seeded shuffles (lazy Adam on the vectors: only the rows a batch touches).

export interface BagOptions {
  hidden: number;
  epochs: number;
  /** Adam's step size for the dense layers. */
  learningRate: number;
  /** Adam's step size for the term vectors. */
  vectorRate: number;
  batch: number;
  seed: number;
  /** Terms (words; pairs) in fewer training texts than this have no vector. */
  minDf: number;
  /** At most this many pairs (the most frequent). */
  maxPairs: number;
  /** The max-pooled vector beside the mean. */
  maxPool: boolean;
  /** The pretrained vectors are scaled to this standard deviation per component. */
  initScale: number;
  /** Dropout on the hidden units while training (0: none). */
  dropout: number;
  /** L2 on the dense weights (decoupled, AdamW-style, × the learning rate). */
  weightDecay: number;
  /** Words only, no pairs. */
  wordsOnly?: boolean;
  /**
   * The weights and term vectors kept: their mean at the end of epochs `averageFrom`…`epochs` (as the
   * linear model's are averaged); the last epoch's unless given.
   */
  averageFrom?: number;
}

export const DEFAULT_BAG_OPTIONS: BagOptions = {
  hidden: 128,
  epochs: 10,
  learningRate: 0.001,
  vectorRate: 0.001,
  batch: 32,
  seed: 20083,
  minDf: 2,
  maxPairs: 5_000,
  maxPool: true,
  initScale: 0.1,
  dropout: 0,
  weightDecay: 0,
};

export interface BagModel extends LayersFile {
  dimensions: number;
  /** Terms (words, then pairs "a b"), their vectors (int8, base64, term-major) and each vector's scale. */
  terms: string[];
  scales: number[];
  vectors: string;
  maxPool: boolean;
}

/** A text's terms (stemmed words and neighbouring pairs), in order, repeats kept. */
export function bagTerms(text: string, pairs = true): string[] {
  const ws = words(text);
  if (!pairs) return ws;
  const out = [...ws];
  for (let i = 1; i < ws.length; i++) out.push(`${ws[i - 1]} ${ws[i]}`);
  return out;
}

/** Forward pass over term ids: pooled input `x`, hidden (after ReLU) `h`, log-odds `z`; argmax per component into `arg`. */
function forward(
  ids: Int32Array,
  E: Float64Array,
  d: number,
  maxPool: boolean,
  net: Layers,
  x: Float64Array,
  h: Float64Array,
  z: Float64Array,
  arg: Int32Array | undefined,
): void {
  x.fill(0);
  const n = ids.length;
  for (let t = 0; t < n; t++) {
    const base = ids[t]! * d;
    for (let k = 0; k < d; k++) {
      const v = E[base + k]!;
      x[k]! += v;
      if (maxPool && (t === 0 || v > x[d + k]!)) {
        x[d + k] = v;
        if (arg !== undefined) arg[k] = ids[t]!;
      }
    }
  }
  if (n > 0) for (let k = 0; k < d; k++) x[k]! /= n;
  layerScores(net, x, h, z);
}

/** The starting vector of each term: words from the pretrained vectors of their plain forms, pairs from their words'. */
function startingVectors(terms: string[], wordCount: number, plainOf: Map<string, Map<string, number>>, vectors: WordVectors, d: number, scale: number): Float64Array {
  const E = new Float64Array(terms.length * d);
  const has = new Uint8Array(terms.length);
  for (let i = 0; i < wordCount; i++) {
    const forms = plainOf.get(terms[i]!);
    let total = 0;
    for (const [form, n] of [...forms!].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const v = vectors.get(form);
      if (v === undefined) continue;
      for (let k = 0; k < d; k++) E[i * d + k]! += n * v[k]!;
      total += n;
    }
    if (total > 0) {
      for (let k = 0; k < d; k++) E[i * d + k]! /= total;
      has[i] = 1;
    }
  }
  // Scale: the pretrained components to standard deviation `scale`.
  let s2 = 0;
  let count = 0;
  for (let i = 0; i < wordCount; i++) {
    if (has[i] === 0) continue;
    for (let k = 0; k < d; k++) s2 += E[i * d + k]! ** 2;
    count += d;
  }
  const factor = count === 0 ? 0 : scale / Math.sqrt(s2 / count);
  for (let i = 0; i < wordCount * d; i++) E[i]! *= factor;
  const index = new Map(terms.slice(0, wordCount).map((t, i) => [t, i]));
  for (let i = wordCount; i < terms.length; i++) {
    const [a, b] = terms[i]!.split(' ') as [string, string];
    const ia = index.get(a);
    const ib = index.get(b);
    const parts = [ia, ib].filter((j): j is number => j !== undefined && has[j] === 1);
    for (const j of parts) for (let k = 0; k < d; k++) E[i * d + k]! += E[j * d + k]! / parts.length;
  }
  return E;
}

/** The network trained on these texts (ys: label indexes). */
export function trainBag(texts: readonly string[], ys: readonly Int32Array[], nLabels: number, vectors: WordVectors, o: BagOptions, random: (seed: number) => () => number): BagModel {
  const pairs = o.wordsOnly !== true;
  const termLists = texts.map((t) => bagTerms(t, pairs));
  const df = new Map<string, number>();
  for (const ts of termLists) for (const t of new Set(ts)) df.set(t, (df.get(t) ?? 0) + 1);
  const byDf = (isPair: boolean) =>
    [...df].filter(([t, n]) => n >= o.minDf && t.includes(' ') === isPair).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([t]) => t);
  const words = byDf(false).sort();
  const pairTerms = byDf(true).slice(0, o.maxPairs).sort();
  const terms = [...words, ...pairTerms];
  const index = new Map(terms.map((t, i) => [t, i]));
  const plainOf = new Map<string, Map<string, number>>();
  for (const t of texts) {
    for (const w of plainWords(t)) {
      const s = stem(w);
      if (!index.has(s)) continue;
      const forms = plainOf.get(s) ?? new Map<string, number>();
      forms.set(w, (forms.get(w) ?? 0) + 1);
      plainOf.set(s, forms);
    }
  }
  const first = vectors.values().next().value;
  const d = first === undefined ? 0 : first.length;
  const E = startingVectors(terms, words.length, plainOf, vectors, d, o.initScale);
  const ids = termLists.map((ts) => Int32Array.from(ts.filter((t) => index.has(t)), (t) => index.get(t)!));
  const net = trainNetwork(ids, ys, nLabels, E, d, o, random);
  // int8 per vector.
  const q = new Int8Array(terms.length * d);
  const scales: number[] = [];
  for (let i = 0; i < terms.length; i++) {
    let max = 0;
    for (let k = 0; k < d; k++) max = Math.max(max, Math.abs(E[i * d + k]!));
    const scale = Number((max === 0 ? 1 : max / 127).toPrecision(6));
    for (let k = 0; k < d; k++) q[i * d + k] = Math.round(E[i * d + k]! / scale);
    scales.push(scale);
  }
  return {
    dimensions: d,
    terms,
    scales,
    vectors: Buffer.from(q.buffer).toString('base64'),
    maxPool: o.maxPool,
    ...layersFile(net),
  };
}

function trainNetwork(ids: Int32Array[], ys: readonly Int32Array[], L: number, E: Float64Array, d: number, o: BagOptions, random: (seed: number) => () => number): Layers {
  const H = o.hidden;
  const nIn = (o.maxPool ? 2 : 1) * d;
  const rand = random(o.seed);
  const net = initialLayers(nIn, H, ys, L, rand);
  const nRows = E.length / Math.max(1, d);
  const gE = new Float64Array(E.length);
  const mE = new Float64Array(E.length);
  const vE = new Float64Array(E.length);
  const touched = new Uint8Array(nRows);
  const touchedList: number[] = [];
  const x = new Float64Array(nIn);
  const h = new Float64Array(H);
  const z = new Float64Array(L);
  const gx = new Float64Array(nIn);
  const arg = new Int32Array(d);
  const mask = new Float64Array(H);
  const back: Backward = { grads: zeroLayers(net), gh: new Float64Array(H), mask: o.dropout > 0 ? mask : undefined, gx };
  const touch = (row: number) => {
    if (touched[row] === 0) {
      touched[row] = 1;
      touchedList.push(row);
    }
  };
  const example = (n: number, inv: number) => {
    const tokens = ids[n]!;
    forward(tokens, E, d, o.maxPool, net, x, h, z, arg);
    if (o.dropout > 0) {
      // Inverted dropout on the hidden units: recompute the output with the kept ones.
      for (let l = 0; l < L; l++) z[l] = net.b2[l]!;
      for (let u = 0; u < H; u++) {
        mask[u] = rand() < o.dropout ? 0 : 1 / (1 - o.dropout);
        const a = h[u]! * mask[u]!;
        if (a === 0) continue;
        const base = u * L;
        for (let l = 0; l < L; l++) z[l]! += a * net.w2[base + l]!;
      }
    }
    backward(net, back, x, h, z, ys[n]!, inv);
    if (tokens.length > 0) {
      const share = 1 / tokens.length;
      for (let t = 0; t < tokens.length; t++) {
        const row = tokens[t]!;
        touch(row);
        const base = row * d;
        for (let k = 0; k < d; k++) gE[base + k]! += gx[k]! * share;
      }
      if (o.maxPool) {
        for (let k = 0; k < d; k++) {
          const row = arg[k]!;
          touch(row);
          gE[row * d + k]! += gx[d + k]!;
        }
      }
    }
  };
  // Lazy Adam on the term vectors: only the rows the batch touched, with the dense layers' bias corrections.
  const stepVectors = (c1: number, c2: number) => {
    touchedList.sort((a, b) => a - b);
    for (const row of touchedList) {
      const base = row * d;
      for (let k = 0; k < d; k++) {
        const i = base + k;
        const g = gE[i]!;
        mE[i] = 0.9 * mE[i]! + 0.1 * g;
        vE[i] = 0.999 * vE[i]! + 0.001 * g * g;
        E[i]! -= (o.vectorRate * (mE[i]! / c1)) / (Math.sqrt(vE[i]! / c2) + 1e-8);
        gE[i] = 0;
      }
      touched[row] = 0;
    }
    touchedList.length = 0;
  };
  const averaged = [net.w1, net.b1, net.w2, net.b2, E];
  const sums = o.averageFrom === undefined ? undefined : averaged.map((p) => new Float64Array(p.length));
  let count = 0;
  const afterEpoch = (epoch: number) => {
    if (sums === undefined || epoch < o.averageFrom!) return;
    averaged.forEach((p, j) => {
      const sum = sums[j]!;
      for (let i = 0; i < p.length; i++) sum[i]! += p[i]!;
    });
    count++;
  };
  adam(net, back.grads, ids.length, o, rand, example, stepVectors, afterEpoch);
  if (sums !== undefined && count > 0) averaged.forEach((p, j) => p.set(sums[j]!.map((v) => v / count)));
  return net;
}

/** A loaded bag network, with scratch space. */
export class BagScorer {
  private readonly index: Map<string, number>;
  private readonly E: Float64Array;
  private readonly d: number;
  private readonly maxPool: boolean;
  private readonly pairs: boolean;
  private readonly net: Layers;
  private readonly x: Float64Array;
  private readonly h: Float64Array;

  constructor(model: BagModel) {
    const d = model.dimensions;
    this.E = decodeVectors(model.vectors, model.scales, d);
    this.d = d;
    this.index = new Map(model.terms.map((t, i) => [t, i]));
    this.pairs = model.terms.some((t) => t.includes(' '));
    this.maxPool = model.maxPool;
    this.net = loadLayers(model);
    this.x = new Float64Array((model.maxPool ? 2 : 1) * d);
    this.h = new Float64Array(model.hidden);
  }

  /** The network's log-odds per label, into `out`. */
  scores(text: string, out: Float64Array): void {
    const ids: number[] = [];
    for (const t of bagTerms(text, this.pairs)) {
      const i = this.index.get(t);
      if (i !== undefined) ids.push(i);
    }
    forward(Int32Array.from(ids), this.E, this.d, this.maxPool, this.net, this.x, this.h, out, undefined);
  }
}
