import { sql } from 'drizzle-orm';
import { pgAll, pgRun } from '../db/pg/query.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { wantedLabels } from './apply.js';
import { UPR_INFO_TO_UHRI } from './crosswalk.js';
import { UPR_INFO_THEMES } from './labels.js';
import type { Tagger } from './model.js';

// Machine labels of one recommendation on PostgreSQL, given inside its write's transaction (a create, a new
// text): apply.ts's tagRecommendations for `{ ids: [id] }`, with the same wanted labels (wantedLabels).

/** Brings the machine labels of one recommendation up to date. */
export async function pgTagRecommendation(context: PgWriteContext, tagger: Tagger, id: string): Promise<void> {
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
    } else if (machine.get(label.themeId) !== label.confidence) {
      await pgRun(tx, sql`update recommendation_themes set confidence = ${label.confidence}
        where recommendation_id = ${id} and theme_id = ${label.themeId} and label_source = 'machine'`);
    }
    machine.delete(label.themeId);
  }
  for (const themeId of machine.keys()) {
    await pgRun(tx, sql`delete from recommendation_themes where recommendation_id = ${id} and theme_id = ${themeId} and label_source = 'machine'`);
  }
  context.stale([id]);
}
