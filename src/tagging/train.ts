import { type BagOptions, DEFAULT_BAG_OPTIONS, trainBag } from './bag.js';
import { fitCalibration } from './calibration.js';
import type { LabelledText } from './corpus.js';
import { type EmbeddingOptions, trainEmbedding, type WordVectors } from './embedding.js';
import { blockOf, blockScales, MODEL_FORMAT, metaScale, type ModelFile, Tagger } from './model.js';
import { random, shuffle } from '../common/random.js';
import { type CharGrams, features, metaCounts } from './text.js';

export { random } from '../common/random.js';

// Training the tagger (src/tagging/model.ts): a vocabulary of the terms in at least MIN_DF training texts
// (the MAX_TERMS most frequent), TF-IDF vectors (sublinear tf, L2-normalised), one logistic regression per
// label trained together by AdaGrad over a seeded shuffle, then per-label thresholds chosen on scores the
// weights did not see: out-of-fold scores of models trained on the other training sessions. Everything is
// deterministic, so the same data gives the same model file byte for byte.

export interface TrainOptions {
  minDf: number;
  maxTerms: number;
  epochs: number;
  learningRate: number;
  l2: number;
  /** Positive examples weigh (negatives / positives) ^ this: 0 leaves classes unweighted. */
  classWeightPower: number;
  /** Weights smaller than this (in absolute value) are dropped from the model file. */
  pruneBelow: number;
  /** Each label keeps at most its this many largest weights (in absolute value) in the model file. */
  weightsPerLabel: number;
  /** Folds (by session) whose out-of-fold scores tune the thresholds. */
  folds: number;
  seed: number;
  /** Character n-grams within words as a second block of features, or none. */
  charGrams?: CharGrams;
  /** The n-gram block's weight against the words' block (each L2-normalised). */
  charWeight: number;
  /** The n-gram block's vocabulary: at most this many n-grams (the most frequent). */
  maxCharTerms: number;
  /**
   * Metadata terms (the recommending states, the state under review: src/tagging/text.ts) as a third block
   * of features weighing this (its own L2 norm, added to the text's blocks), or none when undefined.
   */
  metaWeight?: number;
  /** The weights are the mean of those at the end of each epoch from this one (1-based) on; 0: the last. */
  averageFrom?: number;
  /**
   * NB scaling (NBSVM): each feature, for each label, is multiplied by its log-count ratio (smoothed by this)
   * between the label's texts and the others; the model file holds the products, so tagging is unchanged.
   */
  nbSmoothing?: number;
  /** The loss each label's model minimises: logistic (the default), or squared hinge (a linear SVM). */
  loss?: 'logistic' | 'squared-hinge';
  /**
   * An ensemble of linear models over the same features: each member trained with these options overriding
   * the others, the weights and biases summed, each member's times its weight — one linear model again, so
   * the model file and tagging are as with one.
   */
  ensemble?: EnsembleMember[];
  /**
   * Thresholds: 0 tunes each label's for its own F1; above 0, they are then tuned together (coordinate
   * ascent) for this weight × micro-F1 + (1 − it) × macro-F1 of the out-of-fold scores.
   */
  thresholdMicroWeight?: number;
  /**
   * A network over pretrained word vectors blended with the linear model (src/tagging/embedding.ts): trained
   * when the vectors are given to `fit`.
   */
  embedding?: EmbeddingOptions;
  /**
   * A network that learns its own term vectors (src/tagging/bag.ts), blended with the linear model at
   * `weight`: trained when the vectors (its words' starting vectors) are given to `fit`.
   */
  bag?: BagOptions & { weight: number };
}

