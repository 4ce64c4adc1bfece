import { type SQL, sql } from 'drizzle-orm';
import { invalidParam } from '../http/problem.js';

/** A from/to filter's bounds as periodBound reads them: the first day of `from`, the last day of `to`. */
export interface PeriodRange {
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * The conditions of a from/to filter on records dated to a period [start, end] (YYYY-MM-DD text): the period
 * must overlap [from, to], so a coarse date matches any day it may have been. `from` after `to` is a 400.
 * Developments, from their period columns, and statements, from their date and precision, share it.
 */
export function periodOverlap(range: PeriodRange, period: { start: SQL; end: SQL }): SQL[] {
  const { from, to } = range;
  if (from !== undefined && to !== undefined && from > to) {
    throw invalidParam('query', 'from', `from (${from}) is after to (${to}).`);
  }
  const c: SQL[] = [];
  if (from !== undefined) c.push(sql`${period.end} >= ${from}`);
  if (to !== undefined) c.push(sql`${period.start} <= ${to}`);
  return c;
}

/**
 * The period of a date stored as written ("2020", "2020-06", "2020-06-15") with its precision, as SQL both
 * databases run. A month ends on "-31" here: against a day that exists (a bound), it compares as the month's
 * real last day would, and it needs no calendar in SQL. Both ends are 10 characters, so they compare with a
 * bound character by character under any collation.
 */
export function periodOfStoredDate(date: SQL, precision: SQL): { start: SQL; end: SQL } {
  return {
    start: sql`(case ${precision} when 'year' then ${date} || '-01-01' when 'month' then ${date} || '-01' else ${date} end)`,
    end: sql`(case ${precision} when 'year' then ${date} || '-12-31' when 'month' then ${date} || '-31' else ${date} end)`,
  };
}
