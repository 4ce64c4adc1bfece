import type { FastifyInstance } from 'fastify';
import { resolveFilters } from '../http/filter-resolver.js';
import { isSpeakerFilter } from '../http/params.js';
import { otherScriptHint, type StateNameIndex } from '../states/filter-names.js';
import type { FilterIdIndex } from '../themes/filter-ids.js';

// The speaker filter of statements names a state as every state filter does (code, name or alias, any case) or an
// organization by its name in any case. `speaker=Ireland` matched nothing (only the code, as written, named a
// state) and read as "Ireland said nothing"; a misspelt organization likewise. Now each value becomes the state's
// code or the organization's stored name(s), or the request is a 400 with close matches of both kinds.

export interface SpeakerResolution {
  keys: string[];
  unknown: string[];
}

export class SpeakerIndex {
  constructor(
    private readonly states: StateNameIndex,
    private readonly ids: FilterIdIndex,
  ) {}

  /** Whether every value is a state code as written: no refresh needed (organizations are read when one is asked). */
  knows(values: readonly string[]): boolean {
    return this.states.knows(values);
  }

  refresh(): void | Promise<void> {
    const pending = [this.states.refresh(), this.ids.refresh()].filter((p) => p !== undefined);
    if (pending.length > 0) return Promise.all(pending).then(() => undefined);
  }

  resolve(values: readonly string[]): SpeakerResolution {
    // State codes alone: the organizations were not brought up to date (knows), and no name of one is a code.
    if (this.states.knows(values)) return { keys: this.states.resolve(values).codes, unknown: [] };
    const keys = new Set<string>();
    const single: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const run = this.organizationRun(values, i);
      if (run === undefined) {
        single.push(values[i]!);
        continue;
      }
      for (const name of run.names) keys.add(name);
      i += run.length - 1;
    }
    const { codes, unknown: notStates } = this.states.resolve(single);
    for (const code of codes) keys.add(code);
    const unknown: string[] = [];
    for (const value of notStates) {
      const names = this.ids.spellingsOf('organization', value);
      if (names.length === 0) unknown.push(value);
      for (const name of names) keys.add(name);
    }
    return { keys: [...keys], unknown };
  }

  /**
   * The organization that a run of two or more values from `i` names, the longest that does: a name with commas
   * ("Article 19, Global Campaign for Free Expression") arrives split at them, as every list value does. Runs
   * as long as the stored name with the most parts: a joint statement's speaker names five organizations or
   * more (a cap of four parts answered that no stored statement had it).
   */
  private organizationRun(values: readonly string[], i: number): { names: string[]; length: number } | undefined {
    const { mostParts, longestFolded } = this.ids.nameBounds('organization');
    let run: { names: string[]; length: number } | undefined;
    let joined = values[i]!;
    // Longer runs up to the longest stored name (the query's length alone bounds nothing: 100 values of 200 characters).
    for (let length = 2; length <= Math.min(mostParts, values.length - i); length++) {
      joined += `,${values[i + length - 1]!}`;
      if (joined.length > longestFolded) break;
      const names = this.ids.spellingsOf('organization', joined);
      if (names.length > 0) run = { names, length };
    }
    return run;
  }

  explain(value: string, suggest: boolean): string {
    const base = `No state has the code, name or alias "${value}", and no stored statement's speaker is an organization of that name`;
    if (!suggest) return `${base}.`;
    const close = [
      ...this.ids.closeEntries('organization', value).map((entry) => `${entry.id} (organization)`),
      ...this.states.suggest(value),
    ];
    return close.length === 0 ? `${base}; ${otherScriptHint(value)}see GET /v1/states and GET /v1/statements.` : `${base}; did you mean ${close.join(', ')}?`;
  }
}

/** Adds to every route whose query has a speaker filter a hook that resolves its values (see SpeakerIndex). */
export function resolveSpeakerFilters(app: FastifyInstance, states: StateNameIndex, ids: FilterIdIndex): SpeakerIndex {
  const index = new SpeakerIndex(states, ids);
  resolveFilters(app, {
    filtersOf: (shape) => Object.keys(shape).filter((key) => isSpeakerFilter(shape[key])).map((key) => [key, 'speaker'] as [string, 'speaker']),
    knows: (_, values) => index.knows(values),
    refresh: () => index.refresh(),
    resolve: (_, values) => index.resolve(values),
    explain: (_, value, suggest) => index.explain(value, suggest),
  });
  return index;
}
