import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { random } from '../src/common/random.js';
import { type Key, keyOf as newKey, scoreOf, SIMILARITY_THRESHOLD, textsOf } from '../src/import/match-score.js';
import { TERMAN_SOURCE } from '../src/import/terman-csv.js';
import { UPR_INFO_SOURCE } from '../src/import/upr-info.js';

// An audit of the reconciliation (session 42): does a record that cites both the Terman corpus and UPR Info hold
// one recommendation, and is a UPR Info record left on its own really none of the corpus's? Drawn, seeded, from
// a database holding the whole record (the corpus's 7 files, then UPR Info's 4), each judged by reading both
// texts (bench/data/reconcile-audit.json). How a pair matched is not stored: it is recomputed from the two
// readings' match keys (src/import/reconcile.ts, match-score.ts).
//   npm run -s bench:reconcile-audit -- sample <db>    the sample as JSON lines, to judge
//   npm run -s bench:reconcile-audit -- score <db>     the judged records in <db>: precision of merges per stratum
//                                                      (and weighted by the strata's sizes), the missed merges,
//                                                      the positions the part rule's treaties moved (judged)
//   npm run -s bench:reconcile-audit -- kinds <db> [n] every stratum's size and the suspect classes counted,
//                                                      n examples of each

const PER_STRATUM = 32;

export const textHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

// (Keys split once: a review's records are compared with each other.)
const keys = new Map<string, Key>();
const keyOf = (text: string): Key => {
  let key = keys.get(text);
  if (key === undefined) keys.set(text, (key = newKey(text)));
  return key;
};
const SEED = 42;

/** How a merged record's UPR Info reading met its corpus reading. */
export const MERGE_STRATA = ['same text', 'containment', 'dice 0.85–0.9', 'dice 0.9–0.95', 'dice ≥ 0.95', 'states', 'split'] as const;
/** The UPR Info records created in reviews with corpus records: by how close their nearest corpus record is. */
export const CREATED_STRATA = ['created, ambiguous', 'created, a corpus record fits', 'created, nearest below the threshold'] as const;
type Stratum = (typeof MERGE_STRATA)[number] | (typeof CREATED_STRATA)[number];

interface Reading {
  id: string;
  reviewId: string;
  text: string;
  paragraph: string | null;
  position: string | null;
  corpusKey: string | null;
  uprKey: string | null;
  states: string;
}

const READINGS = `select r.id, r.review_id as reviewId, r.text, r.paragraph, r.position,
    (select match_key from recommendation_sources s where s.recommendation_id = r.id and s.source_id = '${TERMAN_SOURCE.id}') as corpusKey,
    (select match_key from recommendation_sources s where s.recommendation_id = r.id and s.source_id = '${UPR_INFO_SOURCE.id}') as uprKey,
    coalesce((select group_concat(state_code, ' ') from (select state_code from recommendation_states s where s.recommendation_id = r.id order by 1)), '') as states
  from recommendations r order by r.review_id, r.id`;

interface Drawn {
  stratum: Stratum;
  id: string;
  reviewId: string;
  score: number;
  /** Merged: the record (corpus wording); created: the UPR Info record. */
  text: string;
  states: string;
  uprKey: string;
  /** Created: the nearest corpus record of the review. */
  nearestId?: string;
  nearestText?: string;
  nearestStates?: string;
  nearestUprKey?: string | null;
}

/** Two match keys' score as the reconciliation has it: 3 for the same key, else the best of their texts' (textsOf) pairs. */
const fit = (a: string, b: string) => (a === b ? 3 : Math.max(...textsOf(a).flatMap((x) => textsOf(b).map((y) => scoreOf(keyOf(x), keyOf(y))))));
const best = (a: string, keys: string[]) => Math.max(0, ...keys.map((b) => fit(a, b)));

