import { compareText } from '../common/text-order.js';
import type { Db } from '../db/open.js';
import { normalizeStateName } from '../states/names.js';
import { resolveGroup, splitOutsideParentheses, trailingGroups } from '../states/names-in-text.js';
import type { NameCount } from './types.js';

// Resolves state names as printed in imported files to ISO codes through the aliases table (keyed by
// normalizeStateName), and only through it: a name no alias matches is reported, never guessed.

export class StateResolver {
  private readonly byKey: Map<string, string>;
  private readonly codes: Set<string>;
  /** Every word-set of every alias, to explain why a name did not resolve. */
  private readonly aliasWords: { words: Set<string>; code: string }[];

  constructor(db: Db) {
    const rows = db.$client.prepare('select key, alias, state_code as code from state_aliases').all() as {
      key: string;
      alias: string;
      code: string;
    }[];
    this.byKey = new Map(rows.map((r) => [r.key, r.code]));
    this.codes = new Set(db.$client.prepare('select code from states').pluck().all() as string[]);
    this.aliasWords = rows.map((r) => ({ words: new Set(words(r.alias)), code: r.code }));
  }

  /** The code for a name as printed ("Kyrgyz Republic", "kyrgysztan", " Norway;"), or undefined. */
  resolve(name: string): string | undefined {
    const key = normalizeStateName(name);
    return key === '' ? undefined : this.byKey.get(key);
  }

  /** Whether the database holds no state at all (never seeded): no name of any file can resolve. */
  get empty(): boolean {
    return this.codes.size === 0;
  }

  /** Whether a code is a known state (for files that give codes). */
  isCode(code: string): boolean {
    return this.codes.has(code);
  }

  /** Why a name does not resolve, for the report: several states in one cell, ambiguous, or unknown. */
  explain(name: string): string {
    const parts = name
      .split(/\s*(?:,|;|\band\b|&|\/)\s*|\s+/i)
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const asParts = parts.map((p) => this.resolve(p));
    if (parts.length > 1 && asParts.every((c) => c !== undefined)) {
      return `several states in one cell (${[...new Set(asParts)].join(', ')}): not split`;
    }
    const candidates = this.candidates(name);
    if (candidates.length > 1) return `ambiguous: could be ${candidates.join(' or ')}`;
    return 'no state has this name or alias';
  }

  /** The states an unresolved name could be: those with an alias holding all its words ("Korea": KOR, PRK), sorted. */
  candidates(name: string): string[] {
    const nameWords = words(name);
    if (nameWords.length === 0) return [];
    return [...new Set(this.aliasWords.filter((a) => nameWords.every((w) => a.words.has(w))).map((a) => a.code))].sort();
  }
}

function words(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && w !== 'of' && w !== 'the');
}

/** Counts unresolved names (rows per name) for the report. */
export class NameCounter {
  private readonly counts = new Map<string, number>();

  add(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  list(resolver: StateResolver): NameCount[] {
    return [...this.counts]
      .sort(([a, x], [b, y]) => y - x || compareText(a, b))
      .map(([name, count]) => ({ name, count, note: resolver.explain(name) }));
  }
}

export interface Recommenders {
  codes: string[];
  unresolved: string[];
  warnings: string[];
}

/**
 * The recommending states named in a recommendation's text, as OHCHR prints them: parenthesised at the end
 * of each part ("… (France) (Lithuania);" or "… (Ukraine); … (Slovakia);"). The last group of the text
 * always names a recommender (kept as printed when unresolved); groups before it, and at the end of earlier
 * parts, count while they resolve ("(No. 29)" before a state is part of the text).
 */
export function recommendersInText(text: string, resolver: StateResolver): Recommenders {
  const result: Recommenders = { codes: [], unresolved: [], warnings: [] };
  const parts = splitOutsideParentheses(text, ';');
  parts.forEach((part, index) => {
    const { groups } = trailingGroups(part);
    const lastPart = index === parts.length - 1;
    for (let g = groups.length - 1; g >= 0; g--) {
      const group = groups[g]!;
      const codes = resolveGroup(group, (name) => resolver.resolve(name));
      if (codes) {
        for (const code of codes) if (!result.codes.includes(code)) result.codes.push(code);
      } else if (lastPart && g === groups.length - 1) {
        result.unresolved.push(group);
      } else {
        if (g === groups.length - 1) result.warnings.push(`"(${group})" before ";" is not a state name: read as text`);
        break;
      }
    }
  });
  if (result.codes.length === 0 && result.unresolved.length === 0) {
    result.warnings.push('no recommending state in parentheses at the end of the text');
  }
  return result;
}
