import type { Db } from '../db/open.js';
import { withoutRecommenders } from '../states/names-in-text.js';
import { normalizeStateName } from '../states/names.js';

// The states' names and aliases (the table the importer resolves recommenders with), by which the terms of
// a text leave out the recommending states printed at its end (termsOf): "Ratify CAT (France);" is compared
// as "Ratify CAT", as UPR Info prints it, and two requests of one state do not meet on its name. Every path
// that relates texts reads them from its database (SQLite's refresh, the neighbour thread, PostgreSQL's),
// so both backends compute the same terms.

export class StateNames {
  private readonly keys: Set<string>;
  /** The names, normalised, sorted and joined: equal for the same names (a thread's cache is kept while it is). */
  readonly fingerprint: string;

  /** From names or aliases as printed, or as normalizeStateName gives them (the same keys either way). */
  constructor(names: Iterable<string>) {
    const keys = [...new Set([...names].map(normalizeStateName).filter((key) => key !== ''))].sort();
    this.keys = new Set(keys);
    this.fingerprint = keys.join('\n');
  }

  /** The names as keys (what a thread is sent). */
  list(): string[] {
    return [...this.keys];
  }

  private readonly resolve = (name: string): string | undefined => {
    const key = normalizeStateName(name);
    return this.keys.has(key) ? key : undefined;
  };

  /** The text without the recommending states parenthesised at the end of its parts (withoutRecommenders). */
  strip(text: string): string {
    return this.keys.size === 0 ? text : withoutRecommenders(text, this.resolve);
  }
}

/** No names: texts compared as written. */
export const NO_STATE_NAMES = new StateNames([]);

/** The SQL of every state's name and alias, the same on both backends. */
export const STATE_NAMES_SQL = 'select name from states union all select alias from state_aliases';

/** The names and aliases of a SQLite database's states. */
export function stateNamesOf(db: Db): StateNames {
  return new StateNames(db.$client.prepare(STATE_NAMES_SQL).pluck().all() as string[]);
}