export interface EnsembleMember {
  weight: number;
  options: Partial<Pick<TrainOptions, 'nbSmoothing' | 'loss' | 'seed' | 'l2' | 'learningRate' | 'epochs' | 'averageFrom' | 'classWeightPower'>>;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  minDf: 2,
  maxTerms: 30_000,
  epochs: 10,
  learningRate: 0.5,
  l2: 0.003,
  classWeightPower: 0,
  pruneBelow: 0.05,
  weightsPerLabel: 3000,
  folds: 3,
  seed: 20081,
  charGrams: { min: 4, max: 4 },
  charWeight: 0.7,
  maxCharTerms: 30_000,
  averageFrom: 2,
  nbSmoothing: 1,
  ensemble: [
    { weight: 0.5, options: {} },
    { weight: 0.5, options: { nbSmoothing: undefined } },
    { weight: 0.5, options: { loss: 'squared-hinge' } },
  ],
  thresholdMicroWeight: 0.5,
  bag: { ...DEFAULT_BAG_OPTIONS, weight: 0.25 },
};

/**
 * The word-vector network shipped in session 10 (weight 0.15), replaced by the bag network in session 11:
 * blended with both, the linear model gained nothing more on validation.
 */
export const DEFAULT_EMBEDDING_OPTIONS: EmbeddingOptions = { hidden: 128, epochs: 10, learningRate: 0.001, batch: 32, seed: 20082, weight: 0.15, minDf: 2 };

interface Vector {
  idx: Int32Array;
  val: Float64Array;
}

interface Vocabulary {
  terms: string[];
  index: Map<string, number>;
  idf: Float64Array;
}

export function buildVocabulary(docs: Map<string, number>[], options: Pick<TrainOptions, 'minDf' | 'maxTerms' | 'maxCharTerms'>): Vocabulary {
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of doc.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const frequent = (block: 0 | 1 | 2, max: number) =>
    [...df]
      .filter(([term, n]) => n >= options.minDf && blockOf(term) === block)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, max)
      .map(([term]) => term);
  const terms = [...frequent(0, options.maxTerms), ...frequent(1, options.maxCharTerms), ...frequent(2, Infinity)];
  const idf = Float64Array.from(terms, (term) => Math.log((1 + docs.length) / (1 + df.get(term)!)) + 1);
  return { terms, index: new Map(terms.map((t, i) => [t, i])), idf };
}

function vectorize(doc: Map<string, number>, vocabulary: Vocabulary, charWeight: number, metaWeight: number): Vector {
  const entries: [number, number, 0 | 1 | 2][] = [];
  const norm2 = [0, 0, 0];
  for (const [term, count] of doc) {
    const i = vocabulary.index.get(term);
    if (i === undefined) continue;
    const x = (1 + Math.log(count)) * vocabulary.idf[i]!;
    const block = blockOf(term);
    entries.push([i, x, block]);
    norm2[block]! += x * x;
  }
  entries.sort((a, b) => a[0] - b[0]);
  const scale = [...blockScales(norm2[0]!, norm2[1]!, charWeight), metaScale(norm2[2]!, metaWeight)];
  return { idx: Int32Array.from(entries, (e) => e[0]), val: Float64Array.from(entries, (e) => e[1] * scale[e[2]]!) };
}

interface Weights {
  /** Feature-major: w[feature * labels + label]. */
  w: Float64Array;
  bias: Float64Array;
}

