import type { FastifyInstance } from 'fastify';
import { compareText } from '../common/text-order.js';
import { foldText } from '../db/functions.js';
import type { Db } from '../db/open.js';
import { LoadedPerRevision, type RevisionSource } from '../db/revision.js';
import { RevisionTracker } from '../http/cache.js';
import { resolveFilters } from '../http/filter-resolver.js';
import { idFilterKind, type IdFilterKind } from '../http/params.js';
import { boundedDistance } from '../common/edit-distance.js';

// Filters by the ids of stored records (theme, affectedPersons, reviewId, source) take them in any case; an unknown id
// is a 400 with close matches ("torture" → the themes whose id or label holds the word), not an empty page
// that reads as "none" (a review id of the right shape excepted: see reviewIdShape). The ids are held in
// memory, read again only when the data revision changes.

/** Close matches suggested for an unknown id, at most. */
const MAX_SUGGESTIONS = 5;

/** Position labels a 400 names when none is close to the value asked. */
const MAX_LABELS_NAMED = 30;

/** Nor when naming them would take more characters than this (a label may be 1,000 long). */
const MAX_LABEL_CHARACTERS_NAMED = 1_000;

/**
 * A review id not stored (yet): well formed (a state code and a cycle), it matches nothing rather than being a 400,
 * so that a dashboard can ask for a review before its recommendations are imported.
 */
function reviewIdShape(value: string): string | undefined {
  return /^[A-Za-z]{3}-[1-9]$/.test(value) ? value.toUpperCase() : undefined;
}

/** The goal a theme filter's value names when it reads as an SDG ("16", "SDG16", "sdg-16"): asked of the wrong filter. */
function sdgGoalNamed(value: string): number | undefined {
  const match = /^(?:sdg[\s_-]*)?(\d{1,2})$/i.exec(value.trim());
  const goal = match ? Number(match[1]) : NaN;
  return goal >= 1 && goal <= 17 ? goal : undefined;
}

/** A name as spellingsOf compares it: lower case (İ as "i") and composed (foldText), no spaces around its commas. */
function foldName(name: string): string {
  return foldText(name).replace(/\s*,\s*/g, ',');
}

export interface IdEntry {
  id: string;
  /** What the suggestions show beside the id. */
  label: string;
}

export type IdEntries = Record<IdFilterKind, IdEntry[]>;

/** Where the index reads the ids and the data revision: SQLite synchronously, PostgreSQL (src/db/pg/backend.ts) not. */
export interface FilterIdSource extends RevisionSource {
  /** The entries of the kinds asked (the others may be absent). */
  entries(kinds: readonly IdFilterKind[]): IdEntries | Promise<IdEntries>;
}

/** The statements both backends read the ids with. */
export const FILTER_ID_QUERIES: Record<IdFilterKind, string> = {
  theme: 'select id, label from themes',
  affectedPersons: 'select id, label from affected_persons_groups',
  review: "select r.id, coalesce(s.name, r.state_code) || ', cycle ' || r.cycle as label from reviews r left join states s on s.code = r.state_code",
  source: 'select id, title as label from sources',
  organization:
    'select speaker_organization as id, speaker_organization as label from statements where speaker_organization is not null group by speaker_organization',
  positionLabel:
    'select position_label as id, position_label as label from recommendations where position_label is not null ' +
    'union select position_label, position_label from recommendation_sources where position_label is not null',
};

/**
 * The kinds read together, and the position labels read apart: reading these scans every record and reading
 * (60-80 ms at 40,000 records and 70,000 readings), a cost only a positionLabel filter asked in another
 * spelling than the stored one should pay, not every other filter after each write.
 */
const ID_KINDS: readonly IdFilterKind[] = ['theme', 'affectedPersons', 'review', 'source', 'organization'];
const LABEL_KINDS: readonly IdFilterKind[] = ['positionLabel'];

