import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type BagModel, BagScorer } from './bag.js';
import { type Calibration, calibrated } from './calibration.js';
import { type EmbeddingModel, EmbeddingScorer } from './embedding.js';
import { CHAR_GRAM_MARK, type CharGrams, features, META_MARK, metaCounts, type TextMeta } from './text.js';

// The tagger's model: one logistic regression per label over TF-IDF weights of words and word pairs
// (src/tagging/text.ts), each with its own decision threshold. Stored as gzip-compressed JSON (models/), term
// by term: a term's idf, then the labels it moves and by how much, so that scoring a text touches only the
// weights of the terms it contains.

export const MODEL_FORMAT = 'upr-tracker-tagger/3';

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  /** What it was trained on, for people reading the file. */
  trainedOn: string;
  /** Theme ids, in the order the weights refer to. */
  labels: string[];
  bias: number[];
  /** Per label: the probability from which the label is given. */
  thresholds: number[];
  /** Term → [idf, label index, weight, label index, weight, …]. */
  terms: Record<string, number[]>;
  /**
   * Character n-grams (terms marked '#'), when the model has them: their block of the vector has its own
   * L2 norm and weighs `weight` against the words' block.
   */
  charGrams?: CharGrams & { weight: number };
  /**
   * Metadata terms (terms marked '@': the recommending states and the state under review), when the model
   * has them: their block has its own L2 norm and weighs `weight`, added to the text's blocks (norm 1).
   */
  meta?: { weight: number };
  /**
   * A network over word vectors (src/tagging/embedding.ts), when the model has one: a label's log-odds are
   * (1 − its weight) × the linear model's + its weight × the network's.
   */
  embedding?: EmbeddingModel;
  /**
   * A network that learns its own term vectors (src/tagging/bag.ts), when the model has one: a label's
   * log-odds are (1 − the networks' weights) × the linear model's + each network's weight × its own.
   */
  bag?: BagModel & { weight: number };
  /**
   * The calibration of a label's probability into the chance that a label given is right: the `confidence`
   * shown (src/tagging/calibration.ts); without it (models before session 40), the probability itself.
   */
  calibration?: Calibration;
}

/**
 * The factor of each block of a vector (words and pairs; character n-grams) from the blocks' squared norms:
 * each block L2-normalised, the n-grams' weighted by `charWeight`, the whole of norm 1.
 */
export function blockScales(wordNorm2: number, charNorm2: number, charWeight: number): [number, number] {
  const total = Math.sqrt((wordNorm2 > 0 ? 1 : 0) + (charNorm2 > 0 ? charWeight * charWeight : 0));
  return [wordNorm2 > 0 ? 1 / Math.sqrt(wordNorm2) / total : 0, charNorm2 > 0 ? charWeight / Math.sqrt(charNorm2) / total : 0];
}

export const isCharGram = (term: string) => term.startsWith(CHAR_GRAM_MARK);
export const isMeta = (term: string) => term.startsWith(META_MARK);

/** A term's block: 0 words and pairs, 1 character n-grams, 2 metadata. */
export const blockOf = (term: string): 0 | 1 | 2 => (isCharGram(term) ? 1 : isMeta(term) ? 2 : 0);

/** The factor of the metadata block from its squared norm: L2-normalised, times its weight. */
export const metaScale = (metaNorm2: number, weight: number) => (metaNorm2 > 0 ? weight / Math.sqrt(metaNorm2) : 0);

export interface MachineLabel {
  themeId: string;
  /** The chance that the label is right (0–1): the model's probability, calibrated when the model is. */
  confidence: number;
}

/** At most this many labels per text (UPR Info gives 1–6). */
export const MAX_LABELS = 6;


export class Tagger {
  readonly labels: readonly string[];
  private readonly bias: Float64Array;
  private readonly thresholds: Float64Array;
  // Each term's index into idf and start; its labels and weights are labels/weights[start[i] .. start[i + 1]).
  // Flat arrays: a pair of small typed arrays per term (37,000 terms) made loading the model take ~0.5 s.
  private readonly terms = new Map<string, number>();
  private readonly idf: Float64Array;
  private readonly start: Int32Array;
  private readonly termLabels: Int32Array;
  private readonly termWeights: Float64Array;
  private readonly scores: Float64Array;
  private readonly charGrams: (CharGrams & { weight: number }) | undefined;
  private readonly metaWeight: number | undefined;
  private readonly embedding: EmbeddingScorer | undefined;
  private readonly networkScores: Float64Array;
  private readonly bag: BagScorer | undefined;
  private readonly bagWeight: number;
  private readonly calibration: Calibration | undefined;