function trainWeights(xs: Vector[], ys: Int32Array[], nLabels: number, nFeatures: number, options: TrainOptions): Weights {
  const w = new Float64Array(nFeatures * nLabels);
  const g2 = new Float64Array(nFeatures * nLabels);
  const bias = new Float64Array(nLabels);
  const b2 = new Float64Array(nLabels);
  const positives = new Float64Array(nLabels);
  for (const y of ys) for (const l of y) positives[l]!++;
  const posWeight = Float64Array.from(positives, (p) =>
    p === 0 ? 1 : Math.pow(Math.max(1, (xs.length - p) / p), options.classWeightPower),
  );
  const r = options.nbSmoothing === undefined ? undefined : nbRatios(xs, ys, nLabels, nFeatures, options.nbSmoothing);
  const order = Int32Array.from(xs.keys());
  const rand = random(options.seed);
  const z = new Float64Array(nLabels);
  const target = new Uint8Array(nLabels);
  const eps = 1e-8;
  const averageFrom = options.averageFrom ?? 0;
  const sumW = averageFrom > 0 ? new Float64Array(w.length) : undefined;
  const sumBias = new Float64Array(nLabels);
  const hinge = options.loss === 'squared-hinge';
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, rand);
    for (const n of order) {
      const { idx, val } = xs[n]!;
      z.set(bias);
      for (let k = 0; k < idx.length; k++) {
        const base = idx[k]! * nLabels;
        const x = val[k]!;
        if (r === undefined) for (let l = 0; l < nLabels; l++) z[l]! += x * w[base + l]!;
        else for (let l = 0; l < nLabels; l++) z[l]! += x * r[base + l]! * w[base + l]!;
      }
      target.fill(0);
      for (const l of ys[n]!) target[l] = 1;
      for (let l = 0; l < nLabels; l++) {
        const g = hinge ? hingeGradient(z[l]!, target[l] === 1) * (target[l] === 1 ? posWeight[l]! : 1) : logisticGradient(z[l]!, target[l] === 1, posWeight[l]!);
        z[l] = g;
        b2[l]! += g * g;
        bias[l]! -= (options.learningRate * g) / Math.sqrt(b2[l]! + eps);
      }
      for (let k = 0; k < idx.length; k++) {
        const base = idx[k]! * nLabels;
        const x = val[k]!;
        for (let l = 0; l < nLabels; l++) {
          const at = base + l;
          const g = z[l]! * x * (r === undefined ? 1 : r[at]!) + options.l2 * w[at]!;
          g2[at]! += g * g;
          w[at]! -= (options.learningRate * g) / Math.sqrt(g2[at]! + eps);
        }
      }
    }
    if (sumW !== undefined && epoch + 1 >= averageFrom) {
      for (let i = 0; i < w.length; i++) sumW[i]! += w[i]!;
      for (let l = 0; l < nLabels; l++) sumBias[l]! += bias[l]!;
    }
  }
  const epochs = sumW === undefined ? 1 : options.epochs - averageFrom + 1;
  const mean = sumW === undefined ? w : sumW.map((v) => v / epochs);
  return { w: r === undefined ? mean : mean.map((v, i) => v * r[i]!), bias: sumW === undefined ? bias : sumBias.map((v) => v / epochs) };
}

const logisticGradient = (z: number, positive: boolean, posWeight: number) => {
  const p = 1 / (1 + Math.exp(-z));
  return positive ? (p - 1) * posWeight : p;
};

/** The squared hinge's derivative by the score: max(0, 1 − y·z)², y = ±1. */
const hingeGradient = (z: number, positive: boolean) => {
  const y = positive ? 1 : -1;
  return y * z < 1 ? -2 * y * (1 - y * z) : 0;
};

/** For each feature and label, log((p / |p|) / (q / |q|)): p, q its smoothed sums over the label's texts and the others'. */
function nbRatios(xs: Vector[], ys: Int32Array[], nLabels: number, nFeatures: number, smoothing: number): Float64Array {
  const pos = new Float64Array(nFeatures * nLabels);
  const all = new Float64Array(nFeatures);
  xs.forEach(({ idx, val }, n) => {
    for (let k = 0; k < idx.length; k++) {
      all[idx[k]!]! += val[k]!;
      for (const l of ys[n]!) pos[idx[k]! * nLabels + l]! += val[k]!;
    }
  });
  const posTotal = new Float64Array(nLabels);
  const negTotal = new Float64Array(nLabels);
  for (let f = 0; f < nFeatures; f++) {
    for (let l = 0; l < nLabels; l++) {
      posTotal[l]! += smoothing + pos[f * nLabels + l]!;
      negTotal[l]! += smoothing + all[f]! - pos[f * nLabels + l]!;
    }
  }
  return pos.map((p, i) => {
    const f = Math.floor(i / nLabels);
    const l = i % nLabels;
    return Math.log((smoothing + p) / posTotal[l]! / ((smoothing + all[f]! - p) / negTotal[l]!));
  });
}

