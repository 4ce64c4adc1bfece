import { TermIds } from './term-ids.js';

// TF-IDF cosine similarity within one group of texts (the recommendations to one state under review):
// term weights (1 + ln tf) × idf with idf = ln((N + 1) / (df + 1)) + 1 over the group, instrument tokens
// counted INSTRUMENT_WEIGHT times, vectors of length 1, so that the dot product is the cosine (0–1).
// Pairs are found through an inverted index: a text is compared only with the texts sharing a term with it.
// Deterministic: the same texts in the same order give the same scores, rounded to 4 decimals.

/** How much more an instrument or body name counts than a word (a treaty named is what a request is about). */
const INSTRUMENT_WEIGHT = 2;

export interface Vector {
  terms: Int32Array;
  weights: Float64Array;
}

export interface Neighbour {
  index: number;
  score: number;
}

export const roundScore = (score: number): number => Math.min(1, Math.round(score * 10_000) / 10_000);

/** Each text's unit vector over the group's term dictionary. */
export function vectorize(docs: readonly (readonly string[])[]): Vector[] {
  const dictionary = new TermIds(Infinity, Infinity);
  const ids = docs.map((terms) => dictionary.ofTerms(terms));
  return vectorizeIds(ids, dictionary.instrument);
}

/**
 * The same over texts given as term ids of one dictionary (term-ids.ts), `instrument` telling the ids of
 * instrument tokens. The group's own term numbers follow the order terms are first seen, as vectorize's do,
 * so that the sums run in the same order and the scores are the same to the last bit.
 */
export function vectorizeIds(docs: readonly Int32Array[], instrument: readonly boolean[]): Vector[] {
  const local = new Int32Array(instrument.length).fill(-1);
  const tf = new Float64Array(instrument.length);
  let size = 0;
  const counted = docs.map((ids) => {
    const distinct: number[] = [];
    for (const id of ids) {
      let l = local[id]!;
      if (l < 0) local[id] = l = size++;
      if (tf[l] === 0) distinct.push(l);
      tf[l]! += instrument[id] ? INSTRUMENT_WEIGHT : 1;
    }
    const terms = Int32Array.from(distinct).sort();
    const counts = Float64Array.from(terms, (l) => tf[l]!);
    for (const l of terms) tf[l] = 0;
    return { terms, counts };
  });
  const df = new Float64Array(size);
  for (const { terms } of counted) for (const l of terms) df[l]!++;
  const n = docs.length;
  const idf = Float64Array.from(df, (d) => Math.log((n + 1) / (d + 1)) + 1);
  return counted.map(({ terms, counts }) => {
    const weights = new Float64Array(terms.length);
    let norm = 0;
    for (let i = 0; i < terms.length; i++) {
      const w = (1 + Math.log(counts[i]!)) * idf[terms[i]!]!;
      weights[i] = w;
      norm += w * w;
    }
    const length = Math.sqrt(norm);
    for (let i = 0; i < weights.length; i++) weights[i]! /= length;
    return { terms, weights };
  });
}

interface Postings {
  docs: number[][];
  weights: number[][];
}

function invertedIndex(vectors: readonly Vector[]): Postings {
  const docs: number[][] = [];
  const weights: number[][] = [];
  vectors.forEach((v, doc) => {
    for (let i = 0; i < v.terms.length; i++) {
      const t = v.terms[i]!;
      (docs[t] ??= []).push(doc);
      (weights[t] ??= []).push(v.weights[i]!);
    }
  });
  return { docs, weights };
}

/** Orders neighbours by score, highest first, then by index; keeps the first k. */
function topK(list: Neighbour[], k: number): Neighbour[] {
  return list.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
}

/**
 * For each text, the k most similar other texts of the group scoring at least `floor`, best first. Each pair
 * is scored once (from its lower index), through the postings of the terms the two share.
 */
export function allNeighbours(vectors: readonly Vector[], floor: number, k: number): Neighbour[][] {
  const { docs, weights } = invertedIndex(vectors);
  const lists: Neighbour[][] = vectors.map(() => []);
  const acc = new Float64Array(vectors.length);
  const touched: number[] = [];
  vectors.forEach((v, i) => {
    for (let a = 0; a < v.terms.length; a++) {
      const t = v.terms[a]!;
      const w = v.weights[a]!;
      const postingDocs = docs[t]!;
      const postingWeights = weights[t]!;
      // Postings are in document order: only the documents after i.
      for (let p = postingDocs.length - 1; p >= 0; p--) {
        const j = postingDocs[p]!;
        if (j <= i) break;
        if (acc[j] === 0) touched.push(j);
        acc[j]! += w * postingWeights[p]!;
      }
    }
    for (const j of touched) {
      const score = roundScore(acc[j]!);
      acc[j] = 0;
      if (score >= floor) {
        lists[i]!.push({ index: j, score });
        lists[j]!.push({ index: i, score });
      }
    }
    touched.length = 0;
  });
  return lists.map((list) => topK(list, k));
}
