import { type SQL, sql } from 'drizzle-orm';
import { foldedColumn, foldText } from '../db/functions.js';
import { inList } from '../db/keyset.js';
import { reviewYearCondition } from '../reviews/year.js';
import type { RecommendationFilter } from './schemas.js';

// The filters of issue 10 (UPR Info's action category, the printed position label, the review's year), as
// WHERE conditions over recommendations r and their reviews v: plain SQL that SQLite and PostgreSQL run alike
// (queries.ts's filterConditions, which pg-queries.ts's pgFilterConditions extends).

/**
 * `inSortOrder`: a SQLite page read in the sort's order (queries.ts's pagePlan), where the category is compared as
 * `+r.action_category` so that SQLite reads the sort's index, not recommendations_action_category_idx with every
 * match sorted (its choice before ANALYZE has seen the index: `unknown`, all but UPR Info's records).
 */
export function realDataConditions(f: RecommendationFilter, dialect: 'sqlite' | 'postgres', inSortOrder = false): SQL[] {
  const c: SQL[] = [];
  if (f.actionCategory) {
    const known = f.actionCategory.filter((v) => v !== 'unknown').map(Number);
    const column = inSortOrder ? sql`+r.action_category` : sql`r.action_category`;
    const parts: SQL[] = [];
    if (known.length > 0) parts.push(inList(column, known));
    if (known.length < f.actionCategory.length) parts.push(sql`${column} is null`);
    c.push(sql`(${sql.join(parts, sql` or `)})`);
  }
  if (f.positionLabel) {
    // The record's own label (the best source's), or what any of its sources printed (recommendation_sources):
    // a merged record is found by the Terman corpus's "consider" as by UPR Info's "Accepted" that won the merge.
    // In any case and either form of an accented letter (foldText): "Acceptée" typed or pasted matches both.
    const labels = f.positionLabel.map(foldText);
    c.push(sql`(${inList(foldedColumn(sql`r.position_label`, dialect), labels)} or exists (select 1 from recommendation_sources l
      where l.recommendation_id = r.id and ${inList(foldedColumn(sql`l.position_label`, dialect), labels)}))`);
  }
  // The review's year: of its session in the UPR calendar, else of its dialogue, else of its report (src/reviews/year.ts).
  if (f.year) c.push(reviewYearCondition(f.year));
  return c;
}