export function labelIndexes(texts: LabelledText[], labels: readonly string[]): Int32Array[] {
  const index = new Map(labels.map((l, i) => [l, i]));
  return texts.map((t) => Int32Array.from(t.labels.filter((l) => index.has(l)), (l) => index.get(l)!));
}

/** Weights rounded to 4 decimals and small ones dropped: the model file. */
function compact(vocabulary: Vocabulary, weights: Weights, labels: readonly string[], thresholds: number[], trainedOn: string, options: TrainOptions): ModelFile {
  const r = (v: number) => Math.round(v * 1e4) / 1e4;
  const terms: Record<string, number[]> = {};
  const n = labels.length;
  const nTerms = vocabulary.terms.length;
  const kept = new Uint8Array(nTerms * n);
  for (let l = 0; l < n; l++) {
    const order = Int32Array.from({ length: nTerms }, (_, f) => f)
      .filter((f) => Math.abs(r(weights.w[f * n + l]!)) >= options.pruneBelow)
      .sort((a, b) => Math.abs(weights.w[b * n + l]!) - Math.abs(weights.w[a * n + l]!) || a - b);
    for (const f of order.subarray(0, options.weightsPerLabel)) kept[f * n + l] = 1;
  }
  vocabulary.terms.forEach((term, f) => {
    const entry: number[] = [r(vocabulary.idf[f]!)];
    for (let l = 0; l < n; l++) if (kept[f * n + l] === 1) entry.push(l, r(weights.w[f * n + l]!));
    if (entry.length > 1) terms[term] = entry;
  });
  return {
    format: MODEL_FORMAT,
    trainedOn,
    labels: [...labels],
    bias: Array.from(weights.bias, r),
    thresholds,
    terms,
    ...(options.charGrams === undefined ? {} : { charGrams: { ...options.charGrams, weight: options.charWeight } }),
    ...(options.metaWeight === undefined ? {} : { meta: { weight: options.metaWeight } }),
  };
}

export function fitWeights(texts: LabelledText[], labels: readonly string[], options: TrainOptions, thresholds: number[], trainedOn: string, vectors?: WordVectors): ModelFile {
  const docs = texts.map((t) => {
    const counts = features(t.text, options.charGrams);
    return options.metaWeight === undefined ? counts : metaCounts(t.meta, counts);
  });
  const vocabulary = buildVocabulary(docs, options);
  const xs = docs.map((d) => vectorize(d, vocabulary, options.charGrams === undefined ? 0 : options.charWeight, options.metaWeight ?? 0));
  const ys = labelIndexes(texts, labels);
  const train = (o: TrainOptions) => trainWeights(xs, ys, labels.length, vocabulary.terms.length, o);
  const weights = options.ensemble === undefined ? train(options) : sumWeights(options.ensemble.map((m) => ({ weight: m.weight, weights: train({ ...options, ...m.options }) })));
  const model = compact(vocabulary, weights, labels, thresholds, trainedOn, options);
  if (vectors === undefined) return model;
  const plain = texts.map((t) => t.text);
  return {
    ...model,
    ...(options.embedding === undefined ? {} : { embedding: trainEmbedding(plain, ys, labels.length, vectors, options.embedding, random) }),
    ...(options.bag === undefined ? {} : { bag: { ...trainBag(plain, ys, labels.length, vectors, options.bag, random), weight: options.bag.weight } }),
  };
}

function sumWeights(members: { weight: number; weights: Weights }[]): Weights {
  const w = new Float64Array(members[0]!.weights.w.length);
  const bias = new Float64Array(members[0]!.weights.bias.length);
  for (const m of members) {
    for (let i = 0; i < w.length; i++) w[i]! += m.weight * m.weights.w[i]!;
    for (let l = 0; l < bias.length; l++) bias[l]! += m.weight * m.weights.bias[l]!;
  }
  return { w, bias };
}

