import type Database from 'better-sqlite3';
import type { ChangeReason } from '../changes/schemas.js';
import type { LabelSource, Position } from '../db/schema.js';
import { fittingPairs } from './match-candidates.js';
import { fittingScore, type Key, keyOf, keysOf, scoreOf, textsOf } from './match-score.js';
import { rankOf, type Side, siblingPairs } from './state-ranks.js';
import { type ResolveName, trailingGroups, withoutStrayParenthesis } from '../states/names-in-text.js';
import { fewerTreaties, framingOnly, stateNames } from './part-framing.js';
import { TERMAN_SOURCE } from './terman-csv.js';
import type { ImportNote, ImportRecord } from './types.js';

// One record per real recommendation: a file's record that describes a recommendation another source
// already gave (the Terman corpus, UPR Info, an OHCHR matrix) is merged into that record instead of adding
// a second one. Matching stays within a review: first the same normalised text (paragraph numbers, the
// trailing "(State);" and punctuation left out), then containment or a high word overlap for small wording
// differences, a record whose recommending states meet the text's before one whose states are all others
// (src/import/state-ranks.ts); when several stored records fit equally, nothing is guessed: the record is kept
// apart and reported as ambiguous. Each source's own reading (paragraph, position, label) is kept in
// recommendation_sources; the merged record takes, field by field, what the best source says.

/** The text that identifies a recommendation across sources. */
export function matchKey(text: string): string {
  const body = trailingGroups(text.replace(/^\s*\d+(?:\.\d+)*\.?\s+/, '')).body;
  // (Plain ASCII, most texts, has no accent to take off.)
  // eslint-disable-next-line no-control-regex
  return (/^[\x00-\x7f]*$/.test(body) ? body : body.normalize('NFKD').replace(/\p{M}/gu, ''))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** A text's ASCII characters alone, spaces collapsed: what a repair of mis-decoded characters leaves as it was. */
export function asciiSkeleton(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x00-\x7f]+/g, '').replace(/\s+/g, ' ').trim();
}

/**
 * How alike two keys are: the Dice coefficient of their words (0–1), plus 1 when one contains the other
 * (at least 4 words): a text that adds or drops a clause still fits, the closest one best.
 */
export function similarity(a: string, b: string): number {
  return scoreOf(keyOf(a), keyOf(b));
}

/** What one source says about a recommendation (a row of recommendation_sources). */
export interface SourceReading {
  sourceId: string;
  paragraph: string | null;
  position: Position | null;
  positionLabel: string | null;
  positionSource: string | null;
  matchKey: string;
}

/** A final response (UPR Info, an OHCHR matrix, …) outranks the Working Group stage the corpus codes; pending is last. */
function positionRank(reading: Pick<SourceReading, 'position' | 'sourceId'>): number {
  if (reading.position === null) return -1;
  if (reading.position === 'pending') return 0;
  return reading.sourceId === TERMAN_SOURCE.id ? 1 : 2;
}

interface Stored {
  id: string;
  reviewId: string;
  paragraph: string | null;
  text: string;
  actionCategory: number | null;
  verbatim: boolean;
  sourceId: string | null;
  readings: SourceReading[];
  keys: Map<string, Key>;
  /** Its recommending states, read when a tie needs them. */
  states?: Set<string>;
  /** What its states say of a pair (src/import/state-ranks.ts), when a pair needs it. */
  side?: Side;
}

/** What a file's record itself says, before any merge. */
export function readingOf(record: ImportRecord): SourceReading {
  return {
    sourceId: record.sourceId ?? '',
    paragraph: record.paragraph,
    position: record.position ?? null,
    positionLabel: record.positionLabel ?? null,
    positionSource: record.positionSource ?? null,
    matchKey: matchKey(record.text),
  };
}

export interface Reconciliation {
  matched: number;
  ambiguous: ImportNote[];
  /** Records of the file split across several stored ones by their recommending states (the parts are appended to the records). */
  splits: ImportNote[];
  /**
   * The records merged with a stored record another source gave: each of their lists (recommending states,
   * themes, SDGs, affected persons) is to be the union of theirs and the stored record's, machine labels
   * left out: tagging redoes them (applyImport loads those lists once for every record of the file).
   */
  unions: Set<ImportRecord & { id: string }>;
  /** What each source said of the stored records of the file's reviews, as stored before this import. */
  readings: Map<string, SourceReading[]>;
  /** New records that are a part of a stored record split by this file: they cite what its other sources said. */
  copies: Map<ImportRecord & { id: string }, SourceReading[]>;
}

