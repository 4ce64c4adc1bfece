import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import type { Db } from '../db/open.js';
import { RevisionTracker } from '../http/cache.js';
import { isStateFilter } from '../http/params.js';
import { HttpProblem, type InvalidParam } from '../http/problem.js';
import { normalizeStateName } from './names.js';

// State filters (stateUnderReview, recommendingState) take codes, names and aliases in any case. The
// lookup is an in-memory map from normalised spelling to code, rebuilt only when the data revision changes,
// so a filtered list pays a map lookup per value.

/** Close matches suggested for an unknown state, at most. */
const MAX_SUGGESTIONS = 5;
/** Unknown values that get suggestions (each costs a pass over every name): the rest are only named. */
const MAX_SUGGESTED_VALUES = 5;

interface Spelling {
  key: string;
  code: string;
}

export class StateNameIndex {
  private readonly tracker: RevisionTracker;
  private built = -1;
  private byKey = new Map<string, string>();
  private names = new Map<string, string>();
  private spellings: Spelling[] = [];

  constructor(private readonly db: Db) {
    this.tracker = new RevisionTracker(db);
  }

  private refresh(): void {
    const revision = this.tracker.current();
    if (revision === this.built) return;
    const states = this.db.$client.prepare('select code, name from states').all() as { code: string; name: string }[];
    const aliases = this.db.$client.prepare('select key, state_code as code from state_aliases').all() as Spelling[];
    const spellings: Spelling[] = [
      ...states.map((s) => ({ key: normalizeStateName(s.name), code: s.code })),
      ...aliases,
      // Codes last: they win over any name that happens to normalise to a code.
      ...states.map((s) => ({ key: s.code.toLowerCase(), code: s.code })),
    ];
    this.byKey = new Map(spellings.map((s) => [s.key, s.code]));
    this.names = new Map(states.map((s) => [s.code, s.name]));
    this.spellings = spellings;
    this.built = revision;
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
    // Codes as written (the common case) skip the revision probe: a code only ever names its own state (a
    // deleted state's code then matches nothing, as before it was known). Names and aliases, which a write
    // may move to another state, are read from the current map.
    if (values.every((value) => this.names.has(value))) return { codes: [...new Set(values)], unknown: [] };
    this.refresh();
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

  /** Up to five states whose code, name or alias is within a small edit distance of `value`, or starts with it. */
  suggest(value: string): string[] {
    this.refresh();
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
      .sort(([a, x], [b, y]) => x - y || a.localeCompare(b))
      .slice(0, MAX_SUGGESTIONS)
      .map(([code]) => `${code} (${this.names.get(code)})`);
  }

  /** What to say about an unknown value. */
  explain(value: string, suggest: boolean): string {
    const base = `No state has the code, name or alias "${value}"`;
    if (!suggest) return `${base}.`;
    const close = this.suggest(value);
    return close.length === 0 ? `${base}; see GET /v1/states.` : `${base}; did you mean ${close.join(', ')}?`;
  }
}

/**
 * Levenshtein distance between a and b when it is at most `bound`, else bound + 1: only the diagonal band of
 * width 2·bound + 1 is computed, so the cost is O(length · bound).
 */
export function boundedDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  const over = bound + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => (j <= bound ? j : over));
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(over);
    if (i <= bound) current[0] = i;
    let rowMin = current[0]!;
    const from = Math.max(1, i - bound);
    const to = Math.min(b.length, i + bound);
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(over, previous[j - 1]! + cost, previous[j]! + 1, current[j - 1]! + 1);
      rowMin = Math.min(rowMin, current[j]!);
    }
    if (rowMin > bound) return over;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Adds to every route whose query has state filters a hook that replaces each filter's values by their codes
 * (so that "kgz" and "KGZ" share one cache entry and ETag), or answers 400 naming every unknown value. Call
 * after the query cache's onRoute hook: this hook then runs before the cache's.
 */
export function resolveStateFilters(app: FastifyInstance, db: Db): StateNameIndex {
  const index = new StateNameIndex(db);
  app.addHook('onRoute', (route: RouteOptions) => {
    const shape = (route.schema?.querystring as { shape?: Record<string, unknown> } | undefined)?.shape;
    const keys = Object.keys(shape ?? {}).filter((key) => isStateFilter(shape![key]));
    if (keys.length === 0) return;
    const hook = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const query = request.query as Record<string, string[] | undefined>;
      const errors: InvalidParam[] = [];
      for (const key of keys) {
        const values = query[key];
        if (values === undefined) continue;
        const { codes, unknown } = index.resolve(values);
        for (const value of unknown) {
          errors.push({ in: 'query', name: key, message: index.explain(value, errors.length < MAX_SUGGESTED_VALUES) });
        }
        query[key] = codes;
      }
      if (errors.length === 0) return done();
      const detail = errors.map((e) => `Invalid query parameter "${e.name}": ${e.message}`).join('; ');
      done(new HttpProblem(400, detail, errors));
    };
    route.preHandler = [hook, ...[route.preHandler ?? []].flat()] as RouteOptions['preHandler'];
  });
  return index;
}
