import { sql } from 'drizzle-orm';
import type { WriteContext } from '../db/audit.js';
import { checkVersion } from '../curation/checks.js';
import { finishUpdate, type VersionedTable } from '../curation/records.js';
import { notFound } from '../http/problem.js';
import { themedRecommendationSnapshot as snapshot } from '../recommendations/writes.js';
import { allowThemes, rejectThemes } from './rejections.js';
import type { VersionCondition } from '../http/etag.js';

// A curator's answer to a machine label: confirm it (PUT: the label becomes curated, its confidence goes)
// or remove it (DELETE). Either is an update of the recommendation: a new version, audited with each
// theme's source before and after. A label another source gave stays as it is on PUT. A theme a curator
// removes is never given to that recommendation again as a machine label (machine_label_rejections, read
// by src/tagging/apply.ts), until a curator confirms or adds it again.

const TABLE: VersionedTable = { entity: 'recommendations', table: 'recommendations', idColumn: 'id', hasUpdatedAt: true };

export function setThemeLabel(context: WriteContext, id: string, themeId: string, expected: VersionCondition, keep: boolean): void {
  const { tx } = context;
  const before = snapshot(tx, id);
  if (!before) throw notFound('Recommendation', id);
  checkVersion(tx, expected, before.version, 'Recommendation', id);
  if (keep) {
    if (!tx.get(sql`select 1 from themes where id = ${themeId}`)) throw notFound('Theme', themeId);
    // Not an upsert: its conflict clause would override the read model triggers' "insert or ignore".
    tx.run(sql`update recommendation_themes set label_source = 'curated', confidence = null
      where recommendation_id = ${id} and theme_id = ${themeId} and label_source = 'machine'`);
    tx.run(sql`insert or ignore into recommendation_themes (recommendation_id, theme_id, label_source) values (${id}, ${themeId}, 'curated')`);
    allowThemes(tx, id, [themeId]);
  } else {
    rejectThemes(tx, id, sql`theme_id = ${themeId}`);
    tx.run(sql`delete from recommendation_themes where recommendation_id = ${id} and theme_id = ${themeId}`);
  }
  finishUpdate(context, TABLE, id, before, () => snapshot(tx, id)!);
}
