import type { DatePrecision } from '../db/schema.js';

const SHAPES: Record<DatePrecision, RegExp> = {
  year: /^\d{4}$/,
  month: /^\d{4}-(0[1-9]|1[0-2])$/,
  day: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
};

/** Whether a date string is written exactly to its precision ("2020-06" for month) and exists. */
export function matchesPrecision(date: string, precision: DatePrecision): boolean {
  if (!SHAPES[precision].test(date)) return false;
  return precision !== 'day' || new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
}

/** The first and last calendar day of a date known to a precision: "2020-06" → 2020-06-01 … 2020-06-30. */
export function periodOf(date: string, precision: DatePrecision): { start: string; end: string } {
  if (!matchesPrecision(date, precision)) throw new RangeError(`"${date}" is not a date to the ${precision}`);
  if (precision === 'day') return { start: date, end: date };
  if (precision === 'year') return { start: `${date}-01-01`, end: `${date}-12-31` };
  const [year, month] = date.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { start: `${date}-01`, end: `${date}-${String(lastDay).padStart(2, '0')}` };
}

/** The precision a date is written to, by its length: "2020" year, "2020-06" month, else day (matchesPrecision checks it). */
export function precisionOfWritten(date: string): DatePrecision {
  return date.length === 4 ? 'year' : date.length === 7 ? 'month' : 'day';
}
