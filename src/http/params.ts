import { z } from 'zod';
import { matchesPrecision, periodOf, precisionOfWritten } from '../common/dates.js';

// Query-string building blocks shared by every list route. Query strings arrive as strings (or arrays of
// strings when a parameter is repeated), so every value is parsed from text here.

function splitValues(value: unknown): unknown {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  return parts.map((p) => (typeof p === 'string' ? p.trim() : p));
}

const rawQueryValue = z.string().meta({ maxLength: 16384 });

/** The JSON Schema keyword under which a list parameter carries its items' schema, for OpenAPI. */
export const LIST_ITEMS = 'x-list-items';

/** The most values a list parameter takes, when not 100: OpenAPI's maxItems of its array. */
export const LIST_MAX_ITEMS = 'x-list-max-items';

/**
 * The meta of a list parameter: OpenAPI shows it as an array of its items (enum values included, for typed
 * clients); src/http/openapi.ts replaces the raw text schema with this one. Built when the OpenAPI document is
 * (a getter): at module load, the 33 list parameters' JSON Schemas were a twentieth of a start's CPU.
 */
export function listItemsMeta(item: z.ZodType, maxItems?: number) {
  let items: Record<string, unknown> | undefined;
  return {
    ...(maxItems === undefined ? {} : { [LIST_MAX_ITEMS]: maxItems }),
    get [LIST_ITEMS]() {
      if (items === undefined) {
        const { $schema: _, ...schema } = z.toJSONSchema(item, { io: 'input', unrepresentable: 'any' });
        items = schema;
      }
      return items;
    },
  };
}

/** A list-valued filter: `?position=supported,noted` and `?position=supported&position=noted` alike. */
export function listParam<T extends z.ZodType>(item: T, description: string) {
  const listItems = listItemsMeta(item);
  return z
    // Documented bounds that hold already: Node's HTTP parser refuses request lines over 16 KiB
    // (max-http-header-size), and more than 100 values fail the pipe below.
    .union([rawQueryValue, z.array(rawQueryValue).meta({ maxItems: 100 })])
    .meta(listItems)
    .transform(splitValues)
    .pipe(z.array(item).min(1).max(100))
    .optional()
    .describe(`${description} Comma-separated or repeated; a record matches when it has any of the values.`);
}

export const isoCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code in capitals, e.g. KGZ')
  .meta({ maxLength: 3 }); // the pattern allows exactly 3 characters

/** List parameters that name states (see stateListParam); src/states/filter-names.ts resolves them. */
const STATE_FILTERS = new WeakSet<z.ZodType>();

/**
 * A list-valued state filter: ISO codes, names or aliases in any case ("KGZ", "kgz", "Kyrgyz Republic"). The
 * schema only bounds the text; a hook resolves each value to its code, or answers 400 with close matches.
 */
export function stateListParam(description: string) {
  const schema = listParam(
    z.string().min(1).max(100),
    `${description} An ISO 3166-1 alpha-3 code (KGZ) or any name or alias the states table knows ` +
      '(Kyrgyzstan, Kyrgyz Republic), in any case; an unknown state is a 400 that suggests close matches.',
  );
  STATE_FILTERS.add(schema);
  return schema;
}

export function isStateFilter(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && STATE_FILTERS.has(schema as z.ZodType);
}

/** List parameters that name recommendations by id (src/recommendations/id-filter.ts checks them). */
const RECOMMENDATION_ID_FILTERS = new WeakSet<z.ZodType>();

/**
 * A list-valued filter by recommendation ids, exactly as written (ids are case-sensitive). A hook checks that a
 * recommendation has each, or answers 400: a mistyped id must not read as "nothing bears on it".
 */
export function recommendationIdListParam(description: string) {
  const schema = listParam(
    z.string().min(1).max(200),
    `${description} Exactly as written (ids are case-sensitive); an id no recommendation has is a 400.`,
  );
  RECOMMENDATION_ID_FILTERS.add(schema);
  return schema;
}

export function isRecommendationIdFilter(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && RECOMMENDATION_ID_FILTERS.has(schema as z.ZodType);
}

/** List parameters that name who spoke: a state or an organization (src/statements/speaker-filter.ts resolves them). */
const SPEAKER_FILTERS = new WeakSet<z.ZodType>();

/**
 * A list-valued speaker filter: a state as a state filter takes it (code, name or alias, any case) or an
 * organization by its name in any case. A hook resolves each value, or answers 400 with close matches.
 */
