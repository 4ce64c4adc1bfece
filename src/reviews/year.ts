import { type SQL, sql } from 'drizzle-orm';
import { inList } from '../db/keyset.js';
import { SESSIONS, uprSession } from '../reference/sessions.js';

// A review's year, the one `year` reads everywhere (the review's field, the reviews' and the recommendations'
// `year` filter, the stats'): the year of its Working Group session where the UPR calendar knows the session
// (src/reference/sessions.ts, the authority on its sessions); else the year of its recorded dialogue date; else
// the year of its Working Group report as a source gives it (report_year: the Terman corpus's `year`). None of
// them known: no year (null, and no `year` filter finds it). Nothing is guessed: a session is never inferred
// from a year, nor a date.

// The calendar's sessions are 1 to the last, without a gap (test/reference-sessions.test.ts).
const FIRST_SESSION = SESSIONS[0]!.session;
const LAST_SESSION = SESSIONS[SESSIONS.length - 1]!.session;
export const CALENDAR_SESSIONS = `sessions ${FIRST_SESSION}–${LAST_SESSION}`;

export const YEAR_DESCRIPTION =
  `Year of the review: of its Working Group session where the UPR calendar knows the session (${CALENDAR_SESSIONS}), else of ` +
  'its interactive dialogue (dialogueDate), else of its Working Group report as a source gives it (reportYear); e.g. 2010.';

export interface YearFacts {
  session: number | null;
  dialogueDate: string | null;
  reportYear: number | null;
}

/** The review's year (see above), or null when nothing gives it. */
export function reviewYear(review: YearFacts): number | null {
  const calendar = review.session === null ? undefined : uprSession(review.session);
  if (calendar !== undefined) return calendar.year;
  if (review.dialogueDate !== null) return Number(review.dialogueDate.slice(0, 4));
  return review.reportYear;
}

/** The WHERE condition on reviews v (SQL both databases run) that their year, as reviewYear gives it, is one of these. */
export function reviewYearCondition(years: readonly number[]): SQL {
  const sessions = SESSIONS.filter((s) => years.includes(s.year)).map((s) => s.session);
  const bySession = sessions.length > 0 ? sql`${inList(sql`v.wg_session`, sessions)} or ` : sql``;
  const byDialogue = inList(sql`cast(substr(v.dialogue_date, 1, 4) as integer)`, years);
  const byReport = inList(sql`v.report_year`, years);
  return sql`(${bySession}((v.wg_session is null or v.wg_session not between ${FIRST_SESSION} and ${LAST_SESSION})
    and (${byDialogue} or (v.dialogue_date is null and ${byReport}))))`;
}

/**
 * The review's year as an SQL expression on reviews v (both databases run it), the value reviewYear gives: a CASE
 * over the calendar's sessions, then the dialogue date's year, then report_year.
 */
export function reviewYearSql(): SQL {
  const bySession = SESSIONS.map((s) => sql.raw(`when ${s.session} then ${s.year}`));
  return sql`(case when v.wg_session between ${sql.raw(String(FIRST_SESSION))} and ${sql.raw(String(LAST_SESSION))}
    then (case v.wg_session ${sql.join(bySession, sql` `)} end)
    when v.dialogue_date is not null then cast(substr(v.dialogue_date, 1, 4) as integer) else v.report_year end)`;
}
