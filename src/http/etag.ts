import { createHash } from 'node:crypto';
import { stampNumber } from '../db/revision.js';

// ETags. A record's ETag names its version and, after it, what the representation shows, then the record itself.
// The version makes If-Match (optimistic concurrency) precise to the version; the record's mark (`-i` and 8 hex
// digits of a hash of its id) to the record: without it, an If-Match carrying another record's ETag of the same
// version was accepted. A read, and a write's answer (the stored record, as a read shows it), carry a digest of
// the representation sent, in decimal (`"v3-r81985529216486-i1a2b3c4d"`), so that a write to another record
// leaves it unchanged while any change to what it shows (its own fields, the assessments and developments it
// embeds, a renamed label) changes it. A 412 names the current version and the data revision
// (`"v3-r17-i1a2b3c4d"`). Both parse as the same version of the same record for If-Match. A source, which no
// write changes, has no mark.
// A list's or export's ETag is the revision and a hash of the revision's token and the normalised query:
// `"r17-1a2b3c4d5e6f"`; the token (src/db/revision.ts) keeps a revision number that a restore brings back
// from naming the data it named before.

/** The record an ETag names: 8 hex digits of a hash of its id (ids are unique across the kinds of records). */
export function recordMark(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 8);
}

/** The ETag a 412 names: the record's current version, the data revision, the record. */
export function recordEtag(version: number, revision: number, id: string): string {
  return `"v${version}-r${revision}-i${recordMark(id)}"`;
}

/** The ETag of a record read: its version, a digest of the JSON sent (48 bits, in decimal) and, given its id, the record. */
export function representationEtag(version: number, json: string, id?: string): string {
  const digest = createHash('sha256').update(json).digest().readUIntBE(0, 6);
  return id === undefined ? `"v${version}-r${digest}"` : `"v${version}-r${digest}-i${recordMark(id)}"`;
}

export function queryEtag(stamp: string, normalisedQuery: string): string {
  const hash = createHash('sha256').update(`${stamp}\n${normalisedQuery}`).digest('base64url').slice(0, 16);
  return `"r${stampNumber(stamp)}-${hash}"`;
}

/** A compressed representation's ETag ends in its content coding: `"v3-r81985529216486-gzip"`, `"r17-…-br"`. */
export const CODING_SUFFIX = /-(?:br|gzip|deflate)"/g;

/**
 * The versions of record `id` an If-Match header accepts: '*' for any, or the versions of the ETags listed that
 * name that record, those of a compressed representation included (a GET with Accept-Encoding answers
 * `"v3-r…-i…-gzip"`). Another record's ETag, or one without a record's mark (before 2026-12-05), names no
 * version of it. If-Match compares strongly (RFC 9110 §13.1.1): a weak tag (W/"…") never matches either.
 */
export function ifMatchVersions(header: string, id: string): '*' | number[] {
  if (header.trim() === '*') return '*';
  const mark = recordMark(id);
  return header
    .split(',')
    .map((tag) => /^"v(\d+)-r\d+-i([0-9a-f]{8})(?:-(?:br|gzip))?"$/.exec(tag.trim()))
    .filter((match) => match !== null && match[2] === mark)
    .map((match) => Number(match![1]));
}

/**
 * The versions of record `id` an If-None-Match header on a write names: '*' for any (a write to a stored record
 * then fails), or those of the ETags listed that name that record, compared weakly (RFC 9110 §13.1.2: W/"…" too).
 * A `*` among tags (two header lines, `*` and a tag, which Node joins) is still `*`: a write refuses rather than
 * drops the precondition.
 */
export function ifNoneMatchVersions(header: string, id: string): '*' | number[] {
  const tags = header.replace(/(^|,)\s*W\//g, '$1');
  return tags.split(',').some((tag) => tag.trim() === '*') ? '*' : ifMatchVersions(tags, id);
}

/**
 * A write's preconditions on the version stored (RFC 9110 §13.2.2): it applies to the versions If-Match names
 * ('*': any) that If-None-Match does not name ('*': none, as every write but a create is to a stored record).
 */
export interface VersionCondition {
  ifMatch: '*' | number[];
  ifNoneMatch: '*' | number[];
}

/** Which precondition the stored version fails, or null when the write may apply to it. */
export function failedPrecondition(condition: VersionCondition, version: number): 'If-Match' | 'If-None-Match' | null {
  const names = (versions: '*' | number[]) => versions === '*' || versions.includes(version);
  if (!names(condition.ifMatch)) return 'If-Match';
  return names(condition.ifNoneMatch) ? 'If-None-Match' : null;
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc any visible character but DQUOTE (and
// obs-text, which Node reads as latin1).
const ENTITY_TAG = /^(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;
// A list's elements: a quoted string may hold a comma, and runs to its closing quote (or the end).
const LIST_ELEMENTS = /(?:"[^"]*(?:"|$)|[^,"])+/g;

/**
 * Why an If-Match header is not RFC 9110's syntax (§13.1.1: `*` alone, or a list of entity tags; empty elements
 * allowed among tags), or undefined when it is. A weak tag is valid syntax: it never matches, which is a 412.
 */
export function ifMatchSyntaxError(header: string): string | undefined {
  const elements = (header.match(LIST_ELEMENTS) ?? []).map((element) => element.trim()).filter((element) => element !== '');
  // `*` is the whole header (an empty element beside it, `*,`, made it a list naming the tag "*": no ETag is that).
  if (header.trim() === '*') return undefined;
  if (elements.includes('*')) {
    return (
      'it is either * alone or a list of entity tags, not both (RFC 9110, section 13.1.1): * already matches any ' +
      'current representation, so send it alone (two If-Match lines, one of them *, are read as one list).'
    );
  }
  const bad = elements.find((element) => !ENTITY_TAG.test(element));
  if (bad === undefined) return undefined;
  return (
    `it lists ${JSON.stringify(bad)}, which is no entity tag (RFC 9110, section 8.8.3): an entity tag is a quoted ` +
    'string, with W/ before it for a weak one, as an ETag header sends it ("v3-r81985529216486-i1a2b3c4d"); several ' +
    'are separated by commas.'
  );
}

/**
 * Whether an If-None-Match header lists this ETag (weak comparison, as RFC 9110 asks for If-None-Match), under
 * any content coding: the same representation, compressed or not.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => namesEtag(tag.trim(), etag));
}

/**
 * Whether If-Match holds for a read answered with `etag` (undefined: a response without one): `*`, or a listed tag
 * that is `etag` under any content coding, compared strongly (RFC 9110 §13.1.1: a weak tag, or a weak ETag, never).
 */
export function ifMatchHolds(header: string, etag: string | undefined): boolean {
  if (header.trim() === '*') return true;
  if (etag === undefined || etag.startsWith('W/')) return false;
  return header.split(',').some((tag) => !tag.trim().startsWith('W/') && namesEtag(tag.trim(), etag));
}

/** The tag in If-None-Match that matches `etag`, content-coding suffix and weakness aside: the one to echo in a 304. */
export function matchingTag(header: string, etag: string): string {
  const tags = header.split(',').map((tag) => tag.trim());
  return tags.find((tag) => namesEtag(tag, etag)) ?? etag;
}

/**
 * Whether `tag` is `etag`, weakness aside, as sent or with a content coding's suffix. As sent first: a list's hash
 * is base64url, whose `-` may end it in `-br` (one query and revision in 262,144), and taken for a suffix that
 * ETag never revalidated.
 */
function namesEtag(tag: string, etag: string): boolean {
  const bare = tag.replace(/^W\//, '');
  return bare === etag || bare.replace(CODING_SUFFIX, '"') === etag;
}