/** What an unknown id is said to be, and where the ids are listed. */
const NAMES: Record<IdFilterKind, [noun: string, list: string]> = {
  theme: ['theme', 'GET /v1/themes'],
  affectedPersons: ['affected-persons group', 'GET /v1/affected-persons'],
  review: ['review', 'GET /v1/reviews'],
  source: ['source', 'GET /v1/sources'],
  organization: ['speaking organization', 'GET /v1/statements'],
  positionLabel: ['position label', ''],
};

export function sqliteFilterIds(db: Db): FilterIdSource {
  const tracker = new RevisionTracker(db);
  return {
    current: () => tracker.current(),
    stamp: () => tracker.stamp(),
    entries: (kinds) => Object.fromEntries(kinds.map((kind) => [kind, db.$client.prepare(FILTER_ID_QUERIES[kind]).all()])) as IdEntries,
  };
}

interface Vocabulary {
  ids: Set<string>;
  /** The ids by their foldText (lower case, composed): the last one read of those alike. */
  byFolded: Map<string, string>;
  /** The ids by their foldName: what spellingsOf answers. */
  byFoldedName: Map<string, string[]>;
  /** The most comma-separated parts of any id, and the longest foldName: no longer run of list values names one. */
  mostParts: number;
  longestFolded: number;
  entries: IdEntry[];
}

export class FilterIdIndex {
  private vocabularies = new Map<IdFilterKind, Vocabulary>();
  private readonly loaded: LoadedPerRevision<IdEntries>;

  constructor(
    source: FilterIdSource,
    private readonly kinds: readonly IdFilterKind[],
  ) {
    this.loaded = new LoadedPerRevision(source, () => source.entries(kinds), (entries) => this.build(entries));
  }

  refresh(): void | Promise<void> {
    return this.loaded.refresh();
  }

  private build(entries: IdEntries): void {
    for (const kind of this.kinds) {
      const list = entries[kind];
      const byFoldedName = new Map<string, string[]>();
      let mostParts = 1;
      let longestFolded = 0;
      for (const { id } of list) {
        const folded = foldName(id);
        byFoldedName.set(folded, [...(byFoldedName.get(folded) ?? []), id]);
        mostParts = Math.max(mostParts, folded.split(',').length);
        longestFolded = Math.max(longestFolded, folded.length);
      }
      this.vocabularies.set(kind, {
        ids: new Set(list.map((e) => e.id)),
        byFolded: new Map(list.map((e) => [foldText(e.id), e.id])),
        byFoldedName,
        mostParts,
        longestFolded,
        entries: list,
      });
    }
  }

  /** Whether every value is an id as written: an id names its record until the record is deleted (then nothing matches). */
  knows(kind: IdFilterKind, values: readonly string[]): boolean {
    const ids = this.vocabularies.get(kind)?.ids;
    return ids !== undefined && values.every((value) => ids.has(value));
  }

  resolve(kind: IdFilterKind, values: readonly string[]): { keys: string[]; unknown: string[] } {
    const vocabulary = this.vocabularies.get(kind)!;
    const keys = new Set<string>();
    const unknown: string[] = [];
    for (const value of values) {
      const id = vocabulary.byFolded.get(foldText(value)) ?? (kind === 'review' ? reviewIdShape(value) : undefined);
      if (id === undefined) unknown.push(value);
      else keys.add(id);
    }
    return { keys: [...keys], unknown };
  }

  /**
   * The ids that are the value in some case and spacing after commas: organization names, unlike the other ids,
   * may differ only in case, and hold commas (at which a list value is split, and its parts trimmed).
   */
  spellingsOf(kind: IdFilterKind, value: string): string[] {
    return this.vocabularies.get(kind)!.byFoldedName.get(foldName(value)) ?? [];
  }

  /** The most comma-separated parts of any id of the kind (1 when none has a comma), and the longest foldName. */
  nameBounds(kind: IdFilterKind): { mostParts: number; longestFolded: number } {
    const { mostParts, longestFolded } = this.vocabularies.get(kind)!;
    return { mostParts, longestFolded };
  }

