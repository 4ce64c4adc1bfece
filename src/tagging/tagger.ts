import { readFileSync } from 'node:fs';
import { MODEL_PATH } from './labels.js';
import { type Tagger, taggerOf } from './model.js';

// The tagger every write uses: the shipped model (models/upr-info-tagger.json), loaded once, at the first
// call (the first write that tags: not at start, where it was a third of the server's start-up CPU); or
// another one set by setTagger (tests: a small model; null: none).

let current: Tagger | null | undefined;
/** The shipped model's file as read, while it is (or is to be) the tagger: what a worker thread builds it from. */
let shippedSource: string | undefined;

export function machineTagger(): Tagger | null {
  if (current === undefined) current = taggerOf(machineTaggerSource()!);
  return current;
}

/**
 * The text of the model file machineTagger() is (or will be) built from, read once: the shipped model's; undefined
 * for a tagger set by setTagger. A worker thread given it tags texts as machineTagger() does (an import's,
 * src/related/neighbours-thread.ts), without the file read again (it may have been retrained since).
 */
export function machineTaggerSource(): string | undefined {
  if (current === undefined) shippedSource ??= readFileSync(MODEL_PATH, 'utf8');
  return shippedSource;
}

export function setTagger(tagger: Tagger | null | undefined): void {
  current = tagger;
  shippedSource = undefined;
}