  constructor(model: ModelFile) {
    if (model.format !== MODEL_FORMAT) throw new Error(`not a tagger model (format ${JSON.stringify(model.format)})`);
    this.labels = model.labels;
    this.bias = Float64Array.from(model.bias);
    this.thresholds = Float64Array.from(model.thresholds);
    this.scores = new Float64Array(model.labels.length);
    this.charGrams = model.charGrams;
    this.metaWeight = model.meta?.weight;
    this.embedding = model.embedding === undefined ? undefined : new EmbeddingScorer(model.embedding);
    this.networkScores = new Float64Array(model.labels.length);
    this.bag = model.bag === undefined ? undefined : new BagScorer(model.bag);
    this.bagWeight = model.bag?.weight ?? 0;
    this.calibration = model.calibration;
    const entries = Object.entries(model.terms);
    let total = 0;
    for (const [, entry] of entries) total += (entry.length - 1) / 2;
    this.idf = new Float64Array(entries.length);
    this.start = new Int32Array(entries.length + 1);
    this.termLabels = new Int32Array(total);
    this.termWeights = new Float64Array(total);
    let at = 0;
    for (let t = 0; t < entries.length; t++) {
      const [term, entry] = entries[t]!;
      this.terms.set(term, t);
      this.idf[t] = entry[0]!;
      this.start[t] = at;
      for (let i = 1; i < entry.length; i += 2) {
        this.termLabels[at] = entry[i]!;
        this.termWeights[at++] = entry[i + 1]!;
      }
    }
    this.start[entries.length] = at;
  }

  /**
   * Each label's probability for a text, in the order of `labels`; `meta` (who recommended it, to whom)
   * counts when the model has metadata terms.
   */
  probabilities(text: string, meta?: TextMeta): Float64Array {
    const scores = this.scores;
    scores.set(this.bias);
    const found: { term: number; x: number; block: 0 | 1 | 2 }[] = [];
    const norm2 = [0, 0, 0];
    const counts = features(text, this.charGrams);
    if (this.metaWeight !== undefined) metaCounts(meta, counts);
    for (const [name, count] of counts) {
      const term = this.terms.get(name);
      if (term === undefined) continue;
      const x = (1 + Math.log(count)) * this.idf[term]!;
      const block = blockOf(name);
      norm2[block]! += x * x;
      found.push({ term, x, block });
    }
    const scale = [...blockScales(norm2[0]!, norm2[1]!, this.charGrams?.weight ?? 0), metaScale(norm2[2]!, this.metaWeight ?? 0)];
    const { start, termLabels, termWeights } = this;
    for (const { term, x, block } of found) {
      const v = x * scale[block]!;
      for (let i = start[term]!; i < start[term + 1]!; i++) scores[termLabels[i]!]! += v * termWeights[i]!;
    }
    const a = this.embedding?.weight ?? 0;
    const b = this.bagWeight;
    for (let l = 0; l < scores.length; l++) scores[l]! *= 1 - a - b;
    if (this.embedding !== undefined) {
      this.embedding.scores(text, this.networkScores);
      for (let l = 0; l < scores.length; l++) scores[l]! += a * this.networkScores[l]!;
    }
    if (this.bag !== undefined) {
      this.bag.scores(text, this.networkScores);
      for (let l = 0; l < scores.length; l++) scores[l]! += b * this.networkScores[l]!;
    }
    const out = new Float64Array(scores.length);
    for (let l = 0; l < scores.length; l++) out[l] = 1 / (1 + Math.exp(-scores[l]!));
    return out;
  }

  /**
   * The labels of a text: those whose probability reaches their threshold (at most MAX_LABELS, most
   * probable first), and at least one — the label closest to its threshold when none reaches it. Each with
   * its confidence: its probability calibrated, which never changes which labels are given.
   */
  tag(text: string, meta?: TextMeta): MachineLabel[] {
    return this.decide(this.probabilities(text, meta));
  }

  decide(p: Float64Array): MachineLabel[] {
    return givenLabels(p, this.thresholds).map((l) => ({ themeId: this.labels[l]!, confidence: round(calibrated(this.calibration, p[l]!)) }));
  }
}

/**
 * The indexes of the labels given at these probabilities: those that reach their threshold (at most
 * MAX_LABELS, most probable first), and at least one — the closest to its threshold when none reaches it.
 */
export function givenLabels(p: Float64Array, thresholds: ArrayLike<number>): number[] {
  const chosen: number[] = [];
  let best = 0;
  for (let l = 0; l < p.length; l++) {
    if (p[l]! >= thresholds[l]!) chosen.push(l);
    if (p[l]! / thresholds[l]! > p[best]! / thresholds[best]!) best = l;
  }
  if (chosen.length === 0) chosen.push(best);
  chosen.sort((a, b) => p[b]! - p[a]! || a - b);
  return chosen.slice(0, MAX_LABELS);
}

/**
 * The most a tagger's confidence can be: a confidence of 1 says the label comes from UPR Info's own coding,
 * through the crosswalk (src/tagging/apply.ts), never from a model.
 */
export const MAX_MACHINE_CONFIDENCE = 0.999;

/** Confidences as stored and shown: three decimals, and below 1 (a probability of 0.9996 is 0.999). */
export const round = (value: number) => Math.min(Math.round(value * 1000) / 1000, MAX_MACHINE_CONFIDENCE);

/**
 * The model file's bytes: its JSON and a newline, gzip-compressed at level 9 (the shipped model's JSON is
 * mostly numbers and base64; compressed, about half). Deterministic: zlib's gzip header carries no time
 * (mtime 0) and no name, so the same model gives the same bytes (with the same zlib: Node's own).
 */
export function modelBytes(model: ModelFile): Buffer {
  return gzipSync(`${JSON.stringify(model)}\n`, { level: 9 });
}

/** A tagger from a model file as `modelBytes` writes it (gzip-compressed JSON). */
export function loadTagger(path: string): Tagger {
  return new Tagger(JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as ModelFile);
}
