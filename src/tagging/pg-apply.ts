import type pg from 'pg';
import { BUMP_REVISION } from '../db/pg/revision.js';
import { type PgWriteContext, pgWriteTransaction } from '../db/pg/write-transaction.js';
import { TAG_BATCH, type TagProgress, type TagReport, wantedLabels } from './apply.js';
import { UPR_INFO_TO_UHRI } from './crosswalk.js';
import { UPR_INFO_THEMES } from './labels.js';
import type { Tagger } from './model.js';

// Machine labels of recommendations on PostgreSQL, given inside a write's transaction (a create, a new text:
// one record), and `npm run tag` on a PostgreSQL database: apply.ts's tagRecommendations, with the same wanted
// labels (wantedLabels). Records are read and written BATCH at a time, a few statements a batch: five round trips
// a record took `npm run tag --all` ~2 ms a record, against 0.14 ms on SQLite.

const BATCH = 500;

type Counts = Omit<TagReport, 'recommendations'>;

/** The upr-info themes created where missing; the UHRI theme each upr-info issue derives, by id. */
async function uhriIdsOf(tx: pg.ClientBase): Promise<Map<string, string>> {
  await tx.query(
    `insert into themes (id, label, uhri, scheme)
      select id, label, false, 'upr-info' from jsonb_to_recordset($1::jsonb) as t(id text, label text)
      on conflict do nothing`,
    [JSON.stringify(UPR_INFO_THEMES)],
  );
  const byLabel = new Map(
    (await tx.query<{ label: string; id: string }>(`select label, id from themes where scheme = 'uhri'`)).rows.map((t) => [t.label, t.id]),
  );
  const uhriIds = new Map<string, string>();
  for (const [issue, label] of UPR_INFO_TO_UHRI) {
    const uhri = byLabel.get(label);
    if (uhri !== undefined) uhriIds.set(issue, uhri);
  }
  return uhriIds;
}

interface Existing {
  id: string;
  themeId: string;
  scheme: string;
  source: string | null;
  confidence: number | null;
}

const grouped = <T extends { id: string }>(rows: T[]) => {
  const by = new Map<string, T[]>();
  for (const row of rows) {
    const list = by.get(row.id);
    if (list) list.push(row);
    else by.set(row.id, [row]);
  }
  return by;
};

/** Brings the machine labels of these recommendations up to date: the labels added, changed and removed. */
async function pgTagBatch(context: PgWriteContext, tagger: Tagger, ids: string[], uhriIds: ReadonlyMap<string, string>): Promise<Counts> {
  const { tx } = context;
  const texts = (await tx.query<{ id: string; text: string }>('select id, text from recommendations where id = any($1::text[])', [ids])).rows;
  const existing = grouped(
    (
      await tx.query<Existing>(
        `select l.recommendation_id as id, l.theme_id as "themeId", t.scheme, l.label_source as source, l.confidence
          from recommendation_themes l join themes t on t.id = l.theme_id where l.recommendation_id = any($1::text[])`,
        [ids],
      )
    ).rows,
  );
  const rejections = grouped(
    (
      await tx.query<{ id: string; themeId: string }>(
        'select recommendation_id as id, theme_id as "themeId" from machine_label_rejections where recommendation_id = any($1::text[])',
        [ids],
      )
    ).rows,
  );
  const inserted: [string, string, number][] = [];
  const updated: [string, string, number][] = [];
  const deleted: [string, string][] = [];
  const stale: string[] = [];
  for (const { id, text } of texts) {
    const labels = existing.get(id) ?? [];
    const rejected = new Set((rejections.get(id) ?? []).map((r) => r.themeId));
    const machine = new Map(labels.filter((e) => e.source === 'machine').map((e) => [e.themeId, e.confidence]));
    const before = inserted.length + updated.length + deleted.length;
    for (const label of wantedLabels(tagger, text, labels.filter((e) => e.source !== 'machine'), uhriIds, rejected)) {
      if (!machine.has(label.themeId)) inserted.push([id, label.themeId, label.confidence]);
      else if (machine.get(label.themeId) !== label.confidence) updated.push([id, label.themeId, label.confidence]);
      machine.delete(label.themeId);
    }
    for (const themeId of machine.keys()) deleted.push([id, themeId]);
    if (inserted.length + updated.length + deleted.length > before) stale.push(id);
  }
  const columns = <T extends unknown[]>(rows: T[], n: number) => rows.map((row) => row[n]);
  // Each list holds pairs no other does (a label is inserted, updated or deleted), so their order is free.
  await tx.query(
    `insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence)
      select r, t, 'machine', c from unnest($1::text[], $2::text[], $3::float8[]) as u(r, t, c)`,
    [columns(inserted, 0), columns(inserted, 1), columns(inserted, 2)],
  );
  await tx.query(
    `update recommendation_themes l set confidence = u.c from unnest($1::text[], $2::text[], $3::float8[]) as u(r, t, c)
      where l.recommendation_id = u.r and l.theme_id = u.t and l.label_source = 'machine'`,
    [columns(updated, 0), columns(updated, 1), columns(updated, 2)],
  );
  await tx.query(
    `delete from recommendation_themes l using unnest($1::text[], $2::text[]) as u(r, t)
      where l.recommendation_id = u.r and l.theme_id = u.t and l.label_source = 'machine'`,
    [columns(deleted, 0), columns(deleted, 1)],
  );
  context.stale(stale);
  return { added: inserted.length, changed: updated.length, removed: deleted.length };
}

/** Brings the machine labels of one recommendation up to date: the labels added, changed and removed. */
export async function pgTagRecommendation(context: PgWriteContext, tagger: Tagger, id: string): Promise<Counts> {
  return pgTagBatch(context, tagger, [id], await uhriIdsOf(context.tx));
}

/**
 * `npm run tag` on PostgreSQL: a review's or all recommendations — by default only those without any upr-info
 * label, with `all` every one — in one write transaction, whose end rebuilds the changed documents; the
 * revision is bumped when a label changed, so that caches and stats follow.
 */
export async function pgTagRecommendations(
  pool: Pick<pg.Pool, 'connect'>,
  tagger: Tagger,
  selection: { reviewId?: string; all: boolean },
  progress?: TagProgress,
): Promise<TagReport> {
  return pgWriteTransaction(pool, 'npm run tag', async (context) => {
    const { rows: ids } = await context.tx.query<{ id: string }>(
      `select r.id from recommendations r
        where ($1::text is null or r.review_id = $1)
        ${selection.all ? '' : `and not exists (select 1 from recommendation_themes l join themes t on t.id = l.theme_id
          where l.recommendation_id = r.id and t.scheme = 'upr-info')`}
        order by r.id`,
      [selection.reviewId ?? null],
    );
    const uhriIds = await uhriIdsOf(context.tx);
    const report: TagReport = { recommendations: ids.length, added: 0, changed: 0, removed: 0 };
    for (let start = 0; start < ids.length; start += BATCH) {
      const counts = await pgTagBatch(context, tagger, ids.slice(start, start + BATCH).map((row) => row.id), uhriIds);
      report.added += counts.added;
      report.changed += counts.changed;
      report.removed += counts.removed;
      const done = Math.min(ids.length, start + BATCH);
      // Said every TAG_BATCH records, as SQLite's batches are (the transaction is one here: nothing committed yet).
      if (done % TAG_BATCH === 0 || done === ids.length) progress?.(done, ids.length);
    }
    if (report.added + report.changed + report.removed > 0) {
      await context.tx.query(BUMP_REVISION);
    }
    return report;
  });
}
