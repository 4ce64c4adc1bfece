import { NO_STATE_NAMES, type StateNames } from './state-names.js';
import { termsOf } from './terms.js';

// Texts as numbered terms, each text tokenised once: a state's relations are recomputed after every write
// that touches it (an import's files one after the other, a curator's edits), and tokenising was most of the
// cost. The terms of one dictionary get ids in the order first seen; the ids of a text are kept per text.
// Bounded: when the texts kept reach maxTexts, or the dictionary maxTerms, both are forgotten (trim, called
// before a computation starts, never during one, so that no vector mixes the ids of two dictionaries). A
// text's terms depend on the states' names (state-names.ts): other names (useNames) forget the texts kept.

export class TermIds {
  private readonly ids = new Map<string, number>();
  private readonly texts = new Map<string, Int32Array>();
  /** Whether each id's term is an instrument or body token ("zz…", termsOf). */
  readonly instrument: boolean[] = [];

  constructor(
    private readonly maxTexts: number,
    private readonly maxTerms: number,
  ) {}

  private names: StateNames = NO_STATE_NAMES;

  /** The states' names the texts' terms are computed with from now on (the texts kept are forgotten when they differ). */
  useNames(names: StateNames): void {
    if (names.fingerprint !== this.names.fingerprint) this.texts.clear();
    this.names = names;
  }

  /** The number of terms in the dictionary: every id is below it. */
  get size(): number {
    return this.ids.size;
  }

  /** A text's terms as ids, in order, repeated as often as they occur. */
  of(text: string): Int32Array {
    let found = this.texts.get(text);
    if (found === undefined) {
      found = Int32Array.from(termsOf(text, this.names), (term) => this.idOf(term));
      this.texts.set(text, found);
    }
    return found;
  }

  /** An id for each term of a list (the terms of a text given as words). */
  ofTerms(terms: readonly string[]): Int32Array {
    return Int32Array.from(terms, (term) => this.idOf(term));
  }

  private idOf(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(term, id);
      this.instrument.push(term.startsWith('zz'));
    }
    return id;
  }

  /** Forgets every text and term when either limit is reached. */
  trim(): void {
    if (this.texts.size < this.maxTexts && this.ids.size < this.maxTerms) return;
    this.texts.clear();
    this.ids.clear();
    this.instrument.length = 0;
  }
}

/** The process's dictionary (UPR Info and the Terman corpus together hold about 70,000 texts). */
export const termIds = new TermIds(150_000, 1_000_000);
