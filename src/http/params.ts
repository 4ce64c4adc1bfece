import { z } from 'zod';

// Query-string building blocks shared by every list route. Query strings arrive as strings (or arrays of
// strings when a parameter is repeated), so every value is parsed from text here.

function splitValues(value: unknown): unknown {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  return parts.map((p) => (typeof p === 'string' ? p.trim() : p));
}

/** A list-valued filter: `?position=supported,noted` and `?position=supported&position=noted` alike. */
export function listParam<T extends z.ZodType>(item: T, description: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform(splitValues)
    .pipe(z.array(item).min(1).max(100))
    .optional()
    .describe(`${description} Comma-separated or repeated; a record matches when it has any of the values.`);
}

export const isoCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code in capitals, e.g. KGZ');

export const booleanParam = (description: string) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe(description);

export const intText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'Expected a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

export const pageParams = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .describe('How many records to return (1–500, default 50).'),
  cursor: z
    .string()
    .max(2000)
    .optional()
    .describe('Opaque cursor from `meta.nextCursor` (or the `Link: rel="next"` header) of the previous page.'),
};

/** A calendar date (YYYY-MM-DD) that really exists: 2020-02-30 is refused. */
export const calendarDate = z.iso.date();

export const isoTimestamp = z.iso.datetime({ offset: true });

/** The query of a route that takes no query parameters: any parameter is refused (400), not ignored. */
export const noQueryParams = z.object({}).strict();
