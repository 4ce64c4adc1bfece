import { sql } from 'drizzle-orm';
import { matchesPrecision, periodOf } from '../common/dates.js';
import type { Tx } from '../db/audit.js';
import { inList } from '../db/keyset.js';
import { currentRevision } from '../db/revision.js';
import type { DatePrecision } from '../db/schema.js';
import { failedPrecondition, ifMatchVersions, ifNoneMatchVersions, recordEtag, type VersionCondition } from '../http/etag.js';
import { HttpProblem, type InvalidParam, unprocessable } from '../http/problem.js';
import { RecordExists } from './ids.js';

// The checks a write makes against itself and the stored data, inside its transaction.

type Reader = Pick<Tx, 'get' | 'all'>;

/** Collects what is wrong with a body, to answer one 422 that names every offending field. */
export class Inconsistencies {
  private readonly errors: InvalidParam[] = [];

  add(name: string, message: string, where: InvalidParam['in'] = 'body'): void {
    this.errors.push({ in: where, name, message });
  }

  /** Each problem as "field: message" (the importers report them per row instead of answering 422). */
  messages(): string[] {
    return this.errors.map((e) => `${e.name}: ${e.message}`);
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw unprocessable(this.errors);
  }
}

export const REFERENCES = {
  state: { table: 'states', column: 'code', what: 'state code', hint: '' },
  review: { table: 'reviews', column: 'id', what: 'review id', hint: '' },
  recommendation: { table: 'recommendations', column: 'id', what: 'recommendation id', hint: '' },
  theme: { table: 'themes', column: 'id', what: 'theme id', hint: ' (see GET /v1/themes)' },
  affectedPersons: {
    table: 'affected_persons_groups',
    column: 'id',
    what: 'affected-persons group id',
    hint: ' (see GET /v1/affected-persons)',
  },
  sdg: { table: 'sdg_goals', column: 'goal', what: 'SDG number', hint: '' },
} as const;

export type Reference = (typeof REFERENCES)[keyof typeof REFERENCES];

/** Notes every value the referenced table does not hold, under the body field that gave it. */
export function checkReferences(
  tx: Reader,
  problems: Inconsistencies,
  field: string,
  reference: Reference,
  values: readonly (string | number)[] | undefined,
): void {
  if (values === undefined || values.length === 0) return;
  const column = sql.identifier(reference.column);
  const found = new Set(
    tx
      .all<{ value: string | number }>(sql`select ${column} as value from ${sql.identifier(reference.table)}
        where ${inList(sql`${column}`, values)}`)
      .map((row) => row.value),
  );
  for (const value of values) {
    if (!found.has(value)) problems.add(field, `Unknown ${reference.what} ${JSON.stringify(value)}${reference.hint}`);
  }
}

const DATE_EXAMPLES: Record<DatePrecision, string> = { year: '"2020"', month: '"2020-07"', day: '"2020-07-25"' };

/**
 * The latest day that has begun anywhere: the day at UTC+14 (Kiribati's Line Islands). A date is in the future only
 * after it: by UTC's day, a curator in Auckland (UTC+13) recording at 9:00 what happened that morning was told so until 13:00.
 */
export function latestDayBegun(now = new Date()): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * The earliest year a date may be in: the UN's founding. Reviews, statements and assessments are from 2008 on;
 * a development may be older (a law a recommendation asks to repeal), but a year such as 0202 is a typo that
 * would sort first in every list as a fact.
 */
const EARLIEST_YEAR = '1945';

/** A date written to its precision, that exists, is not in the future, nor before the UN was founded. */
export function checkDate(problems: Inconsistencies, field: string, date: string, precision: DatePrecision): void {
  if (!matchesPrecision(date, precision)) {
    problems.add(field, `"${date}" is not a date to the ${precision}: write it like ${DATE_EXAMPLES[precision]}`);
  } else if (periodOf(date, precision).start > latestDayBegun()) {
    problems.add(field, `"${date}" is in the future`);
  } else if (date.slice(0, 4) < EARLIEST_YEAR) {
    problems.add(field, `"${date}" is before ${EARLIEST_YEAR}, when the United Nations was founded: a typo for another year?`);
  }
}

/**
 * The versions of record `id` a write (not a create) may apply to, from its If-Match and If-None-Match: 428 without
 * If-Match where it is required; where it is optional and absent, any version.
 */
export function writeCondition(
  headers: { 'if-match'?: string; 'if-none-match'?: string },
  id: string,
  ifMatch: 'required' | 'optional' = 'required',
): VersionCondition {
  const matchHeader = headers['if-match'];
  if (matchHeader === undefined && ifMatch === 'required') {
    throw new HttpProblem(
      428,
      'Send `If-Match` with the ETag of the version you are changing (from a GET or an earlier write), or ' +
        '`If-Match: *` to change whatever version is stored.',
    );
  }
  const noneMatchHeader = headers['if-none-match'];
  return {
    ifMatch: matchHeader === undefined ? '*' : ifMatchVersions(matchHeader, id),
    ifNoneMatch: noneMatchHeader === undefined ? [] : ifNoneMatchVersions(noneMatchHeader, id),
  };
}

/** The 412 of a write whose precondition the stored version fails, naming the current ETag. */
export function preconditionFailed(failed: 'If-Match' | 'If-None-Match', what: string, id: string, current: number, revision: number): HttpProblem {
  const detail =
    failed === 'If-Match'
      ? `${what} "${id}" is at version ${current}, which If-Match does not name: someone changed it since you read ` +
        'it. Fetch it again, reapply your change and send the new ETag.'
      : `${what} "${id}" is stored, at version ${current}, which If-None-Match names (or If-None-Match is *): the ` +
        'change applies only to a version it does not name (RFC 9110, section 13.1.2).';
  return new HttpProblem(412, detail, undefined, { etag: recordEtag(current, revision, id) });
}

/**
 * A create's If-None-Match (RFC 9110 §13.1.2): the resource it targets is the record it would create, so `*` (no
 * such record may be stored) or a tag naming the stored version turns the 409 of an id taken (`error`) into the
 * record it names, for a 412; any other error, or a tag of another version (the create then fails as it
 * would: 409), is undefined. Where no record is stored, or the server makes the id, the create goes ahead.
 */
export function storedAgainstIfNoneMatch(error: unknown, header: string | undefined): RecordExists | undefined {
  if (!(error instanceof RecordExists) || header === undefined) return undefined;
  const named = failedPrecondition({ ifMatch: '*', ifNoneMatch: ifNoneMatchVersions(header, error.id) }, error.version);
  return named === null ? undefined : error;
}

/** The 412 of a create whose If-None-Match the stored record fails: nothing was written; the stored record's ETag. */
export function createPreconditionFailed(stored: RecordExists, revision: number): HttpProblem {
  return new HttpProblem(
    412,
    `${stored.what} "${stored.id}" is stored, at version ${stored.version}, and If-None-Match asks for a create only ` +
      'where no such record is (*) or names that version: nothing was written (RFC 9110, section 13.1.2).',
    undefined,
    { etag: recordEtag(stored.version, revision, stored.id) },
  );
}

/** 412, with the current ETag, when the stored version is not one the write's preconditions accept. */
export function checkVersion(tx: Reader, expected: VersionCondition, current: number, what: string, id: string): void {
  const failed = failedPrecondition(expected, current);
  if (failed !== null) throw preconditionFailed(failed, what, id, current, currentRevision(tx));
}
