import { type MessagePort, workerData } from 'node:worker_threads';
import { allNeighbours, vectorizeIds } from './similarity.js';
import { NO_STATE_NAMES, StateNames } from './state-names.js';
import { termIds } from './term-ids.js';

// The thread of neighbours-thread.ts: tokenises texts (its own TermIds, so each text once per thread) and
// computes a group's neighbour lists, answering each group on the port in the order asked, then counting the
// answer in the shared signal (the asking thread waits on it: a transaction cannot await). The states' names
// the terms leave out (state-names.ts) come before the texts that need them, when they change ('names').

export type NeighbourRequest =
  | {
      /** Texts to tokenise ahead (a file being imported), no answer; or a group to relate, answered. */
      kind: 'warm' | 'group';
      texts: string[];
      floor: number;
      k: number;
    }
  | {
      /** The states' names (StateNames.list) for the texts that follow, no answer. */
      kind: 'names';
      names: string[];
    };

/** Each text's neighbours, best first: those of text i at offsets[i] up to offsets[i + 1]. */
export interface NeighbourLists {
  offsets: Int32Array;
  index: Int32Array;
  score: Float64Array;
}

export type NeighbourAnswer = NeighbourLists | { error: string };

/**
 * The lists of a group of texts (allNeighbours over the texts' vectors, their terms without the states'
 * names at their end), flattened into typed arrays.
 */
export function neighbourLists(texts: string[], floor: number, k: number, names: StateNames = NO_STATE_NAMES): NeighbourLists {
  termIds.trim();
  termIds.useNames(names);
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

const { port, signal } = (workerData ?? {}) as { port?: MessagePort; signal?: Int32Array };
let names = NO_STATE_NAMES;
port?.on('message', (request: NeighbourRequest) => {
  if (request.kind === 'names') {
    names = new StateNames(request.names);
    return;
  }
  if (request.kind === 'warm') {
    termIds.useNames(names);
    for (const text of request.texts) termIds.of(text);
    return;
  }
  let answer: NeighbourAnswer;
  try {
    answer = neighbourLists(request.texts, request.floor, request.k, names);
  } catch (error) {
    answer = { error: String(error) };
  }
  port.postMessage(answer, 'error' in answer ? [] : [answer.offsets.buffer as ArrayBuffer, answer.index.buffer as ArrayBuffer, answer.score.buffer as ArrayBuffer]);
  Atomics.add(signal!, 0, 1);
  Atomics.notify(signal!, 0);
});