type Identified = ImportRecord & { id: string };
type Pair = { record: Identified; target: Stored; score: number; rank: number };
type Split = ChangeReason['split'];

/** The parts of a split as the import's warning names them: each record with its states. */
const partsNamed = (split: Split) => split.parts.map((p) => `${p.id} (${p.recommendingStateIds.join(', ')})`).join(', ');

/** The split record's states that no part has, as its warning ends. */
function leftOut(states: ReadonlySet<string>, parts: ReadonlySet<string>): string {
  const left = [...states].filter((code) => !parts.has(code)).sort();
  return left.length === 0 ? '' : `; ${left.join(', ')} left out (no paragraph of this text is theirs)`;
}

/** Why each record of a split changes or is created, for its audit entry: the same split, in words and by ids. */
function splitReason(split: Split): ChangeReason {
  const parts = split.parts.map((p) => `${p.id} (${p.paragraph ?? 'no paragraph'}: ${p.recommendingStateIds.join(', ')})`).join(', ');
  const text = `one text for ${split.parts.length} recommendations of the report (one paragraph per recommending state)`;
  const detail =
    split.from === null
      ? `${split.sourceId} gives ${text}: split by recommending state as it was imported, never stored whole; ` +
        `each part's reading went to its paragraph's record: ${parts}.`
      : `${split.from}, a record ${split.sourceId === null ? 'of no source' : `of ${split.sourceId}`}, was ${text}: split by ` +
        `recommending state when ${split.importSourceId} was imported, into ${parts}. The first part keeps the record's id; ` +
        'each other part is a new record with its reading.';
  return { kind: 'split', detail, split };
}

