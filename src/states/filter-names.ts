import type { FastifyInstance } from 'fastify';
import { compareText } from '../common/text-order.js';
import type { Db } from '../db/open.js';
import { LoadedPerRevision, type RevisionSource } from '../db/revision.js';
import { RevisionTracker } from '../http/cache.js';
import { isStateFilter } from '../http/params.js';
import { resolveFilters } from '../http/filter-resolver.js';
import { normalizeStateName } from './names.js';
import { boundedDistance } from '../common/edit-distance.js';

// State filters (stateUnderReview, recommendingState) take codes, names and aliases in any case. The
// lookup is an in-memory map from normalised spelling to code, rebuilt only when the data revision changes,
// so a filtered list pays a map lookup per value.

/** Close matches suggested for an unknown state, at most. */
const MAX_SUGGESTIONS = 5;

interface Spelling {
  key: string;
  code: string;
}

/** The states and their aliases, as the index reads them. */
export interface StateSpellings {
  states: { code: string; name: string }[];
  aliases: Spelling[];
}

/**
 * Where the index reads the states and the data revision: synchronously from SQLite, or from PostgreSQL
 * (src/db/pg/backend.ts), where the hook waits for it.
 */
export interface StateNameSource extends RevisionSource {
  spellings(): StateSpellings | Promise<StateSpellings>;
}

export function sqliteStateNames(db: Db): StateNameSource {
  const tracker = new RevisionTracker(db);
  return {
    current: () => tracker.current(),
    stamp: () => tracker.stamp(),
    spellings: () => ({
      states: db.$client.prepare('select code, name from states').all() as { code: string; name: string }[],
      aliases: db.$client.prepare('select key, state_code as code from state_aliases').all() as Spelling[],
    }),
  };
}

export class StateNameIndex {
  private byKey = new Map<string, string>();
  private names = new Map<string, string>();
  private spellings: Spelling[] = [];
  private readonly loaded: LoadedPerRevision<StateSpellings>;

  constructor(source: StateNameSource) {
    this.loaded = new LoadedPerRevision(source, () => source.spellings(), (spellings) => this.build(spellings));
  }

  /** Brings the maps to the current data revision; a promise when the source answers asynchronously. */
  refresh(): void | Promise<void> {
    return this.loaded.refresh();
  }

  private build({ states, aliases }: StateSpellings): void {
    const spellings: Spelling[] = [
      ...states.map((s) => ({ key: normalizeStateName(s.name), code: s.code })),
      ...aliases,
      // Codes last: they win over any name that happens to normalise to a code.
      ...states.map((s) => ({ key: s.code.toLowerCase(), code: s.code })),
    ];
    this.byKey = new Map(spellings.map((s) => [s.key, s.code]));
    this.names = new Map(states.map((s) => [s.code, s.name]));
    this.spellings = spellings;
  }

  private lookup(value: string): string | undefined {
    const key = normalizeStateName(value);
    return key === '' ? undefined : this.byKey.get(key);
  }

  /**
   * The codes of the values, and the values no state has. A name with a comma ("Korea, Republic of") arrives
   * split at it, like every list value: two neighbours that only resolve together are read as one name.
   */
  resolve(values: readonly string[]): { codes: string[]; unknown: string[] } {
    if (this.knows(values)) return { codes: [...new Set(values)], unknown: [] };
    const codes = new Set<string>();
    const unknown: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      const next = values[i + 1];
      const joined = next !== undefined && this.lookup(next) === undefined ? this.lookup(`${value},${next}`) : undefined;
      if (joined !== undefined) {
        codes.add(joined);
        i++;
        continue;
      }
      const code = this.lookup(value);
      if (code === undefined) unknown.push(value);
      else codes.add(code);
    }
    return { codes: [...codes], unknown };
  }

  /**
   * Whether the values are all codes as written (the common case), which skips the revision probe: a code only
   * ever names its own state (a deleted state's code then matches nothing, as before it was known). Names and
   * aliases, which a write may move to another state, are read from maps refreshed first.
   */
  knows(values: readonly string[]): boolean {
    return values.every((value) => this.names.has(value));
  }

  /** Up to five states whose code, name or alias is within a small edit distance of `value`, or starts with it. */
  suggest(value: string): string[] {
    const key = normalizeStateName(value);
    if (key === '') return [];
    const bound = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3;
    const best = new Map<string, number>();
    for (const spelling of this.spellings) {
      let score = boundedDistance(key, spelling.key, bound);
      if (score > bound && key.length >= 3 && spelling.key.startsWith(key)) score = bound + 0.5;
      if (score <= bound + 0.5 && score < (best.get(spelling.code) ?? Infinity)) best.set(spelling.code, score);
    }
    return [...best]
      .sort(([a, x], [b, y]) => x - y || compareText(a, b))
      .slice(0, MAX_SUGGESTIONS)
      .map(([code]) => `${code} (${this.names.get(code)})`);
  }

  /** What to say about an unknown value. */
  explain(value: string, suggest: boolean): string {
    const base = `No state has the code, name or alias "${value}"`;
    if (!suggest) return `${base}.`;
    const close = this.suggest(value);
    return close.length === 0 ? `${base}; ${otherScriptHint(value)}see GET /v1/states.` : `${base}; did you mean ${close.join(', ')}?`;
  }
}

/**
 * What to add when a state is asked by a name in a script other than Latin ("Кыргызстан", "قيرغيزستان",
 * "吉尔吉斯斯坦"): the names known are English, so no spelling of it comes close, and "see GET /v1/states" alone
 * left a reader of Russian or Arabic to guess why their country's own name is unknown.
 */
export function otherScriptHint(value: string): string {
  return /(?![\p{Script=Latin}])\p{L}/u.test(value)
    ? 'states are known by their English short names, aliases and ISO 3166-1 alpha-3 codes: give the code (KGZ for Kyrgyzstan); '
    : '';
}


/**
 * Adds to every route whose query has state filters a hook that replaces each filter's values by their codes
 * (so that "kgz" and "KGZ" share one cache entry and ETag), or answers 400 naming every unknown value. Call
 * after the query cache's onRoute hook: this hook then runs before the cache's.
 */
export function resolveStateFilters(app: FastifyInstance, source: StateNameSource): StateNameIndex {
  const index = new StateNameIndex(source);
  resolveFilters(app, {
    filtersOf: (shape) => Object.keys(shape).filter((key) => isStateFilter(shape[key])).map((key) => [key, 'state'] as [string, 'state']),
    knows: (_, values) => index.knows(values),
    refresh: () => index.refresh(),
    resolve: (_, values) => {
      const { codes, unknown } = index.resolve(values);
      return { keys: codes, unknown };
    },
    explain: (_, value, suggest) => index.explain(value, suggest),
  });
  return index;
}
