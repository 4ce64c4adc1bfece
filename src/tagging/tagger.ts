import { MODEL_PATH } from './labels.js';
import { loadTagger, type Tagger } from './model.js';

// The tagger every write uses: the shipped model (models/upr-info-tagger.json.gz), loaded once, at the first
// call (the first write that tags: not at start, where it was a third of the server's start-up CPU); or
// another one set by setTagger (tests: a small model; null: none).

let current: Tagger | null | undefined;

export function machineTagger(): Tagger | null {
  if (current === undefined) current = loadTagger(MODEL_PATH);
  return current;
}

export function setTagger(tagger: Tagger | null | undefined): void {
  current = tagger;
}

/** Runs `fn` with the shipped model as the tagger, then sets again the one set before (a test's templates). */
export function withShippedTagger<T>(fn: () => T): T {
  const set = current;
  current = undefined;
  try {
    return fn();
  } finally {
    if (set !== undefined) current = set;
  }
}
