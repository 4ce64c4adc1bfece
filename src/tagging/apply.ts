import type { Db } from '../db/open.js';
import { bumpRevision } from '../db/revision.js';
import { bulkInsert } from '../import/bulk-insert.js';
import { materializeStale } from '../recommendations/documents.js';
import { UPR_INFO_TO_UHRI } from './crosswalk.js';
import { UPR_INFO_THEMES } from './labels.js';
import type { MachineLabel, Tagger } from './model.js';

// Machine labels in the database. A recommendation with no label of the upr-info scheme from anyone else
// (UPR Info's coding, a curator) gets the tagger's labels; one with no such UHRI label gets the UHRI themes
// that the crosswalk derives from its upr-info labels (src/tagging/crosswalk.ts). Machine labels are rows
// of recommendation_themes with label_source 'machine' and their confidence; relabelling only ever
// inserts, updates or deletes those rows, never another source's.

interface Existing {
  themeId: string;
  scheme: string;
  source: string | null;
  confidence: number | null;
}

/** Creates the 54 themes of the upr-info scheme that the database lacks. */
export function ensureUprInfoThemes(db: Db): void {
  const insert = db.$client.prepare("insert or ignore into themes (id, label, uhri, scheme) values (?, ?, 0, 'upr-info')");
  for (const theme of UPR_INFO_THEMES) insert.run(theme.id, theme.label);
}

/**
 * The machine labels a recommendation should have, given its text, its labels from other sources and the
 * themes a curator removed from it (never given again, nor the UHRI themes derived from them).
 */
export function wantedLabels(
  tagger: Tagger,
  text: string,
  others: readonly Existing[],
  uhriIds: ReadonlyMap<string, string>,
  rejected: ReadonlySet<string> = new Set(),
): MachineLabel[] {
  const wanted: MachineLabel[] = [];
  const given = others.filter((o) => o.scheme === 'upr-info');
  const uprInfo = given.length > 0 ? given.map((o) => ({ themeId: o.themeId, confidence: 1 })) : tagger.tag(text).filter((l) => !rejected.has(l.themeId));
  // A theme another source already gives is never a machine label too (one link per theme).
  if (given.length === 0) wanted.push(...uprInfo.filter((label) => !others.some((o) => o.themeId === label.themeId)));
  if (!others.some((o) => o.scheme === 'uhri')) {
    for (const label of uprInfo) {
      const uhri = uhriIds.get(label.themeId);
      if (uhri !== undefined && !rejected.has(uhri) && !others.some((o) => o.themeId === uhri)) wanted.push({ themeId: uhri, confidence: label.confidence });
    }
  }
  return wanted;
}

export interface TagReport {
  /** Recommendations looked at. */
  recommendations: number;
  /** Machine labels added, changed (confidence) and removed. */
  added: number;
  changed: number;
  removed: number;
}

export type TagSelection = { ids: readonly string[] } | { reviewId?: string; all: boolean };

/** Recommendations read, labelled and written at a time: what one pass holds in memory, whatever the table's size. */
export const TAG_BATCH = 2000;

/** Batches tagged, and the most recommendations one held (what the tests bound). */
export const tagBatches = { batches: 0, largest: 0 };

/** After each batch (committed, when the command runs alone): the recommendations done so far, of how many selected. */
export type TagProgress = (done: number, total: number) => void;

/**
 * Brings the machine labels of the selected recommendations up to date: by ids (an import, a create), or a
 * review's or all recommendations — by default only those without any upr-info label, with `all` every
 * one (after a new model). The selection is read `batch` records at a time in id order, with their links and
 * rejections: `--all` read every text and link at once (1.1 GB at 300,000 records). Inside the caller's
 * transaction when there is one (an import's, a create's: its end rebuilds the documents and bumps the
 * revision); alone, each batch is a transaction of its own that rebuilds its documents and bumps the revision
 * when a label changed, so that caches and stats follow and writers get the lock between batches (one
 * transaction held it for the whole run: 3 minutes of 503s at 300,000 records). An interrupted run keeps the
 * batches it committed, each whole.
 */