export function speakerListParam(description: string) {
  const schema = listParam(
    z.string().min(1).max(200),
    `${description} A state: its ISO 3166-1 alpha-3 code (IRL) or any name or alias the states table knows ` +
      '(Ireland), in any case; or an organization by its name, in any case (Human Rights Watch). A speaker no ' +
      'state and no stored statement has is a 400 that suggests close matches.',
  );
  SPEAKER_FILTERS.add(schema);
  return schema;
}

export function isSpeakerFilter(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && SPEAKER_FILTERS.has(schema as z.ZodType);
}

/**
 * The records a list filter's values name by id (src/themes/filter-ids.ts resolves them); `organization` is the
 * speaking organizations of statements, which the speaker filter reads (src/statements/speaker-filter.ts);
 * `positionLabel` the decisions as the sources printed them (stored on records and their sources' readings).
 */
export type IdFilterKind = 'theme' | 'affectedPersons' | 'review' | 'source' | 'organization' | 'positionLabel';

const ID_FILTERS = new WeakMap<z.ZodType, IdFilterKind>();

/**
 * A list-valued filter by the ids of stored records (themes, affected-persons groups, reviews, sources), in any case. A hook
 * resolves each value to its id, or answers 400 with close matches: a misspelt id must not read as "none".
 */
export function idListParam(kind: IdFilterKind, maxLength: number, description: string) {
  const what = kind === 'positionLabel' ? 'a label no record or reading has' : 'an unknown id';
  const schema = listParam(z.string().min(1).max(maxLength), `${description} In any case; ${what} is a 400 that suggests close matches.`);
  ID_FILTERS.set(schema, kind);
  return schema;
}

export function idFilterKind(schema: unknown): IdFilterKind | undefined {
  return typeof schema === 'object' && schema !== null ? ID_FILTERS.get(schema as z.ZodType) : undefined;
}

export const booleanParam = (description: string) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe(description);

export const WHOLE_NUMBER = 'Expected a whole number (digits 0-9)';

/**
 * A whole number from min to max, from the text of a query parameter: plain decimal digits only, leading zeros
 * allowed ("035" is 35). Anything else ("abc", "1.5", "1e2", "0x10", " 50", "+5", "-1", an empty value) is refused
 * as WHOLE_NUMBER: JavaScript's Number() would read most of them as some number. OpenAPI shows an integer. A default
 * is given with .prefault(n): zod's .default does not reach OpenAPI through the preprocess.
 */
export const wholeNumberParam = (min: number, max: number) =>
  z
    .preprocess(
      // (Capped: beyond it, int() refuses a number as not whole, and over 308 digits Number() is Infinity.)
      (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Math.min(Number(value), Number.MAX_SAFE_INTEGER) : value),
      z
        .number({ error: WHOLE_NUMBER })
        .int({ error: WHOLE_NUMBER })
        // (Their own messages: the number's error above would otherwise answer for them too.)
        .min(min, { error: `Too small: expected a whole number from ${min} to ${max}` })
        .max(max, { error: `Too big: expected a whole number from ${min} to ${max}` }),
    )
    .meta({ format: 'int32' });

export const pageParams = {
  limit: wholeNumberParam(1, 500)
    .prefault(50)
    .describe('How many records to return (1–500, default 50).'),
  cursor: z
    .string()
    .max(2000)
    .optional()
    .describe('Opaque cursor from `meta.nextCursor` (or the `Link: rel="next"` header) of the previous page.'),
};

/** A calendar date (YYYY-MM-DD) that really exists: 2020-02-30 is refused. */
export const calendarDate = z.iso.date({ error: 'Expected a day (YYYY-MM-DD) that exists' }).meta({ maxLength: 10 }); // the format allows exactly 10 characters

const PERIOD_BOUND = 'Expected a day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY) that exists';
/** Longer than any date: said as the format expected (a "Too long" said nothing of what to write). */
const periodText = () => z.string().max(10, { error: PERIOD_BOUND });

