import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../db/audit.js';

// Themes a curator removed from a recommendation (DELETE …/themes/{themeId}, or left out of a PATCH's
// themes): recorded in machine_label_rejections, so that the tagger (src/tagging/apply.ts) never gives them
// to it again — not by `npm run tag`, a re-import or a text change — until a curator confirms or adds one.

/** Records the recommendation's themes that `which` selects (a condition on theme_id), about to be removed. */
export function rejectThemes(tx: Pick<Tx, 'run'>, id: string, which: SQL): void {
  tx.run(sql`insert or ignore into machine_label_rejections (recommendation_id, theme_id)
    select recommendation_id, theme_id from recommendation_themes where recommendation_id = ${id} and ${which}`);
}

/** Lifts the rejection of these themes: a curator gave them to the recommendation again. */
export function allowThemes(tx: Pick<Tx, 'run'>, id: string, themeIds: readonly string[]): void {
  tx.run(sql`delete from machine_label_rejections
    where recommendation_id = ${id} and theme_id in (select value from json_each(${JSON.stringify(themeIds)}))`);
}
