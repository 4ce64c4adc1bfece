import type { Statement } from 'better-sqlite3';
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

  /**
   * Whether stripping the text looks any of these keys up (a name found or not): a text that looks none of
   * them up strips alike under names that differ only in them (the same answers, the same path).
   */
  looksUp(text: string, keys: ReadonlySet<string>): boolean {
    let found = false;
    withoutRecommenders(text, (name) => {
      const key = normalizeStateName(name);
      if (keys.has(key)) found = true;
      return this.keys.has(key) ? key : undefined;
    });
    return found;
  }
}

/** No names: texts compared as written. */
export const NO_STATE_NAMES = new StateNames([]);

/**
 * The SQL of the states' names and aliases as the importer resolves them (state_aliases: a state's name is
 * one of its spellings there), normalised keys joined by newlines in one value: the same on both backends.
 */
export const STATE_NAMES_SQL = "select coalesce(string_agg(key, chr(10) order by key), '') as keys from state_aliases";
export const SQLITE_STATE_NAMES_SQL = "select coalesce(group_concat(key, char(10)), '') from (select key from state_aliases order by key)";

let last: { keys: string; names: StateNames } | undefined;

/** The names for keys read (STATE_NAMES_SQL's value): those made last while the keys are the same. */
export function stateNamesOfKeys(keys: string): StateNames {
  if (last?.keys !== keys) last = { keys, names: new StateNames(keys === '' ? [] : keys.split('\n')) };
  return last.names;
}

const statements = new WeakMap<object, Statement>();

/**
 * The names and aliases of a SQLite database's states (read in one value, and made into names again only
 * when they changed: a write of one recommendation reads them).
 */
export function stateNamesOf(db: Db): StateNames {
  let statement = statements.get(db.$client);
  if (statement === undefined) statements.set(db.$client, (statement = db.$client.prepare(SQLITE_STATE_NAMES_SQL).pluck()));
  return stateNamesOfKeys(statement.get() as string);
}