export function tagRecommendations(db: Db, tagger: Tagger, selection: TagSelection, progress?: TagProgress, batch = TAG_BATCH): TagReport {
  const client = db.$client;
  const where =
    'ids' in selection
      ? { sql: 'r.id in (select value from json_each(?))', params: [JSON.stringify(selection.ids)] }
      : {
          sql: `${selection.reviewId === undefined ? '1' : 'r.review_id = ?'}${selection.all ? '' : ` and not exists (select 1 from recommendation_themes l join themes t on t.id = l.theme_id where l.recommendation_id = r.id and t.scheme = 'upr-info')`}`,
          params: selection.reviewId === undefined ? [] : [selection.reviewId],
        };
  const total = progress === undefined ? 0 : (client.prepare(`select count(*) from recommendations r where ${where.sql}`).pluck().get(...where.params) as number);
  // The next batch after the last id done (a record tagged leaves the default selection: the ids only go on).
  const next = client.prepare(`select r.id, r.text from recommendations r where ${where.sql} and r.id > ? order by r.id limit ?`);
  const report: TagReport = { recommendations: 0, added: 0, changed: 0, removed: 0 };
  const oneBatch = (after: string) => {
    ensureUprInfoThemes(db);
    const rows = next.all(...where.params, after, batch) as { id: string; text: string }[];
    const counts = tagBatch(db, tagger, rows);
    report.recommendations += rows.length;
    report.added += counts.added;
    report.changed += counts.changed;
    report.removed += counts.removed;
    return { rows: rows.length, last: rows.at(-1)?.id ?? after, changed: counts.added + counts.changed + counts.removed > 0 };
  };
  const inCallers = client.inTransaction;
  const alone = client.transaction((after: string) => {
    const done = oneBatch(after);
    if (done.changed) {
      materializeStale(db);
      bumpRevision(db);
    }
    return done;
  });
  const step = (after: string) => (inCallers ? oneBatch(after) : alone.immediate(after));
  for (let done = step(''); done.rows > 0; done = step(done.last)) progress?.(report.recommendations, total);
  return report;
}

/** Brings the machine labels of these recommendations up to date: the labels added, changed and removed. */
function tagBatch(db: Db, tagger: Tagger, rows: { id: string; text: string }[]): Omit<TagReport, 'recommendations'> {
  const client = db.$client;
  const counts = { added: 0, changed: 0, removed: 0 };
  if (rows.length === 0) return counts;
  tagBatches.batches++;
  tagBatches.largest = Math.max(tagBatches.largest, rows.length);
  const uhriIds = uhriThemeIds(db);
  const ids = JSON.stringify(rows.map((row) => row.id));
  // The batch's links by their primary key, each theme's scheme from the (small) themes table: joining themes
  // and recommendations row by row cost three times the links' own read (an import's 64,000 links).
  const schemes = new Map(client.prepare('select id, scheme from themes').raw().all() as [string, string][]);
  const links = new Map<string, Existing[]>();
  const linkRows = client
    .prepare(`select l.recommendation_id, l.theme_id, l.label_source, l.confidence from recommendation_themes l
      where l.recommendation_id in (select value from json_each(?)) order by 1, 2`)
    .raw()
    .all(ids) as [string, string, string | null, number | null][];
  for (const [id, themeId, source, confidence] of linkRows) {
    const link: Existing = { themeId, scheme: schemes.get(themeId)!, source, confidence };
    const list = links.get(id);
    if (list) list.push(link);
    else links.set(id, [link]);
  }
  // Themes a curator removed from a recommendation are never given to it again (src/tagging/rejections.ts).
  const rejected = new Map<string, Set<string>>();
  const rejectedRows = client
    .prepare('select l.recommendation_id, l.theme_id from machine_label_rejections l where l.recommendation_id in (select value from json_each(?))')
    .raw()
    .all(ids) as [string, string][];
  for (const [id, themeId] of rejectedRows) {
    const set = rejected.get(id);
    if (set) set.add(themeId);
    else rejected.set(id, new Set([themeId]));
  }
  // New labels many a statement (an import adds ~8,000), written before any update or removal so that the
  // rows are written in the same order as one statement each wrote them.
  const insert = bulkInsert(client, 'recommendation_themes', ['recommendation_id', 'theme_id', 'label_source', 'confidence']);
  const update = client.prepare("update recommendation_themes set confidence = ? where recommendation_id = ? and theme_id = ? and label_source = 'machine'");
  const remove = client.prepare("delete from recommendation_themes where recommendation_id = ? and theme_id = ? and label_source = 'machine'");
  for (const { id, text } of rows) {
    const existing = links.get(id) ?? [];
    const machine = new Map(existing.filter((e) => e.source === 'machine').map((e) => [e.themeId, e.confidence]));
    const wanted = wantedLabels(tagger, text, existing.filter((e) => e.source !== 'machine'), uhriIds, rejected.get(id));
    for (const label of wanted) {
      if (!machine.has(label.themeId)) {
        insert.add([id, label.themeId, 'machine', label.confidence]);
        counts.added++;
      } else if (machine.get(label.themeId) !== label.confidence) {
        insert.flush();
        update.run(label.confidence, id, label.themeId);
        counts.changed++;
      }
      machine.delete(label.themeId);
    }
    for (const themeId of machine.keys()) {
      insert.flush();
      remove.run(id, themeId);
      counts.removed++;
    }
  }
  insert.flush();
  return counts;
}

/** upr-info theme id → the id of its UHRI theme, for the crosswalk's themes the database has. */
export function uhriThemeIds(db: Db): Map<string, string> {
  const byLabel = new Map(
    (db.$client.prepare("select label, id from themes where scheme = 'uhri'").raw().all() as [string, string][]).map(([label, id]) => [label, id]),
  );
  const out = new Map<string, string>();
  for (const [issue, label] of UPR_INFO_TO_UHRI) {
    const id = byLabel.get(label);
    if (id !== undefined) out.set(issue, id);
  }
  return out;
}