/** Every merged and created UPR Info record of the database, in its stratum. */
function strata(path: string): Drawn[] {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare(READINGS).all() as Reading[];
  const byReview = new Map<string, Reading[]>();
  for (const r of rows) byReview.set(r.reviewId, [...(byReview.get(r.reviewId) ?? []), r]);
  const drawn: Drawn[] = [];
  for (const review of byReview.values()) {
    const corpus = review.filter((r) => r.corpusKey !== null);
    if (corpus.length === 0) continue;
    const uprCount = new Map<string, number>();
    for (const r of review) if (r.uprKey !== null) uprCount.set(r.uprKey, (uprCount.get(r.uprKey) ?? 0) + 1);
    const created = review.filter((r) => r.uprKey !== null && r.corpusKey === null);
    for (const r of review) {
      if (r.uprKey === null || r.corpusKey === null) continue;
      const score = fit(r.uprKey, r.corpusKey);
      const others = corpus.filter((c) => c !== r).map((c) => c.corpusKey!);
      let stratum: Stratum;
      if (uprCount.get(r.uprKey)! > 1) stratum = 'split';
      else if (score === 3) stratum = 'same text';
      // Another corpus record fits as well or better, or this one does not fit: the states chose.
      else if (score < SIMILARITY_THRESHOLD || best(r.uprKey, others) >= score) stratum = 'states';
      else if (score >= 1) stratum = 'containment';
      else stratum = score < 0.9 ? 'dice 0.85–0.9' : score < 0.95 ? 'dice 0.9–0.95' : 'dice ≥ 0.95';
      drawn.push({ stratum, id: r.id, reviewId: r.reviewId, score: Number(score.toFixed(4)), text: r.text, states: r.states, uprKey: r.uprKey });
    }
    for (const r of created) {
      const scored = corpus.map((c) => ({ c, score: fit(r.uprKey!, c.corpusKey!) }));
      const top = Math.max(...scored.map((s) => s.score));
      const at = scored.filter((s) => s.score === top).sort((a, b) => (a.c.id < b.c.id ? -1 : 1));
      const nearest = at[0]!.c;
      // Ambiguous: it fits several corpus records equally, or another UPR Info record of its own fits its one equally.
      const rival = created.some((o) => o !== r && fit(o.uprKey!, nearest.corpusKey!) === top);
      const stratum: Stratum =
        top < SIMILARITY_THRESHOLD ? 'created, nearest below the threshold' : at.length > 1 || rival ? 'created, ambiguous' : 'created, a corpus record fits';
      drawn.push({
        stratum,
        id: r.id,
        reviewId: r.reviewId,
        score: Number(top.toFixed(4)),
        text: r.text,
        states: r.states,
        uprKey: r.uprKey!,
        nearestId: nearest.id,
        nearestText: nearest.text,
        nearestStates: nearest.states,
        nearestUprKey: nearest.uprKey,
      });
    }
  }
  return drawn;
}

