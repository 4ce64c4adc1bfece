import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { booleanParam } from './params.js';
import { HttpProblem } from './problem.js';

// Response formats of list, export and stats routes: JSON (the default), CSV and NDJSON. `?format=` wins
// over the Accept header; a route that negotiates sends `Vary: Accept`; an Accept header that allows none of
// a route's formats is a 406 problem.

export const FORMATS = ['json', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

export const MEDIA_TYPES: Record<Format, string> = {
  json: 'application/json',
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
};

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The `format` and `bom` query parameters, for a route answering in the given formats. */
export function formatParams(formats: readonly Format[] = FORMATS) {
  const listed = formats.map((f) => `${f} (${MEDIA_TYPES[f]})`).join(', ');
  return {
    format: z
      .enum(formats as [Format, ...Format[]])
      .optional()
      .describe(
        `Response format: ${listed}. Overrides the Accept header; without either, JSON. A CSV or NDJSON export ` +
          'is the complete result of the filters, streamed (limit and cursor apply only when given).',
      ),
    bom: booleanParam(
      'With CSV: true starts the file with a UTF-8 byte order mark, so that Excel reads non-ASCII text correctly.',
    ),
  };
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

// Every format is sent in UTF-8: a range asking for another charset matches none of them (RFC 9110 §12.5.1: a
// media range with parameters matches only representations with those parameters).
const UTF_8 = new Set(['utf-8', 'utf8', '"utf-8"']);

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const [type, subtype] = range.split('/');
    if (!type || !subtype) continue;
    let q = 1;
    let otherCharset = false;
    for (const param of params) {
      const [name, value = ''] = param.split('=').map((s) => s.trim());
      if (name === 'q') q = Number(value);
      else if (name === 'charset' && !UTF_8.has(value)) otherCharset = true;
    }
    if (!otherCharset) ranges.push({ type, subtype, q: Number.isFinite(q) ? q : 0 });
  }
  return ranges;
}

/** The quality an Accept header gives a media type: the most specific matching range decides. */
function quality(ranges: MediaRange[], mediaType: string): number {
  const [type, subtype] = mediaType.split('/');
  let best = -1;
  let q = 0;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity > best) {
      best = specificity;
      q = range.q;
    }
  }
  return q;
}

/** The format the Accept header prefers among `formats` (the first wins a tie), or undefined for none. */
export function negotiate(accept: string | undefined, formats: readonly Format[]): Format | undefined {
  if (accept === undefined || accept.trim() === '') return formats[0];
  const ranges = parseAccept(accept);
  let chosen: Format | undefined;
  let chosenQ = 0;
  for (const format of formats) {
    const q = quality(ranges, MEDIA_TYPES[format]);
    if (q > chosenQ) {
      chosen = format;
      chosenQ = q;
    }
  }
  return chosen;
}

/**
 * The format a request asks for among `formats`: `?format=` when it names one of them, else the Accept
 * header's preference; undefined when neither allows one (a `format` outside `formats` is refused by the
 * route's schema; an Accept header that allows none is a 406). The one decision behind both the response
 * and the export rate limit.
 */
export function requestedFormat(
  formatParam: unknown,
  accept: string | undefined,
  formats: readonly Format[],
): Format | undefined {
  if (formatParam !== undefined) return formats.find((format) => format === formatParam);
  return negotiate(accept, formats);
}

/** The formats a route answers in: those of its `queryCache` config (src/http/cache.ts); else JSON only. */
export function routeFormats(request: FastifyRequest): readonly Format[] {
  return request.routeOptions?.config?.queryCache?.formats ?? ['json'];
}

/**
 * Whether a request is an export: one its route answers as CSV or NDJSON, by `?format=` or by its Accept
 * header (wildcards and q-values included, as negotiated). The export rate limit counts these.
 */
export function isExportRequest(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown> | undefined;
  const format = requestedFormat(query?.format, request.headers.accept, routeFormats(request));
  return format !== undefined && format !== 'json';
}

const chosenFormats = new WeakMap<FastifyRequest, Format>();

/**
 * The format to answer this request in: `?format=` when given, else the Accept header's preference among
 * `formats`. Throws a 406 problem when the Accept header allows none of them.
 */
export function responseFormat(request: FastifyRequest, formats: readonly Format[] = FORMATS): Format {
  const known = chosenFormats.get(request);
  if (known) return known;
  const format = requestedFormat((request.query as { format?: Format } | undefined)?.format, request.headers.accept, formats);
  if (format === undefined) {
    throw new HttpProblem(
      406,
      `This resource is available as ${formats.map((f) => MEDIA_TYPES[f]).join(', ')}, in UTF-8; the Accept ` +
        'header allows none of them. Send one of these types, or ?format=.',
    );
  }
  chosenFormats.set(request, format);
  return format;
}

