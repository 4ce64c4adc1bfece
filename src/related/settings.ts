// The constants of related recommendations. Stored relations depend on them: after changing one, run
// `npm run relate` to recompute every state.

/** Related recommendations kept per recommendation (the related endpoint's largest `limit`). */
export const RELATED_PER_RECORD = 50;
/**
 * The lowest score kept: below it, two texts share little more than common words. (A request repeated inside
 * a long list of other requests scores low: chosen on the sample with 0.1, 0.15 and 0.2 tried: docs/related-recommendations.md.)
 */
export const RELATED_FLOOR = 0.15;
/**
 * The score from which an earlier-cycle recommendation counts as the same request made again (recurrence,
 * the `recurring` filter and grouping): chosen on the labelled sample of bench/related-sample.ts (docs/related-recommendations.md).
 * The triggers of migrations/0016_text_change_triggers.sql repeat it (the pairs that make a document stale).
 */
export const RECURRENCE_THRESHOLD = 0.5;