/**
 * For each label, the threshold (0.05–0.95 by 0.01) that gives the best F1 on these scores; with
 * `microWeight` above 0, those thresholds are then moved one label at a time (two rounds over the labels)
 * to the best `microWeight` × micro-F1 + (1 − microWeight) × macro-F1 of all labels together.
 */
export function tuneThresholds(probabilities: Float64Array[], gold: Int32Array[], nLabels: number, microWeight = 0): number[] {
  const thresholds: number[] = [];
  for (let l = 0; l < nLabels; l++) {
    const scored = probabilities.map((p, i) => ({ p: p[l]!, y: gold[i]!.includes(l) }));
    const positives = scored.filter((s) => s.y).length;
    if (positives === 0) {
      thresholds.push(0.5);
      continue;
    }
    let best = { f1: -1, t: 0.5 };
    for (let step = 5; step <= 95; step++) {
      const t = step / 100;
      let tp = 0;
      let fp = 0;
      for (const s of scored) if (s.p >= t) s.y ? tp++ : fp++;
      const f1 = positives + tp + fp === 0 ? 0 : (2 * tp) / (tp + fp + positives);
      if (f1 > best.f1 + 1e-12) best = { f1, t };
    }
    thresholds.push(best.t);
  }
  return microWeight > 0 ? tuneTogether(probabilities, gold, nLabels, thresholds, microWeight) : thresholds;
}

const THRESHOLD_STEPS = Array.from({ length: 91 }, (_, i) => (i + 5) / 100);

function tuneTogether(probabilities: Float64Array[], gold: Int32Array[], nLabels: number, start: number[], microWeight: number): number[] {
  const thresholds = [...start];
  // For each label and threshold step: true and false positives (counts of texts at or above it).
  const tpAt: Float64Array[] = [];
  const fpAt: Float64Array[] = [];
  const positives = new Float64Array(nLabels);
  for (let l = 0; l < nLabels; l++) {
    const tp = new Float64Array(THRESHOLD_STEPS.length);
    const fp = new Float64Array(THRESHOLD_STEPS.length);
    probabilities.forEach((p, i) => {
      const y = gold[i]!.includes(l);
      if (y) positives[l]!++;
      // Steps k with THRESHOLD_STEPS[k] <= p: the same comparison as tuneThresholds'.
      for (let k = 0; k < THRESHOLD_STEPS.length && THRESHOLD_STEPS[k]! <= p[l]!; k++) y ? tp[k]!++ : fp[k]!++;
    });
    tpAt.push(tp);
    fpAt.push(fp);
  }
  const supported = [...positives.keys()].filter((l) => positives[l]! > 0);
  const stepOf = (t: number) => Math.round(t * 100) - 5;
  const tp = Float64Array.from(thresholds, (t, l) => tpAt[l]![stepOf(t)]!);
  const fp = Float64Array.from(thresholds, (t, l) => fpAt[l]![stepOf(t)]!);
  const objective = () => {
    let tpSum = 0;
    let fpSum = 0;
    let posSum = 0;
    let f1Sum = 0;
    for (const l of supported) {
      tpSum += tp[l]!;
      fpSum += fp[l]!;
      posSum += positives[l]!;
      f1Sum += (2 * tp[l]!) / (tp[l]! + fp[l]! + positives[l]!);
    }
    return (microWeight * 2 * tpSum) / (tpSum + fpSum + posSum) + ((1 - microWeight) * f1Sum) / supported.length;
  };
  for (let round = 0; round < 2; round++) {
    for (const l of supported) {
      let best = { value: -1, k: 0 };
      for (let k = 0; k < THRESHOLD_STEPS.length; k++) {
        tp[l] = tpAt[l]![k]!;
        fp[l] = fpAt[l]![k]!;
        const value = objective();
        if (value > best.value + 1e-12) best = { value, k };
      }
      tp[l] = tpAt[l]![best.k]!;
      fp[l] = fpAt[l]![best.k]!;
      thresholds[l] = THRESHOLD_STEPS[best.k]!;
    }
  }
  return thresholds;
}