  /** Up to five ids whose id or label holds the value, or whose id is within a small edit distance of it. */
  suggest(kind: IdFilterKind, value: string): string[] {
    return this.closeEntries(kind, value).map((entry) => (entry.label === entry.id ? entry.id : `${entry.id} (${entry.label})`));
  }

  /** The entries suggest() names. */
  closeEntries(kind: IdFilterKind, value: string): IdEntry[] {
    const wanted = foldText(value);
    const bound = wanted.length <= 4 ? 1 : wanted.length <= 8 ? 2 : 3;
    const scored: [entry: IdEntry, score: number][] = [];
    for (const entry of this.vocabularies.get(kind)!.entries) {
      const id = foldText(entry.id);
      const holds = wanted.length >= 3 && (id.includes(wanted) || foldText(entry.label).includes(wanted));
      const score = holds ? 0 : boundedDistance(wanted, id, bound);
      if (score <= bound) scored.push([entry, score]);
    }
    return scored
      .sort(([a, x], [b, y]) => x - y || compareText(a.id, b.id))
      .slice(0, MAX_SUGGESTIONS)
      .map(([entry]) => entry);
  }

  explain(kind: IdFilterKind, value: string, suggest: boolean): string {
    const [noun, list] = NAMES[kind];
    const base =
      kind === 'positionLabel'
        ? `No recommendation, and no source's reading of one, has the position label "${value}" (in any case)`
        : `No ${noun} has the id "${value}"`;
    const goal = kind === 'theme' ? sdgGoalNamed(value) : undefined;
    if (goal !== undefined) return `${base}: SDGs are a vocabulary of their own, filtered with sdg=${goal} (see GET /v1/sdgs).`;
    const close = suggest ? this.suggest(kind, value) : [];
    if (close.length > 0) return `${base}; did you mean ${close.join(', ')}?`;
    if (kind !== 'positionLabel') return `${base}; see ${list}.`;
    // The labels are named beside the values suggested for, not repeated for each of up to 100 values.
    return suggest ? `${base}; ${this.labelsStored()}.` : `${base}.`;
  }

  /** The position labels stored, when they are few and short enough to name (sources print a handful: consider, Accepted…). */
  private labelsStored(): string {
    const labels = this.vocabularies.get('positionLabel')!.entries.map((entry) => entry.id);
    if (labels.length === 0) return 'no record has one';
    const named = labels.sort(compareText).join(', ');
    if (labels.length > MAX_LABELS_NAMED || named.length > MAX_LABEL_CHARACTERS_NAMED) return `${labels.length} are stored`;
    return `those stored are ${named}`;
  }
}

/**
 * Adds to every route whose query has id filters a hook that replaces each value by the id it names in any case
 * (so that "kgz-3" and "KGZ-3" share one cache entry and ETag), or answers 400 naming every unknown value.
 */
export function resolveIdFilters(app: FastifyInstance, source: FilterIdSource): FilterIdIndex {
  const index = new FilterIdIndex(source, ID_KINDS);
  const labels = new FilterIdIndex(source, LABEL_KINDS);
  const of = (kind: IdFilterKind) => (kind === 'positionLabel' ? labels : index);
  resolveFilters(app, {
    filtersOf: (shape) =>
      Object.entries(shape).flatMap(([key, schema]) => {
        const kind = idFilterKind(schema);
        return kind === undefined ? [] : [[key, kind] as [string, IdFilterKind]];
      }),
    knows: (kind, values) => of(kind).knows(kind, values),
    refresh: (kinds) => {
      const pending = [...new Set(kinds.map(of))].map((stale) => stale.refresh()).filter((p) => p !== undefined);
      if (pending.length > 0) return Promise.all(pending).then(() => undefined);
    },
    resolve: (kind, values) => of(kind).resolve(kind, values),
    explain: (kind, value, suggest) => of(kind).explain(kind, value, suggest),
  });
  return index;
}
