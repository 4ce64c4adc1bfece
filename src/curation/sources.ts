import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { slugify } from '../common/slug.js';
import type { WriteContext } from '../db/audit.js';
import { sources } from '../db/schema.js';
import { dateToPrecision } from '../http/params.js';
import { periodOf, precisionOfWritten } from '../common/dates.js';
import type { DatePrecision } from '../db/schema.js';
import { unprocessable } from '../http/problem.js';
import { latestDayBegun } from './checks.js';
import { SOURCES } from '../../seed/kyrgyzstan-upr3.js';

// Sources are given inline by every write that cites one, and identified by their URL: a source stored
// with the same URL is reused, and its title, publisher and publication date are updated to the values
// given (a change audited under the entity "sources", so mirrors see it in the change feed).

// Examples cite a source of the seed exactly as stored: trying them out does not rewrite it.
const seeded = SOURCES.find((source) => source.id === 'hrw-2020-09-28-kgz-upr-adoption')!;
export const SOURCE_EXAMPLE = {
  title: seeded.title,
  publisher: seeded.publisher,
  url: seeded.url,
  publishedOn: seeded.publishedOn,
};

export const sourceInputSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(500).describe('Title of the document or page.'),
    publisher: z.string().trim().min(1).max(300).describe('Who published it, e.g. Human Rights Watch.'),
    url: z
      .url({ protocol: /^https?$/, error: 'Expected an http(s) URL' })
      // Its own message: the url's error would say "Expected an http(s) URL" of a valid URL too long.
      .max(2000, 'Too big: expected a URL of at most 2,000 characters')
      // (PostgreSQL's unique index on it takes at most ~2,700 bytes: a longer URL of non-ASCII letters was a 500.)
      .refine((url) => Buffer.byteLength(url) <= 2000, 'Too big: expected a URL of at most 2,000 bytes in UTF-8')
      .describe(
        'Where it can be read; identifies the source (a source stored with this URL is reused). At most 2,000 ' +
          'characters and 2,000 bytes in UTF-8.',
      ),
    publishedOn: dateToPrecision
      .nullable()
      .optional()
      .describe(
        'Publication date, as precisely as known: a day ("2020-03-15"), a month ("2020-03") or a year ("2020"), stored ' +
          'with that precision; not in the future (422: a month or year that has begun is not); omit it or give null ' +
          'when unknown (a stored date is then kept).',
      ),
  })
  .meta({ id: 'CitedSource', example: SOURCE_EXAMPLE });

export type SourceInput = z.infer<typeof sourceInputSchema>;

/**
 * `sources` of a record that stores one source (an assessment, a statement, a recommendation's text): a list
 * like every record's `sources`, of at most one entry (at least `min`).
 */
export const oneSourceList = (min: 0 | 1, description: string) =>
  z.array(sourceInputSchema).min(min).max(1).describe(description);

export type SourceFields = {
  title: string;
  publisher: string;
  url: string;
  publishedOn: string | null;
  publishedOnPrecision: DatePrecision | null;
};

/** A source's date as given and the precision it is written to; null (unknown) for both when it is not given. */
export function datedSource(publishedOn: string | null | undefined): Pick<SourceFields, 'publishedOn' | 'publishedOnPrecision'> {
  return publishedOn == null
    ? { publishedOn: null, publishedOnPrecision: null }
    : { publishedOn, publishedOnPrecision: precisionOfWritten(publishedOn) };
}

/** The stored source's fields after a write that gives these (an unknown date keeps the stored one). */
export function updatedSource<T extends SourceFields>(before: T, input: SourceInput): T {
  const dated = input.publishedOn == null ? {} : datedSource(input.publishedOn);
  return { ...before, title: input.title, publisher: input.publisher, ...dated };
}

/** A new source's fields, from what a write gives. */
export function newSource(input: SourceInput): SourceFields {
  return { title: input.title, publisher: input.publisher, url: input.url, ...datedSource(input.publishedOn) };
}

/** A readable, stable id for a new source: its host and a hash of its URL, e.g. hrw-org-1a2b3c4d5e. */
export function sourceIdFor(url: string): string {
  const host = slugify(new URL(url).hostname.replace(/^www\./, '')).slice(0, 60);
  return `${host}-${createHash('sha256').update(url).digest('hex').slice(0, 10)}`;
}

/**
 * What is wrong with a source's publication date, if anything: a day that has begun nowhere yet (after the day in
 * UTC+14) was stored and shown as a fact; a month or a year is in the future when it has not begun (a
 * source dated this month is not). Not bounded below as event dates are: a cited law or treaty may be older than
 * the UN. The write API answers it 422, an import skips the source. `date` is written to its precision.
 */
export function publishedOnProblem(date: string | null | undefined): string | undefined {
  return date != null && periodOf(date, precisionOfWritten(date)).start > latestDayBegun() ? `"${date}" is in the future` : undefined;
}

/** 422 for a source whose publication date is refused (`index`: its place in the body's `sources`). */
export function checkPublishedOn(input: SourceInput, index: number): void {
  const problem = publishedOnProblem(input.publishedOn);
  if (problem) throw unprocessable([{ in: 'body', name: `sources.${index}.publishedOn`, message: problem }]);
}

/** The id of the source with this URL, inserted or updated as given (`index`: its place in the body's `sources`). */
export function upsertSource(ctx: WriteContext, input: SourceInput, index = 0): string {
  checkPublishedOn(input, index);
  const stored = ctx.tx.get<(SourceFields & { id: string }) | undefined>(sql`select id, title, publisher, url,
      published_on as publishedOn, published_on_precision as publishedOnPrecision
    from sources where url = ${input.url}`);
  if (stored) {
    const { id, ...before } = stored;
    const after = updatedSource(before, input);
    if (ctx.audit({ entity: 'sources', entityId: id, action: 'update', before, after })) {
      ctx.tx.update(sources).set(after).where(eq(sources.id, id)).run();
    }
    return id;
  }
  const base = sourceIdFor(input.url);
  let id = base;
  for (let n = 2; ctx.tx.get(sql`select 1 from sources where id = ${id}`) !== undefined; n++) id = `${base}-${n}`;
  const fields = newSource(input);
  ctx.tx.insert(sources).values({ id, ...fields }).run();
  ctx.audit({ entity: 'sources', entityId: id, action: 'create', before: null, after: fields });
  return id;
}