function shuffled<T>(list: T[], next: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

function sample(path: string): void {
  const all = strata(path);
  const next = random(SEED);
  for (const stratum of [...MERGE_STRATA, ...CREATED_STRATA]) {
    const list = all.filter((d) => d.stratum === stratum);
    process.stderr.write(`${stratum}: ${list.length}\n`);
    for (const d of shuffled(list, next).slice(0, PER_STRATUM)) process.stdout.write(`${JSON.stringify(d)}\n`);
  }
}

interface Judged {
  stratum: Stratum;
  id: string;
  textHash: string;
  uprKeyHash: string;
  nearestId?: string;
  /**
   * Merged: same / part (the UPR Info text is a part of the record's recommendation, or the record a part of the
   * text's) / different. Created: missed (the same recommendation as a corpus record with no UPR Info reading: it
   * should have merged) / part (a part of a compound paragraph whose other part took the record) / variant
   * (another state's wording of a joint paragraph whose record holds one UPR Info reading already) / separate
   * (no corpus record of it). A record holds one reading per source: part and variant cannot merge as it is.
   */
  verdict: 'same' | 'part' | 'different' | 'missed' | 'variant' | 'separate';
  reason: string;
  session: number;
}

/**
 * A record whose position the part rule's treaties (src/import/part-framing.ts, fewerTreaties) moved on the whole
 * record (session 42), as first written: right (UPR Info's text leaves treaties of the wording out, so its answer
 * is to a part) or wrong (the same list printed otherwise). `before` and `after` are the positions without and with
 * the rule; its word guard (a word of the reading's own) keeps the four wrong ones and one right one as before.
 */
interface Moved {
  stratum: typeof MOVED;
  id: string;
  textHash: string;
  uprKeyHash: string;
  before: string | null;
  after: string | null;
  verdict: 'right' | 'wrong';
  reason: string;
  session: number;
}
const MOVED = 'position moved, treaties';

/** The moved records judged, by verdict and by the position the database shows: the rule's (after) or not. */
function scoreMoved(db: Database.Database, moved: Moved[]): void {
  const byHash = new Map<string, string | null>();
  for (const r of db.prepare('select text, position from recommendations').all() as { text: string; position: string | null }[]) byHash.set(textHash(r.text), r.position);
  const tally = new Map<string, number>();
  for (const m of moved) {
    const position = byHash.get(m.textHash);
    const shows = position === undefined ? 'not in the database' : position === m.after ? 'moved' : position === m.before ? 'kept' : `shows ${position}`;
    tally.set(`${m.verdict}, ${shows}`, (tally.get(`${m.verdict}, ${shows}`) ?? 0) + 1);
  }
  const counts = [...tally].sort().map(([k, n]) => `${n} ${k}`).join('; ');
  console.log(`${MOVED}: ${moved.length} judged (${moved.filter((m) => m.verdict === 'right').length} right, ${moved.filter((m) => m.verdict === 'wrong').length} wrong): ${counts}`);
}

const ratio = (n: number, all: number) => (all === 0 ? '–' : (n / all).toFixed(3));

function score(path: string): void {
  const records = (JSON.parse(readFileSync(new URL('data/reconcile-audit.json', import.meta.url), 'utf8')) as { records: (Judged | Moved)[] }).records;
  const judged = records.filter((r): r is Judged => r.stratum !== MOVED);
  const all = strata(path);
  const now = new Map(all.map((d) => [`${d.id}\u0000${d.uprKey}`, d]));
  const sizes = new Map<string, number>();
  for (const d of all) sizes.set(d.stratum, (sizes.get(d.stratum) ?? 0) + 1);
  const db = new Database(path, { readonly: true });
  const text = db.prepare('select text from recommendations where id = ?').pluck();
  const tallies = new Map<string, Record<string, number>>();
  for (const j of judged) {
    const stored = text.get(j.id) as string | undefined;
    if (stored !== undefined && textHash(stored) !== j.textHash) throw new Error(`${j.id}: not the text judged`);
    // The same record with the same UPR Info reading, in the stratum it is in now (or gone: a created record merged
    // since, or a merge undone).
    const d = stored === undefined ? undefined : [...now.values()].find((x) => x.id === j.id && textHash(x.uprKey) === j.uprKeyHash);
    const stratum = d?.stratum ?? 'no longer so';
    const tally = tallies.get(stratum) ?? {};
    tally[j.verdict] = (tally[j.verdict] ?? 0) + 1;
    tallies.set(stratum, tally);
  }
  let weighted = 0;
  let weights = 0;
  let missed = 0;
  let created = 0;
  for (const stratum of [...MERGE_STRATA, ...CREATED_STRATA, 'no longer so']) {
    const t = tallies.get(stratum);
    const size = sizes.get(stratum) ?? 0;
    if (t === undefined) {
      if (size > 0) console.log(`${stratum}: ${size} in the database, none judged`);
      continue;
    }
    const n = Object.values(t).reduce((a, b) => a + b, 0);
    const verdicts = Object.entries(t).map(([v, c]) => `${c} ${v}`).join(', ');
    if ((MERGE_STRATA as readonly string[]).includes(stratum)) {
      const right = (t.same ?? 0) + (t.part ?? 0);
      weighted += (right / n) * size;
      weights += size;
      console.log(`${stratum}: ${size} in the database, ${n} judged (${verdicts}); precision ${ratio(right, n)}, the same recommendation ${ratio(t.same ?? 0, n)}`);
    } else if (stratum === 'no longer so') {
      console.log(`${stratum}: ${n} judged (${verdicts}) no longer merged or created as they were`);
    } else {
      const structural = (t.part ?? 0) + (t.variant ?? 0);
      console.log(`${stratum}: ${size} in the database, ${n} judged (${verdicts}); missed merges ${ratio(t.missed ?? 0, n)}, parts and variants a record cannot hold ${ratio(structural, n)}`);
      missed += ((t.missed ?? 0) / n) * size;
      created += size;
    }
  }
  console.log(`merges weighted by the strata's sizes: precision ${ratio(weighted, weights)} (${weights} merged records)`);
  console.log(`created UPR Info records in reviews with corpus records: ${created}, about ${Math.round(missed)} of them missed merges (${ratio(missed, created)})`);
  scoreMoved(db, records.filter((r): r is Moved => r.stratum === MOVED));
}

// Classes of suspect merges, by patterns written for this audit: the record's states none of UPR Info's (unknown
// here: UPR Info's states are not kept on a merged record), numbers that differ, a treaty or protocol named on one
// side only, a negation on one side only, a UPR Info text that is a small part of the wording.
function kindsOf(d: Drawn): string[] {
  if (!(MERGE_STRATA as readonly string[]).includes(d.stratum)) return [];
  const corpus = keyOf(d.text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim());
  const upr = keyOf(d.uprKey);
  const kinds: string[] = [];
  const numbers = (k: typeof corpus) => [...k.words].filter((w) => /^\d+$/.test(w) && !/^\d+$/.test(d.text.slice(0, 6)));
  const [a, b] = [new Set(numbers(corpus).filter((n) => !d.text.startsWith(n))), new Set(numbers(upr))];
  if ([...b].some((n) => !a.has(n))) kinds.push('a number UPR Info has that the wording lacks');
  const instruments = /\b(protocol|covenant|statute|cedaw|crc|crpd|iccpr|icescr|cat|icrmw|cerd|icerd|ilo|convention)\b/g;
  const named = (t: string) => new Set(t.match(instruments) ?? []);
  const [ca, cb] = [named(corpus.text), named(upr.text)];
  if ([...cb].some((w) => !ca.has(w))) kinds.push('an instrument UPR Info names that the wording does not');
  const negated = (t: string) => /\b(not|no|never|without|non)\b/.test(t);
  if (negated(upr.text) !== negated(corpus.text)) kinds.push('a negation on one side only');
  if (upr.parts < 0.5 * corpus.parts) kinds.push('UPR Info text under half the wording');
  return kinds;
}

function kinds(path: string, examples: number): void {
  const all = strata(path);
  const sizes = new Map<string, Drawn[]>();
  const found = new Map<string, Drawn[]>();
  for (const d of all) {
    sizes.set(d.stratum, [...(sizes.get(d.stratum) ?? []), d]);
    for (const kind of kindsOf(d)) found.set(kind, [...(found.get(kind) ?? []), d]);
  }
  for (const stratum of [...MERGE_STRATA, ...CREATED_STRATA]) console.log(`${stratum}: ${sizes.get(stratum)?.length ?? 0}`);
  for (const [kind, list] of [...found].sort()) {
    console.log(`${kind}: ${list.length}`);
    for (const d of list.slice(0, examples)) console.log(`    ${d.id} ${d.score} ${d.text.slice(0, 100)} <= ${d.uprKey.slice(0, 100)}`);
  }
}

const USAGE = 'Usage: npm run -s bench:reconcile-audit -- sample|score|kinds <database> [examples]';
const [mode, path, ...rest] = process.argv.slice(2);
if (mode === '--help' || mode === '-h') console.log(USAGE);
else if (mode === 'sample' && path !== undefined && rest.length === 0) sample(path);
else if (mode === 'score' && path !== undefined && rest.length === 0) score(path);
else if (mode === 'kinds' && path !== undefined && rest.length <= 1) kinds(path, Number(rest[0] ?? 0));
else {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
}
