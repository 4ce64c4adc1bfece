import { type SQL, sql } from 'drizzle-orm';
import { inList } from '../db/keyset.js';
import { SESSIONS } from '../reference/sessions.js';
import type { RecommendationFilter } from './schemas.js';

// The filters of issue 10 (UPR Info's action category, the printed position label, the review's year), as
// WHERE conditions over recommendations r and their reviews v.

export function realDataConditions(f: RecommendationFilter): SQL[] {
  const c: SQL[] = [];
  if (f.actionCategory) {
    const known = f.actionCategory.filter((v) => v !== 'unknown').map(Number);
    const parts: SQL[] = [];
    if (known.length > 0) parts.push(inList(sql`r.action_category`, known));
    if (known.length < f.actionCategory.length) parts.push(sql`r.action_category is null`);
    c.push(sql`(${sql.join(parts, sql` or `)})`);
  }
  if (f.positionLabel) c.push(inList(sql`lower(r.position_label)`, f.positionLabel.map((l) => l.toLowerCase())));
  if (f.year) {
    // The year of the review's session (from the UPR calendar), else of its recorded dialogue date.
    const sessions = SESSIONS.filter((s) => f.year!.includes(s.year)).map((s) => s.session);
    const byDialogue = inList(sql`cast(substr(v.dialogue_date, 1, 4) as integer)`, f.year);
    c.push(sessions.length > 0 ? sql`(${inList(sql`v.wg_session`, sessions)} or (v.wg_session is null and ${byDialogue}))` : sql`(v.wg_session is null and ${byDialogue})`);
  }
  return c;
}