/** A stored record's key and its variants (textsOf) among its keys; a key over a variant of the same text. */
function addTexts(keys: Map<string, Key>, key: string): void {
  for (const text of keysOf(key)) if (keys.get(text.text)?.variant ?? true) keys.set(text.text, text);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function reconcile(sql: Database.Database, records: Identified[]): Reconciliation {
  const result: Reconciliation = { matched: 0, ambiguous: [], splits: [], unions: new Set(), readings: new Map(), copies: new Map() };
  for (const record of records) record.reading = readingOf(record);
  const reviewIds = [...new Set(records.map((r) => r.reviewId))];
  const storedRows = sql
    .prepare(`select id, review_id as reviewId, paragraph, text, verbatim, source_id as sourceId,
      action_category as actionCategory from recommendations where review_id in (select value from json_each(?))`)
    .all(JSON.stringify(reviewIds)) as (Omit<Stored, 'verbatim' | 'readings' | 'keys'> & { verbatim: number })[];
  if (storedRows.length === 0) return result;
  const stored = new Map<string, Stored>(
    storedRows.map((r) => {
      const keys = new Map<string, Key>();
      addTexts(keys, matchKey(r.text));
      return [r.id, { ...r, verbatim: r.verbatim === 1, readings: [], keys }];
    }),
  );
  for (const reading of sql
    .prepare(`select recommendation_id, source_id, paragraph, position, position_label, position_source, match_key from recommendation_sources
      where recommendation_id in (select id from recommendations where review_id in (select value from json_each(?)))`)
    .raw()
    .iterate(JSON.stringify(reviewIds)) as Iterable<[string, string, string | null, Position | null, string | null, string | null, string]>) {
    const [id, sourceId, paragraph, position, positionLabel, positionSource, key] = reading;
    const target = stored.get(id)!;
    target.readings.push({ sourceId, paragraph, position, positionLabel, positionSource, matchKey: key });
    addTexts(target.keys, key);
  }
  const byReview = new Map<string, Stored[]>();
  for (const s of stored.values()) {
    push(byReview, s.reviewId, s);
    result.readings.set(s.id, [...s.readings]);
  }
  const resolve = stateNames(sql);
  const statesQuery = sql.prepare('select state_code from recommendation_states where recommendation_id = ?').pluck();
  const statesOfStored = (s: Stored) => (s.states ??= new Set(statesQuery.all(s.id) as string[]));
  const unresolvedQuery = sql.prepare('select 1 from recommendation_unresolved_states where recommendation_id = ? limit 1').pluck();
  const unresolvedOfStored = (s: Stored) => unresolvedQuery.get(s.id) !== undefined;
  // Each side of a pair as src/import/state-ranks.ts weighs it, made when a pair is not the same text.
  const recordSides = new Map<Identified, Side>();
  const sideOfRecord = (r: Identified): Side => {
    let side = recordSides.get(r);
    if (side === undefined) {
      const unresolved = (r.unresolvedRecommenders?.length ?? 0) > 0;
      side = { states: new Set(r.recommendingStates), unresolved, keys: keysOf(r.reading!.matchKey) };
      recordSides.set(r, side);
    }
    return side;
  };
  const sideOfStored = (s: Stored): Side =>
    (s.side ??= {
      states: statesOfStored(s),
      unresolved: unresolvedOfStored(s),
      keys: [...s.keys.values()],
    });

  // Records of ids already stored are that record; the others are matched per review, the best-fitting pairs
  // first (so that the result does not depend on the order of the rows), a tie being ambiguous.
  const taken = new Set(records.map((r) => r.id).filter((id) => stored.has(id)));
  const pending = new Map<string, Identified[]>();
  for (const record of records) {
    const target = stored.get(record.id);
    if (target !== undefined) merge(result, record, target, resolve);
    else if (record.sourceId) push(pending, record.reviewId, record);
  }
  const assign = (record: Identified, target: Stored) => {
    taken.add(target.id);
    record.id = target.id;
    result.matched++;
    merge(result, record, target, resolve);
  };
  // A tie that the recommending states settle: of the stored records a record fits equally, the one whose states
  // are among the record's; or, when several stored records' states are among the record's and disjoint, all
  // of them: the report printed the same text in several paragraphs, one per recommender (Kyrgyzstan 2010,
  // 77.17 Malaysia and 77.19 Egypt), and a file without paragraphs (UPR Info) gave it once, with both states.
  // The record is then split, each part with its stored record's states. A state of the record that none of
  // them has is left out, as when one stored record takes it (UPR Info adds no recommending state): Tanzania
  // 2011's "Ratify the Convention against Torture" for Benin, the Democratic Republic of the Congo and Denmark
  // is 86.4 Denmark's and 86.5 the Congo's, Benin's request being 86.6 (the Convention and its Optional
  // Protocol). Never when a recommender is unresolved.
  const split: Identified[] = [];
  const splitByStates = (record: Identified, candidates: Stored[]): boolean => {
    const mine = new Set(record.recommendingStates ?? []);
    if (mine.size === 0 || (record.unresolvedRecommenders?.length ?? 0) > 0) return false;
    const fitting = candidates.filter((c) => {
      const theirs = statesOfStored(c);
      return theirs.size > 0 && [...theirs].every((code) => mine.has(code));
    });
    if (fitting.length === 0) return false;
    const covered = fitting.reduce((n, c) => n + statesOfStored(c).size, 0);
    const together = new Set(fitting.flatMap((c) => [...statesOfStored(c)]));
    // Only a record without a paragraph is split (a file with paragraphs, the corpus, knows what one recommendation
    // is); and only when the stored records' states are disjoint, none of them with an unresolved recommender (as
    // splitStored, the other order, asks of the file's records).
    if (fitting.length > 1 && (record.paragraph !== null || together.size !== covered || fitting.some(unresolvedOfStored))) return false;
    fitting.sort((a, b) => (a.id < b.id ? -1 : 1));
    // (Every part copied before any is merged: a merge rewrites its record's text.)
    const parts = fitting.map((target, i) => {
      const part: Identified = i === 0 ? record : { ...record, rows: [...record.rows] };
      if (fitting.length > 1) {
        part.recommendingStates = (record.recommendingStates ?? []).filter((code) => statesOfStored(target).has(code));
        for (const field of ['themes', 'sdgs', 'affectedPersons'] as const) {
          if (part[field] !== undefined) (part[field] as unknown) = [...part[field]!];
        }
      }
      if (i > 0) split.push(part);
      return part;
    });
    for (const [i, target] of fitting.entries()) assign(parts[i]!, target);
    if (fitting.length > 1) {
      const sourceId = record.reading!.sourceId;
      const split: Split = {
        sourceId,
        from: null, // never stored whole
        importSourceId: sourceId,
        parts: fitting.map((f) => ({ id: f.id, paragraph: f.paragraph, recommendingStateIds: [...statesOfStored(f)].sort() })),
      };
      // A stored record that has this source's reading was given it when an earlier import split the record: any
      // change now is the file's correction, not the split.
      const reason = splitReason(split);
      for (const [i, target] of fitting.entries()) if (!target.readings.some((r) => r.sourceId === sourceId)) parts[i]!.reason = reason;
      result.splits.push({
        row: record.rows[0],
        paragraph: record.paragraph,
        message: `one text for ${fitting.length} recommendations of the report: split by recommending state into ${partsNamed(split)}${leftOut(mine, together)}`,
      });
    }
    return true;
  };
  // The same tie the other way round: several records of a file with paragraphs fit equally one stored record
  // without (UPR Info's, given first), their states disjoint and among its own: the stored record is split (its
  // states that none of them has are left out, as in splitByStates).
  // The first part (by id) is merged into it and keeps only its own states; the others are new records that
  // cite what the stored record's sources said, with its final position, action category and labels.
  const linkQuery = (table: string, column: string) =>
    sql.prepare(`select ${column}, label_source from ${table} where recommendation_id = ? and label_source is not 'machine'`).raw();
  const themesQuery = linkQuery('recommendation_themes', 'theme_id');
  // (Nor a record with fields a curator wrote: which part would keep them is a guess.)
  const otherLinks = ['recommendation_unresolved_states', 'recommendation_sdgs', 'recommendation_affected_persons', 'recommendation_curated_fields'].map((table) =>
    sql.prepare(`select 1 from ${table} where recommendation_id = ? limit 1`).pluck(),
  );
  const splitStored = (target: Stored, contenders: Identified[]): boolean => {
    const theirs = statesOfStored(target);
    if (target.paragraph !== null || theirs.size === 0 || otherLinks.some((q) => q.get(target.id) !== undefined)) return false;
    if (contenders.some((c) => c.paragraph === null)) return false;
    let covered = 0;
    for (const c of contenders) {
      const mine = c.recommendingStates ?? [];
      if (mine.length === 0 || (c.unresolvedRecommenders?.length ?? 0) > 0 || !mine.every((code) => theirs.has(code))) return false;
      covered += mine.length;
    }
    const together = new Set(contenders.flatMap((c) => c.recommendingStates!));
    if (together.size !== covered) return false;
    const parts = [...contenders].sort((a, b) => (a.id < b.id ? -1 : 1));
    const [lead, ...others] = parts as [Identified, ...Identified[]];
    const split: Split = {
      sourceId: target.sourceId,
      from: target.id,
      importSourceId: lead.reading!.sourceId,
      // (The first part is the stored record: merged into it, it keeps its id.)
      parts: parts.map((p, i) => ({ id: i === 0 ? target.id : p.id, paragraph: p.paragraph, recommendingStateIds: [...p.recommendingStates!].sort() })),
    };
    const reason = splitReason(split);
    for (const part of parts) part.reason = reason;
    const themes = themesQuery.all(target.id) as [string, LabelSource][];
    for (const part of others) {
      const own = part.reading!;
      const said = target.readings.filter((r) => r.sourceId !== own.sourceId);
      const best = [own, ...said].reduce((a, b) => (positionRank(b) > positionRank(a) ? b : a));
      part.position = best.position;
      part.positionLabel = best.positionLabel;
      part.positionSource = best.positionSource;
      if (part.actionCategory === undefined) part.actionCategory = target.actionCategory;
      const ownThemes = part.themes ?? [];
      const themeSources: Record<string, LabelSource> = Object.assign(Object.create(null), part.themeSources);
      for (const [id, labelSource] of themes) if (!ownThemes.includes(id)) themeSources[id] ??= labelSource;
      part.themes = [...new Set([...ownThemes, ...themes.map(([id]) => id)])];
      part.themeSources = themeSources;
      result.copies.set(part, said);
      result.matched++;
    }
    lead.statesReplaceStored = true;
    assign(lead, target);
    result.splits.push({
      row: lead.rows[0],
      paragraph: lead.paragraph,
      message: `${target.id} is one text for ${parts.length} recommendations of this file: split by recommending state into ${partsNamed(split)}${leftOut(theirs, together)}`,
    });
    return true;
  };
  // A text its source corrected (a word changed), from a source without paragraphs (UPR Info, whose ids are of
  // their text): the record this source's reading without a paragraph was, that the file gives no more, with the
  // same recommending states (none unresolved) and the closest wording (the threshold at least). Its id is kept,
  // its text updated (the closest-wording match below never pairs a record with one its own source gave: without
  // this, a second record). Only when each is the other's one best fit; a tie is reported, nothing guessed.
  // Likewise the parts of an earlier split (the reading given to several stored records, one per recommending
  // state, whose states are disjoint and among the record's, a state with no part left out): split again along them
  // (splitByStates). A stored record that two such fits would take is given to neither.
  const rewordedOf = (open: Stored[]) => (records: Identified[]): Identified[] => {
    type Fit = { targets: Stored[]; score: number };
    const fits = new Map<Identified, Fit[]>();
    const byTargets = new Map<Stored[], { record: Identified; score: number }[]>();
    const single = new Map<Stored, Stored[]>(); // (one list per stored record, so that its fits are counted together)
    const splitParts = new Map<string, Stored[]>();
    for (const s of open) for (const r of s.readings) if (r.paragraph === null) push(splitParts, `${r.sourceId}\u0000${r.matchKey}`, s);
    const fit = (record: Identified, targets: Stored[], oldKey: string) => {
      const score = fittingScore(keyOf(record.reading!.matchKey), keyOf(oldKey));
      if (score < 0) return;
      push(fits, record, { targets, score });
      push(byTargets, targets, { record, score });
    };
    for (const record of records) {
      const { sourceId, paragraph, matchKey: key } = record.reading!;
      if (paragraph !== null || record.paragraph !== null || (record.unresolvedRecommenders?.length ?? 0) > 0) continue;
      const mine = new Set(record.recommendingStates ?? []);
      const sameStates = (states: Set<string>) => states.size === mine.size && [...mine].every((code) => states.has(code));
      for (const target of open) {
        if (taken.has(target.id)) continue;
        const theirs = target.readings.find((r) => r.sourceId === sourceId && r.paragraph === null);
        if (theirs === undefined || theirs.matchKey === key) continue;
        if (!sameStates(statesOfStored(target)) || unresolvedOfStored(target)) continue;
        if (!single.has(target)) single.set(target, [target]);
        fit(record, single.get(target)!, theirs.matchKey);
      }
      for (const [readAs, parts] of splitParts) {
        const oldKey = readAs.slice(sourceId.length + 1);
        if (parts.length < 2 || !readAs.startsWith(`${sourceId}\u0000`) || oldKey === key) continue;
        if (parts.some((part) => taken.has(part.id) || unresolvedOfStored(part))) continue;
        const covered = parts.reduce((n, part) => n + statesOfStored(part).size, 0);
        const together = new Set(parts.flatMap((part) => [...statesOfStored(part)]));
        if (covered === together.size && [...together].every((code) => mine.has(code))) fit(record, parts, oldKey);
      }
    }
    const best = <T extends { score: number }>(list: T[]) => {
      const top = Math.max(...list.map((x) => x.score));
      const at = list.filter((x) => x.score === top);
      return at.length === 1 ? at[0] : undefined;
    };
    const notPaired = (record: Identified, list: Fit[]) => {
      const named = list.map((x) => x.targets.map((s) => s.id).sort().join(' + ')).sort().join(', ');
      result.ambiguous.push({
        row: record.rows[0],
        paragraph: record.paragraph,
        message: `text as close to ${named}, which this source gave and the file no longer gives, as another: not paired (a record of its own)`,
      });
    };
    const chosen = new Map<Identified, Fit>();
    const claims = new Map<Stored, number>();
    for (const [record, list] of fits) {
      const choice = best(list);
      if (choice === undefined || best(byTargets.get(choice.targets)!)?.record !== record) {
        notPaired(record, list);
        continue;
      }
      chosen.set(record, choice);
      for (const target of choice.targets) claims.set(target, (claims.get(target) ?? 0) + 1);
    }
    return records.filter((record) => {
      const choice = chosen.get(record);
      if (choice === undefined) return true;
      if (choice.targets.some((target) => claims.get(target)! > 1)) {
        notPaired(record, fits.get(record)!);
        return true;
      }
      if (choice.targets.length > 1) return !splitByStates(record, choice.targets);
      const [target] = choice.targets as [Stored];
      taken.add(target.id);
      record.id = target.id;
      merge(result, record, target, resolve);
      return false;
    });
  };
  for (const [reviewId, incoming] of pending) {
    const open = (byReview.get(reviewId) ?? []).filter((s) => !taken.has(s.id));
    const reworded = rewordedOf(open);
    // A re-import: the record this source's same reading was merged into.
    const readAs = (sourceId: string, key: string, paragraph: string | null) => `${sourceId}\u0000${key}\u0000${paragraph}`;
    const byReading = new Map<string, Stored[]>();
    for (const s of open) for (const r of s.readings) push(byReading, readAs(r.sourceId, r.matchKey, r.paragraph), s);
    const unread = incoming.filter((record) => {
      const { sourceId, matchKey: key, paragraph } = record.reading!;
      const again = byReading.get(readAs(sourceId, key, paragraph))?.filter((s) => !taken.has(s.id)) ?? [];
      if (again.length > 1 && splitByStates(record, again)) return false; // read again as it was split
      if (again.length > 0) assign(record, again[0]!);
      return again.length === 0;
    });
    // The same file read with a repair its earlier import lacked: the record this source's reading of the same
    // paragraph was, whose text differs from the file's in non-ASCII characters only (the repair of
    // src/import/encoding.ts changes no other). Its id, made from the old text, is kept; the text is updated.
    // Only when one record of the file and one stored record fit so.
    const rereadAs = (sourceId: string, paragraph: string | null, text: string) =>
      `${sourceId}\u0000${paragraph}\u0000${asciiSkeleton(text)}`;
    const keys = new Map(unread.map((r) => [r, rereadAs(r.reading!.sourceId, r.reading!.paragraph, r.text)]));
    const fileCount = new Map<string, number>();
    for (const key of keys.values()) fileCount.set(key, (fileCount.get(key) ?? 0) + 1);
    const storedAs = new Map<string, Stored[]>();
    if (unread.length > 0) {
      for (const s of open) {
        if (taken.has(s.id)) continue;
        const read = new Set(s.readings.map((r) => rereadAs(r.sourceId, r.paragraph, s.text)));
        for (const key of read) push(storedAs, key, s);
      }
    }
    const repaired = unread.filter((record) => {
      const key = keys.get(record)!;
      const earlier = storedAs.get(key)?.filter((s) => !taken.has(s.id));
      if (fileCount.get(key) !== 1 || earlier?.length !== 1) return true;
      taken.add(earlier[0]!.id);
      record.id = earlier[0]!.id;
      merge(result, record, earlier[0]!, resolve);
      return false;
    });
    // A corrected file that numbers a paragraph anew (or at last: a row of the corpus without one): the record
    // this source's reading of the same text was, under another paragraph, that the file gives no more. Its id
    // is kept, its paragraph updated (the closest-wording match below never pairs a record with one its own
    // source gave: without this, a second record). Only when one record of the file and one stored record fit so.
    const renumberedAs = (sourceId: string, key: string) => `${sourceId}\u0000${key}`;
    const renumbered = new Map<string, Stored[]>();
    if (repaired.length > 0) {
      for (const s of open) {
        if (taken.has(s.id)) continue;
        for (const key of new Set(s.readings.map((r) => renumberedAs(r.sourceId, r.matchKey)))) push(renumbered, key, s);
      }
    }
    const textKeys = new Map(repaired.map((r) => [r, renumberedAs(r.reading!.sourceId, r.reading!.matchKey)]));
    const inFile = new Map<string, number>();
    for (const key of textKeys.values()) inFile.set(key, (inFile.get(key) ?? 0) + 1);
    const rest0 = repaired.filter((record) => {
      const key = textKeys.get(record)!;
      const earlier = renumbered.get(key)?.filter((s) => !taken.has(s.id));
      if (inFile.get(key) !== 1 || earlier?.length !== 1) return true;
      taken.add(earlier[0]!.id);
      record.id = earlier[0]!.id;
      merge(result, record, earlier[0]!, resolve);
      return false;
    });
    const rest = reworded(rest0);
    const targets = open.filter((s) => !taken.has(s.id));
    const excludes = (record: Identified, target: Stored) => target.readings.some((r) => r.sourceId === record.reading!.sourceId);
    // Each of a record's texts (src/import/match-score.ts, textsOf) is a probe; a pair's score is the best of its probes'.
    const probed = rest.flatMap((record, i) => textsOf(record.reading!.matchKey).map((text, n) => ({ record, text, i, variant: n > 0 })));
    const scores = new Map<Identified, Map<Stored, number>>();
    for (const { record, target, score } of fittingPairs(
      probed.map(({ record, text, i, variant }) => {
        const { sourceId } = record.reading!;
        return { text, record: i, variant, excludes: (t: number) => targets[t]!.readings.some((r) => r.sourceId === sourceId) };
      }),
      targets.map((s) => [...s.keys.values()]),
      { leaveOutSettled: true }, // (pairs this loop would skip: their stored record is taken first)
    )) {
      const of = scores.get(probed[record]!.record) ?? new Map<Stored, number>();
      scores.set(probed[record]!.record, of);
      of.set(targets[target]!, Math.max(score, of.get(targets[target]!) ?? -1));
    }
    const pairs: Pair[] = [...scores].flatMap(([record, of]) =>
      [...of].map(([target, score]) => ({
        record,
        target,
        score,
        rank: score === 3 ? 2 : rankOf(sideOfRecord(record), sideOfStored(target)),
      })),
    );
    pairs.push(
      ...siblingPairs(pairs, rest, targets, {
        record: sideOfRecord,
        target: sideOfStored,
        paragraphOfRecord: (r) => r.paragraph,
        paragraphOfTarget: (s) => s.paragraph,
        excludes,
      }),
    );
    // The same texts first, then the pairs whose recommending states do not rule them out, each best first
    // (src/import/state-ranks.ts).
    pairs.sort((a, b) => b.rank - a.rank || b.score - a.score);
    // Each pair's rivals are pairs of the same rank and score that share its record or its target.
    const byRecord = new Map<Identified, Pair[]>();
    const byTarget = new Map<Stored, Pair[]>();
    for (const pair of pairs) {
      push(byRecord, pair.record, pair);
      push(byTarget, pair.target, pair);
    }
    const settled = new Set<Identified>();
    const contested = new Set<Stored>(); // fitted equally by several records of the file: given to none
    for (const pair of pairs) {
      if (settled.has(pair.record) || taken.has(pair.target.id) || contested.has(pair.target)) continue;
      const rival = (p: Pair) => p !== pair && p.score === pair.score && p.rank === pair.rank;
      const sameRecord = byRecord.get(pair.record)!.filter((p) => rival(p) && !taken.has(p.target.id));
      const sameTarget = byTarget.get(pair.target)!.filter((p) => rival(p) && !settled.has(p.record));
      settled.add(pair.record);
      if (sameRecord.length + sameTarget.length === 0) {
        assign(pair.record, pair.target);
        continue;
      }
      if (sameTarget.length === 0 && splitByStates(pair.record, [pair.target, ...sameRecord.map((p) => p.target)])) continue;
      if (sameRecord.length === 0) {
        // Several records of the file fit this one equally: the one whose states are among its own takes it, and
        // the others stay free for the records they fit next.
        const theirs = statesOfStored(pair.target);
        const fitting = [pair, ...sameTarget].filter(({ record }) => {
          const mine = record.recommendingStates ?? [];
          return mine.length > 0 && mine.every((code) => theirs.has(code));
        });
        if (fitting.length === 1) {
          if (fitting[0] !== pair) settled.delete(pair.record);
          settled.add(fitting[0]!.record);
          assign(fitting[0]!.record, pair.target);
          continue;
        }
        if (splitStored(pair.target, [pair, ...sameTarget].map((p) => p.record))) {
          for (const p of sameTarget) settled.add(p.record);
          continue;
        }
      }
      // A tie: this record fits several stored ones equally, or several records of the file fit this one.
      const contenders = [pair, ...sameTarget];
      if (contenders.length > 1) contested.add(pair.target);
      const candidates = [pair.target, ...sameRecord.map((p) => p.target)];
      for (const { record } of contenders) {
        settled.add(record);
        result.ambiguous.push({
          row: record.rows[0],
          paragraph: record.paragraph,
          message:
            (contenders.length > 1
              ? `fits ${pair.target.id} as well as ${contenders.length - 1} other record(s) of this file do`
              : `fits ${candidates.map((c) => c.id).sort().join(', ')} equally`) + ': kept as a record of its own, not merged',
        });
      }
    }
  }
  records.push(...split);
  return result;
}

/** A reading whose text has fewer than this share of the official wording's words answers a part of it. */
export const PART_SHARE = 0.75;

/**
 * The readings that answer the whole recommendation: all but those whose text is a part of the official
 * wording (fewer than PART_SHARE of its words; matched by containment). UPR Info splits a compound paragraph
 * into texts it codes one by one: Kyrgyzstan 2010's 77.11, "Ratify the Rome Statute …, as well as the
 * International Convention … from Enforced Disappearance (Uruguay)", is "Ratify the Rome Statute …", noted, and
 * "Ratify the International Convention … Disappearance", accepted. The first merges with the paragraph; its
 * "noted" is no answer to the paragraph, whose record keeps what the whole-text sources say (the corpus:
 * consider). The part's answer stays in its reading. (When every reading is a part, all count.) A shorter text
 * is the whole request when the wording adds nothing but framing (src/import/part-framing.ts: "Recommended to
 * South Africa to ratify the ICESCR" is "Ratify the ICESCR"). A text with most of the words is a part too when it
 * names some of the wording's treaties and not all (part-framing.ts, fewerTreaties): Tanzania 2011's 86.6, "Ratify
 * the Convention against Torture … and its Optional Protocol", is UPR Info's "Ratify the Optional Protocol of the
 * Convention against Torture …", noted.
 */
function wholeReadings(readings: SourceReading[], official: string, resolve: ResolveName): SourceReading[] {
  // (Words as printed, repeats too; the states after the corpus's stray ")" left out: "… (Algeria, Bolivia). );".)
  const key = matchKey(withoutStrayParenthesis(official));
  const words = keyOf(key).parts;
  const whole = readings.filter(
    (r) => (keyOf(r.matchKey).parts >= PART_SHARE * words && !fewerTreaties(key, r.matchKey)) || framingOnly(official, r.matchKey, resolve),
  );
  return whole.length > 0 ? whole : readings;
}

/** The record as the union of what its sources say, each field from the source that knows it best. */
function merge(result: Reconciliation, record: Identified, target: Stored, resolve: ResolveName): void {
  const own = record.reading!;
  const others = target.readings.filter((r) => r.sourceId !== own.sourceId);
  if (others.length === 0) return; // a record only this source gave: the file says what it is
  record.paragraph = own.paragraph ?? others.find((r) => r.paragraph !== null)?.paragraph ?? null;
  // A source's answer to a part of the official wording is not the answer to the whole (see wholeReadings).
  const official = record.verbatim ? record.text : target.text;
  const best = wholeReadings([own, ...others], official, resolve).reduce((a, b) => (positionRank(b) > positionRank(a) ? b : a));
  record.position = best.position;
  record.positionLabel = best.positionLabel;
  record.positionSource = best.positionSource;
  // Who made a recommendation is what its official wording's file says (the corpus's one row per state the
  // text names, an OHCHR matrix's parentheses). A source without that wording (UPR Info) adds no recommending
  // state to it: its rows of one text may come from other paragraphs or be matched to a sibling of the
  // same paragraph (Tonga 2013: "Ratify CEDAW" by Australia, accepted, and by Maldives and Slovenia, noted,
  // would make Australia a co-author of "ratify CEDAW (Italy, Maldives, Slovenia)"). In the other order the
  // official wording's states replace the ones stored from UPR Info.
  if (!record.verbatim && target.verbatim) {
    record.recommendingStates = [];
    record.unresolvedRecommenders = [];
  } else if (record.verbatim && !target.verbatim) {
    record.statesReplaceStored = true;
  }
  if (!record.verbatim && target.verbatim) {
    record.text = target.text; // the official wording, as another source printed it
    record.verbatim = true;
    record.sourceId = target.sourceId;
  }
  result.unions.add(record);
}
