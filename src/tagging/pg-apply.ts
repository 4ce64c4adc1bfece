import { sql } from 'drizzle-orm';
import { pgAll, pgRun } from '../db/pg/query.js';
import type pg from 'pg';
import { type PgWriteContext, pgWriteTransaction } from '../db/pg/write-transaction.js';
import { type TagReport, wantedLabels } from './apply.js';
import { UPR_INFO_TO_UHRI } from './crosswalk.js';
import { UPR_INFO_THEMES } from './labels.js';
import type { Tagger } from './model.js';

// Machine labels of one recommendation on PostgreSQL, given inside its write's transaction (a create, a new
// text), and `npm run tag` on a PostgreSQL database: apply.ts's tagRecommendations, with the same wanted labels
// (wantedLabels).

/** Brings the machine labels of one recommendation up to date: the labels added, changed and removed. */
export async function pgTagRecommendation(
  context: PgWriteContext,
  tagger: Tagger,
  id: string,
): Promise<Omit<TagReport, 'recommendations'>> {
  const counts = { added: 0, changed: 0, removed: 0 };
  const { tx } = context;
  await pgRun(tx, sql`insert into themes (id, label, uhri, scheme)
    select id, label, false, 'upr-info' from jsonb_to_recordset(${JSON.stringify(UPR_INFO_THEMES)}::jsonb) as t(id text, label text)
    on conflict do nothing`);
  const byLabel = new Map(
    (await pgAll<{ label: string; id: string }>(tx, sql`select label, id from themes where scheme = 'uhri'`)).map((t) => [t.label, t.id]),
  );
  const uhriIds = new Map<string, string>();
  for (const [issue, label] of UPR_INFO_TO_UHRI) {
    const uhri = byLabel.get(label);
    if (uhri !== undefined) uhriIds.set(issue, uhri);
  }
  const [row] = await pgAll<{ text: string }>(tx, sql`select text from recommendations where id = ${id}`);
  const existing = await pgAll<{ themeId: string; scheme: string; source: string | null; confidence: number | null }>(
    tx,
    sql`select l.theme_id as "themeId", t.scheme, l.label_source as source, l.confidence
      from recommendation_themes l join themes t on t.id = l.theme_id where l.recommendation_id = ${id}`,
  );
  const rejected = new Set(
    (await pgAll<{ themeId: string }>(tx, sql`select theme_id as "themeId" from machine_label_rejections where recommendation_id = ${id}`)).map(
      (r) => r.themeId,
    ),
  );
  const machine = new Map(existing.filter((e) => e.source === 'machine').map((e) => [e.themeId, e.confidence]));
  for (const label of wantedLabels(tagger, row!.text, existing.filter((e) => e.source !== 'machine'), uhriIds, rejected)) {
    if (!machine.has(label.themeId)) {
      await pgRun(tx, sql`insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence)
        values (${id}, ${label.themeId}, 'machine', ${label.confidence})`);
      counts.added++;
    } else if (machine.get(label.themeId) !== label.confidence) {
      await pgRun(tx, sql`update recommendation_themes set confidence = ${label.confidence}
        where recommendation_id = ${id} and theme_id = ${label.themeId} and label_source = 'machine'`);
      counts.changed++;
    }
    machine.delete(label.themeId);
  }
  for (const themeId of machine.keys()) {
    await pgRun(tx, sql`delete from recommendation_themes where recommendation_id = ${id} and theme_id = ${themeId} and label_source = 'machine'`);
    counts.removed++;
  }
  if (counts.added + counts.changed + counts.removed > 0) context.stale([id]);
  return counts;
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
): Promise<TagReport> {
  return pgWriteTransaction(pool, 'npm run tag', async (context) => {
    const ids = await pgAll<{ id: string }>(
      context.tx,
      sql`select r.id from recommendations r
        where (${selection.reviewId ?? null}::text is null or r.review_id = ${selection.reviewId ?? null})
        ${selection.all ? sql`` : sql`and not exists (select 1 from recommendation_themes l join themes t on t.id = l.theme_id
          where l.recommendation_id = r.id and t.scheme = 'upr-info')`}
        order by r.id`,
    );
    const report: TagReport = { recommendations: ids.length, added: 0, changed: 0, removed: 0 };
    for (const { id } of ids) {
      const counts = await pgTagRecommendation(context, tagger, id);
      report.added += counts.added;
      report.changed += counts.changed;
      report.removed += counts.removed;
    }
    if (report.added + report.changed + report.removed > 0) {
      await pgRun(context.tx, sql`insert into meta (key, value) values ('revision', '1')
        on conflict (key) do update set value = (cast(meta.value as bigint) + 1)::text`);
    }
    return report;
  });
}
