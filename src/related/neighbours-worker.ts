import { type MessagePort, workerData } from 'node:worker_threads';
import { MAX_LABELS, type Tagger, taggerOf } from '../tagging/model.js';
import { allNeighbours, vectorizeIds } from './similarity.js';
import { termIds } from './term-ids.js';

// The thread of neighbours-thread.ts: tokenises texts (its own TermIds, so each text once per thread) and
// computes a group's neighbour lists, answering each group on the port in the order asked, then counting the
// answer in the shared signal (the asking thread waits on it: a transaction cannot await).

export interface NeighbourRequest {
  /** Texts to tokenise ahead (a file being imported), no answer; or a group to relate, answered. */
  kind: 'warm' | 'group';
  texts: string[];
  floor: number;
  k: number;
}

/** Each text's neighbours, best first: those of text i at offsets[i] up to offsets[i + 1]. */
export interface NeighbourLists {
  offsets: Int32Array;
  index: Int32Array;
  score: Float64Array;
}

export type NeighbourAnswer = NeighbourLists | { error: string };

/** The lists of a group of texts (allNeighbours over the texts' vectors), flattened into typed arrays. */
export function neighbourLists(texts: string[], floor: number, k: number): NeighbourLists {
  termIds.trim();
  const lists = allNeighbours(
    vectorizeIds(
      texts.map((text) => termIds.of(text)),
      termIds.instrument,
    ),
    floor,
    k,
  );
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, i) => (offsets[i + 1] = offsets[i]! + list.length));
  const index = new Int32Array(offsets[lists.length]!);
  const score = new Float64Array(index.length);
  let at = 0;
  for (const list of lists) {
    for (const n of list) {
      index[at] = n.index;
      score[at++] = n.score;
    }
  }
  return { offsets, index, score };
}

/**
 * Texts to give machine labels, by the tagger of a model file's text (src/tagging/tagger.ts), into shared memory
 * (TagShare), the last first, while the asking thread labels them from the first: no answer.
 */
export interface TagRequest {
  kind: 'tag';
  texts: string[];
  model: string;
  ints: SharedArrayBuffer;
  floats: SharedArrayBuffer;
}

/**
 * The labels of a tag request's n texts (Tagger.tag's): state[0] how many this thread has done, from the last
 * (each written before it is counted: Atomics), state[1] how many from the first the asking thread has taken on
 * (this thread stops there); text i's labels are counts[i] places in the model's labels at
 * labels[i · MAX_LABELS …], with their confidences at the same places.
 */
export interface TagShare {
  ints: SharedArrayBuffer;
  floats: SharedArrayBuffer;
  state: Int32Array;
  counts: Int32Array;
  labels: Int32Array;
  confidence: Float64Array;
}

/** The shared memory of n texts' labels: new, or the views of a request's. */
export function tagShare(n: number, buffers?: { ints: SharedArrayBuffer; floats: SharedArrayBuffer }): TagShare {
  const ints = buffers?.ints ?? new SharedArrayBuffer(4 * (2 + n + n * MAX_LABELS));
  const floats = buffers?.floats ?? new SharedArrayBuffer(8 * n * MAX_LABELS);
  return {
    ints,
    floats,
    state: new Int32Array(ints, 0, 2),
    counts: new Int32Array(ints, 8, n),
    labels: new Int32Array(ints, 8 + 4 * n, n * MAX_LABELS),
    confidence: new Float64Array(floats),
  };
}

/** The last model's tagger, kept while the same model is asked for. */
let tagger: { model: string; tagger: Tagger } | undefined;

/** Labels a request's texts into its shared memory, from the last, until it meets the asking thread's. */
export function tagAhead(request: TagRequest): void {
  const n = request.texts.length;
  const share = tagShare(n, request);
  if (tagger?.model !== request.model) tagger = { model: request.model, tagger: taggerOf(request.model) };
  const places = new Map(tagger.tagger.labels.map((label, i) => [label, i]));
  for (let i = n - 1; i >= Atomics.load(share.state, 1); i--) {
    const labels = tagger.tagger.tag(request.texts[i]!);
    labels.forEach((label, j) => {
      share.labels[i * MAX_LABELS + j] = places.get(label.themeId)!;
      share.confidence[i * MAX_LABELS + j] = label.confidence;
    });
    share.counts[i] = labels.length;
    Atomics.store(share.state, 0, n - i);
  }
}

const { port, signal } = (workerData ?? {}) as { port?: MessagePort; signal?: Int32Array };
port?.on('message', (request: NeighbourRequest | TagRequest) => {
  if (request.kind === 'warm') {
    for (const text of request.texts) termIds.of(text);
    return;
  }
  if (request.kind === 'tag') return tagAhead(request);
  let answer: NeighbourAnswer;
  try {
    answer = neighbourLists(request.texts, request.floor, request.k);
  } catch (error) {
    answer = { error: String(error) };
  }
  port.postMessage(answer, 'error' in answer ? [] : [answer.offsets.buffer as ArrayBuffer, answer.index.buffer as ArrayBuffer, answer.score.buffer as ArrayBuffer]);
  Atomics.add(signal!, 0, 1);
  Atomics.notify(signal!, 0);
});