/** Whether the request's query string itself names a parameter (as opposed to a default filled in). */
export function queryHas(request: FastifyRequest, name: string): boolean {
  const question = request.url.indexOf('?');
  return question >= 0 && new URLSearchParams(request.url.slice(question + 1)).has(name);
}

/**
 * The absolute URL of the API root, e.g. https://upr.example.org: the configured PUBLIC_URL, never the
 * request's Host header (which a client chooses, and which the ETag and the response cache do not vary on).
 */
export function apiOrigin(request: FastifyRequest): string {
  return request.server.publicUrl;
}

/** `Content-Disposition` for a downloaded export: `attachment; filename="recommendations-2026-05-01.csv"`. */
export function setAttachment(reply: FastifyReply, resource: string, format: Exclude<Format, 'json'>): void {
  const date = new Date().toISOString().slice(0, 10);
  const extension = format === 'csv' ? 'csv' : 'ndjson';
  reply.header('content-disposition', `attachment; filename="${resource}-${date}.${extension}"`);
}

// ── CSV (RFC 4180) ──

export type CsvValue = string | number | boolean | null | undefined;

export interface CsvColumn<Row> {
  name: string;
  description: string;
  value: (row: Row, context: CsvContext) => CsvValue | readonly (string | number)[];
}

export interface CsvContext {
  /** The absolute URL of the API root, for each record's `url` column. */
  origin: string;
}

/** Separator of multi-valued fields inside one cell. */
export const MULTI_SEPARATOR = '; ';

// OWASP CSV injection: a spreadsheet evaluates a cell starting with one of these as a formula.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV cell. Numbers and booleans are written as they are (a negative number stays a number); text that
 * a spreadsheet would run as a formula, or that starts with an apostrophe, gets an apostrophe in front,
 * so that removing one leading apostrophe from any text cell that has one gives back the exact text.
 */
export function csvCell(value: CsvValue | readonly (string | number)[]): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : value.join(MULTI_SEPARATOR);
  if (FORMULA_START.test(text) || text.startsWith("'")) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader<Row>(columns: readonly CsvColumn<Row>[]): string {
  return `${columns.map((c) => csvCell(c.name)).join(',')}\r\n`;
}

/** CSV records (each ending in CRLF) for rows. */
export function csvRows<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[], context: CsvContext): string {
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) line += ',';
      line += csvCell(columns[i]!.value(row, context));
    }
    out += `${line}\r\n`;
  }
  return out;
}

/** NDJSON lines for rows: one JSON object per line, each ending in LF. */
export function ndjsonRows(rows: readonly unknown[]): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

export const BOM = '\uFEFF';

/** A Markdown table of CSV columns, for the OpenAPI description of a `text/csv` response. */
export function describeColumns<Row>(columns: readonly CsvColumn<Row>[]): string {
  return [
    '| column | meaning |',
    '| --- | --- |',
    ...columns.map((c) => `| \`${c.name}\` | ${c.description.replaceAll('|', '\\|')} |`),
  ].join('\n');
}

export const CSV_CONVENTIONS =
  'RFC 4180 CSV in UTF-8: CRLF line ends, a header row, one row per record. An empty cell is null (or an ' +
  `empty list). Multi-valued cells join their values with "${MULTI_SEPARATOR}". A text cell that starts ` +
  "with =, +, -, @, a tab or a carriage return, or with an apostrophe, has an apostrophe (') put in front " +
  'so that spreadsheets do not run it as a formula (OWASP); to read the exact text back, remove one ' +
  'leading apostrophe from any text cell that has one. Numbers and true/false are never altered. Dates are ' +
  'ISO 8601, written to their precision.';

const describedStrings = new Map<string, z.ZodString>();

/** A string schema with this description: one per description, shared by every app built (zod schemas are immutable). */
function described(description: string): z.ZodString {
  let schema = describedStrings.get(description);
  if (schema === undefined) describedStrings.set(description, (schema = z.string().describe(description)));
  return schema;
}

/**
 * The 200 response of a list route: its JSON schema, and the CSV and NDJSON representations described for
 * OpenAPI (both streamed; their bodies are text).
 */
export function listResponse<T extends z.ZodType>(
  schema: T,
  description: string,
  csvColumns: readonly CsvColumn<never>[],
  ndjsonItem: string,
) {
  return {
    description,
    content: {
      'application/json': { schema },
      'text/csv': {
        schema: described(
          `${CSV_CONVENTIONS} With \`Content-Disposition: attachment\`; \`?bom=true\` prepends a byte order ` +
            `mark. The columns, in this order:\n\n${describeColumns(csvColumns)}`,
        ),
      },
      'application/x-ndjson': {
        schema: described(`Newline-delimited JSON: one ${ndjsonItem} object per line, as in the JSON \`data\` array.`),
      },
    },
  };
}

/** The 304 response of a route with query ETags (no body). */
export const notModifiedResponse = z
  .null()
  .describe('Not Modified: the ETag sent in If-None-Match is still current; no body.');