/** A date known to the day, the month or the year, written to it ("2020-03-15", "2020-03", "2020"), that exists. */
export const dateToPrecision = periodText()
  .refine((value) => matchesPrecision(value, precisionOfWritten(value)), PERIOD_BOUND)
  .meta({ pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$' });

/**
 * A range filter's bound, to the day, month or year: `from=2020-07` is 2020-07-01 and `to=2020-07` is 2020-07-31
 * (so from=2020&to=2020 is the whole year), as dates known only to a month or a year are read (periodOf).
 */
export const periodBound = (end: 'start' | 'end') =>
  periodText()
    .transform((value, ctx) => {
      const precision = precisionOfWritten(value);
      if (matchesPrecision(value, precision)) return periodOf(value, precision)[end];
      ctx.addIssue({ code: 'custom', message: PERIOD_BOUND });
      return z.NEVER;
    })
    .meta({ pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$' });

/**
 * `from` and `to` on records dated to a period (a day, a month or a year, as known): a record matches when its
 * period overlaps [from, to] (src/db/period-overlap.ts). `plural`/`singular` name the records in the descriptions.
 */
export function periodRangeParams(plural: string, singular: string) {
  return {
    from: periodBound('start')
      .optional()
      .describe(
        `Only ${plural} whose period ends on or after this day (YYYY-MM-DD), or the first day of this month ` +
          '(YYYY-MM) or year (YYYY). A date is a period as precise as it is known: "2020" runs 2020-01-01…2020-12-31 ' +
          `and "2020-06" the whole of June, so a ${singular} dated "2020" matches from=2020-03-01. With \`to\`, a ` +
          `${singular} matches when its period overlaps [from, to]: from=2020-07&to=2020-07 is July 2020.`,
      ),
    to: periodBound('end')
      .optional()
      .describe(
        `Only ${plural} whose period starts on or before this day (YYYY-MM-DD), or the last day of this month ` +
          `(YYYY-MM) or year (YYYY). A ${singular} dated "2020" (year) or "2020-07" (month) matches to=2020-07-15, ` +
          'since its period overlaps. Must not be before `from`.',
      ),
  };
}

// At most nanosecond precision and an offset: 2020-06-01T12:00:00.123456789+02:00. The length alone let a Z
// (one character, not six) through with 10 to 13 digits that the same instant with +00:00 was refused with.
export const isoTimestamp = z.iso
  .datetime({ offset: true })
  .max(35)
  .refine((value) => !/\.\d{10}/.test(value));

/**
 * A day (YYYY-MM-DD: from its start, UTC) or an instant (ISO 8601 with offset). Refused with one message that
 * says what either must be, not zod's bare "Invalid input" for a union.
 */
export const dateOrInstant = z.union([isoTimestamp, calendarDate], {
  error: 'Not a valid date (YYYY-MM-DD) or ISO 8601 instant with offset (e.g. 2026-01-01T00:00:00Z)',
});

/**
 * The instant a dateOrInstant value names, written as stored timestamps are (ISO 8601, UTC, milliseconds), which
 * compare as text: clamped to the years 0000–9999 such a timestamp holds. An offset can take a valid instant
 * past them (9999-12-31T20:00:00-05:00 is +010000-01-01T01:00:00.000Z, which sorts before every stored one:
 * `since` gave the whole change feed, `updatedSince` every record).
 */
export function storedInstant(value: string): string {
  const instant = new Date(value).toISOString();
  if (instant.startsWith('+')) return '9999-12-31T23:59:59.999Z';
  if (instant.startsWith('-')) return '0000-01-01T00:00:00.000Z';
  return instant;
}

/**
 * Whether a query parameter's schema takes the parameter repeated (`?position=a&position=b`, which arrives
 * as an array): a list parameter, a groupBy, a publisher. Read from the schema itself (an array among its
 * inputs, through optional, default and pipe), so that a new parameter needs no list kept here.
 */
export function acceptsRepeats(schema: z.ZodType): boolean {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; options?: readonly z.ZodType[] };
  if (def.type === 'array') return true;
  if (def.type === 'union') return def.options!.some(acceptsRepeats);
  if (def.type === 'pipe') return acceptsRepeats(def.in!);
  return def.innerType !== undefined && acceptsRepeats(def.innerType);
}

/** The query of a route that takes no query parameters: any parameter is refused (400), not ignored. */
export const noQueryParams = z.object({}).strict();

/**
 * A selection of records by their own ids, exactly as written (ids are case-sensitive), up to 100 in one
 * request: recommendations, developments, assessments and statements take it alike. An id no record has
 * matches nothing (meta.total counts those found).
 */
export function recordIdsParam(noun: string, example: string, anyCase = false) {
  const id = z.string().min(1).max(200);
  // Reviews' and states' ids are in capitals, and their paths take them in any case (src/common/schemas.ts).
  return anyCase
    ? listParam(
        id.transform((value) => value.toUpperCase()),
        `${noun} id, in any case (read as capitals, as its path reads it; e.g. ${example}): up to 100 records in one request. An id no record has matches nothing.`,
      )
    : listParam(id, `${noun} id, exactly as written (e.g. ${example}): up to 100 records in one request. An id no record has matches nothing.`);
}

/** Only records changed at or after an instant or from a day on: every list of records that have `updatedAt`. */
export function updatedSinceParam() {
  return dateOrInstant
    .optional()
    .describe('Only records changed at or after this instant (ISO 8601 with offset, e.g. 2026-01-01T00:00:00Z), or this day (2026-01-01: from its start, UTC).');
}
