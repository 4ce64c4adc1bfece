import type { Database, Statement } from 'better-sqlite3';
import { Name, SQL, StringChunk } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from './open.js';

// Statements prepared once per connection and reused: the batched lookups of a page's related rows
// (recommending states, themes, …), one statement per relation taking the page's ids as one JSON array
// parameter (`… in (select value from json_each(?))`), so that a page or an export chunk of any size costs
// one lookup per relation; and the list queries themselves, whose text repeats from page to page.

const statements = new WeakMap<Database, Map<string, Statement<unknown[], unknown[]>>>();

/** Statements kept per connection; past this many distinct queries, the cache starts afresh. */
const MAX_STATEMENTS = 200;

function prepared(db: Db, query: string): Statement<unknown[], unknown[]> {
  let cache = statements.get(db.$client);
  if (!cache) statements.set(db.$client, (cache = new Map()));
  let statement = cache.get(query);
  if (!statement) {
    if (cache.size >= MAX_STATEMENTS) cache.clear();
    cache.set(query, (statement = db.$client.prepare<unknown[], unknown[]>(query).raw()));
  }
  return statement;
}

const dialect = new SQLiteSyncDialect();

/**
 * Appends the text and parameters of drizzle `sql` chunks made only of text, nested `sql`, identifiers and
 * plain values (each a `?` parameter), as drizzle's sqlToQuery would; false at any other kind of chunk.
 */
function appendQuery(chunks: readonly unknown[], text: string[], params: unknown[]): boolean {
  for (const chunk of chunks) {
    if (chunk instanceof StringChunk) text.push(...chunk.value);
    else if (chunk instanceof SQL) {
      if ((chunk as unknown as { shouldInlineParams: boolean }).shouldInlineParams) return false;
      if (!appendQuery(chunk.queryChunks, text, params)) return false;
    } else if (chunk instanceof Name) text.push(dialect.escapeName(chunk.value));
    else if (chunk === null || ['string', 'number', 'bigint'].includes(typeof chunk)) {
      text.push('?');
      params.push(chunk);
    } else if (chunk !== undefined) return false;
  }
  return true;
}

/**
 * A query's text and parameters: drizzle's sqlToQuery, which builds each chunk's text as an object and
 * merges them (measured at 100k: 80-200 µs for a list page's key query, several times this walk), is only
 * used for chunks the walk does not know.
 */
export function sqlToQuery(query: SQL): { sql: string; params: unknown[] } {
  const text: string[] = [];
  const params: unknown[] = [];
  return appendQuery([query], text, params) ? { sql: text.join(''), params } : dialect.sqlToQuery(query);
}

/** The rows of a query, as arrays, through a statement prepared once per connection for this query text. */
export function rowValues(db: Db, query: SQL): unknown[][] {
  const { sql: text, params } = sqlToQuery(query);
  return prepared(db, text).all(...params) as unknown[][];
}

/**
 * Runs `query`, whose one parameter is a JSON array of ids and whose first column is the id each row
 * belongs to, and groups its rows (as arrays: the id, then the other columns) by that id, in query order.
 */
export function lookupByIds<Row extends [id: string, ...values: unknown[]]>(
  db: Db,
  query: string,
  ids: readonly string[],
): Map<string, Row[]> {
  return groupById(prepared(db, query).all(JSON.stringify(ids)) as Row[]);
}

/** Rows whose first column is an id, grouped by it in their order. */
export function groupById<Row extends [id: string, ...values: unknown[]]>(rows: Row[]): Map<string, Row[]> {
  const map = new Map<string, Row[]>();
  for (const row of rows) {
    const list = map.get(row[0]);
    if (list) list.push(row);
    else map.set(row[0], [row]);
  }
  return map;
}

/**
 * The keys linked to each id (by `linksQuery`: id, key, then any columns of the link), each with its label
 * (by `labelsQuery`, run once for the distinct keys: key, label, then any columns of the label), as
 * [key, label, link's columns…, label's columns…] sorted by label. Cheaper than joining the label table for
 * every link. (Labels compare by UTF-16 code unit, which for these labels is SQLite's BINARY order.)
 */
export function labelledLinks<Extra extends unknown[] = []>(
  db: Db,
  linksQuery: string,
  labelsQuery: string,
  ids: readonly string[],
): Map<string, [key: string, label: string, ...extra: Extra][]> {
  const links = lookupByIds<[string, string, ...unknown[]]>(db, linksQuery, ids);
  const labels = prepared(db, labelsQuery).all(JSON.stringify(linkedKeys(links))) as [string, string, ...unknown[]][];
  return joinLabels<Extra>(links, labels);
}

/** The distinct keys of labelledLinks' links, whose labels it reads. */
export function linkedKeys(links: Map<string, [string, string, ...unknown[]][]>): string[] {
  const keys = new Set<string>();
  for (const rows of links.values()) for (const row of rows) keys.add(row[1]);
  return [...keys];
}

/** labelledLinks' tuples from the links grouped by id and the labels of their keys (PostgreSQL reads both too). */
export function joinLabels<Extra extends unknown[] = []>(
  links: Map<string, [string, string, ...unknown[]][]>,
  labelRows: [string, string, ...unknown[]][],
): Map<string, [key: string, label: string, ...extra: Extra][]> {
  const labels = new Map(labelRows.map((l) => [l[0], l]));
  for (const rows of links.values()) {
    // Each [id, key, …] row becomes its [key, label, …] tuple in place: export chunks make many of them.
    for (const row of rows) {
      const label = labels.get(row[1])!;
      row[0] = row[1];
      row[1] = label[1];
      for (let i = 2; i < label.length; i++) row.push(label[i]);
    }
    // Two schemes may word a label alike ("Right to education"): the key breaks the tie, so the order is stable.
    rows.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : 1));
  }
  return links as unknown as Map<string, [key: string, label: string, ...extra: Extra][]>;
}