/**
 * A model trained on these texts: thresholds, then the confidences' calibration (src/tagging/calibration.ts),
 * from out-of-fold scores (folds by session), then the weights trained again on all of them.
 */
export function fit(
  texts: LabelledText[],
  labels: readonly string[],
  trainedOn: string,
  options = DEFAULT_TRAIN_OPTIONS,
  progress: (m: string) => void = () => {},
  vectors?: WordVectors,
): ModelFile {
  const { oof, folds } = outOfFold(texts, labels, options, progress, vectors);
  const gold = labelIndexes(texts, labels);
  const thresholds = folds > 1 ? tuneThresholds(oof, gold, labels.length, options.thresholdMicroWeight ?? 0) : labels.map(() => 0.5);
  progress('weights: all training texts');
  const model = fitWeights(texts, labels, options, thresholds, trainedOn, vectors);
  return folds > 1 ? { ...model, calibration: fitCalibration(oof, gold, thresholds) } : model;
}

/** Each training text's probabilities from a model trained on the other folds' sessions. */
export function outOfFold(texts: LabelledText[], labels: readonly string[], options: TrainOptions, progress: (m: string) => void = () => {}, vectors?: WordVectors) {
  const sessions = [...new Set(texts.map((t) => t.session))].sort((a, b) => a - b);
  const foldOf = new Map(sessions.map((s, i) => [s, i % options.folds]));
  const oof: Float64Array[] = new Array(texts.length);
  const folds = Math.min(options.folds, sessions.length);
  for (let fold = 0; fold < folds; fold++) {
    progress(`thresholds: fold ${fold + 1}/${folds}`);
    const inFold = (t: LabelledText) => foldOf.get(t.session) === fold;
    const tagger = new Tagger(fitWeights(texts.filter((t) => !inFold(t)), labels, options, labels.map(() => 0.5), '', vectors));
    texts.forEach((t, i) => {
      if (inFold(t)) oof[i] = Float64Array.from(tagger.probabilities(t.text, t.meta));
    });
  }
  return { oof, folds };
}

export interface LabelScore {
  label: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Evaluation {
  texts: number;
  microF1: number;
  macroF1: number;
  microPrecision: number;
  microRecall: number;
  perLabel: LabelScore[];
}

/** Micro- and macro-F1 (macro over labels with support) of a model's labels against the gold labels. */
export function evaluate(tagger: Tagger, texts: LabelledText[]): Evaluation {
  const n = tagger.labels.length;
  const tp = new Float64Array(n);
  const fp = new Float64Array(n);
  const fn = new Float64Array(n);
  const index = new Map(tagger.labels.map((l, i) => [l, i]));
  for (const text of texts) {
    const predicted = new Set(tagger.tag(text.text, text.meta).map((m) => index.get(m.themeId)!));
    const gold = new Set(text.labels.map((l) => index.get(l)).filter((l) => l !== undefined));
    for (const l of predicted) gold.has(l) ? tp[l]!++ : fp[l]!++;
    for (const l of gold) if (!predicted.has(l)) fn[l]!++;
  }
  const f1 = (t: number, p: number, f: number) => (t === 0 ? 0 : (2 * t) / (2 * t + p + f));
  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
  const perLabel = tagger.labels.map((label, l) => ({
    label,
    support: tp[l]! + fn[l]!,
    precision: tp[l]! + fp[l]! === 0 ? 0 : tp[l]! / (tp[l]! + fp[l]!),
    recall: tp[l]! + fn[l]! === 0 ? 0 : tp[l]! / (tp[l]! + fn[l]!),
    f1: f1(tp[l]!, fp[l]!, fn[l]!),
  }));
  const supported = perLabel.filter((s) => s.support > 0);
  return {
    texts: texts.length,
    microF1: f1(sum(tp), sum(fp), sum(fn)),
    macroF1: supported.reduce((s, x) => s + x.f1, 0) / supported.length,
    microPrecision: sum(tp) / (sum(tp) + sum(fp)),
    microRecall: sum(tp) / (sum(tp) + sum(fn)),
    perLabel,
  };
}
