import { type SQL, sql } from 'drizzle-orm';
import type pg from 'pg';
import { fts5Terms, porterStem } from '../fts5/tokenize.js';
import { fullTextGroups, fullTextTerms } from '../fulltext.js';

// Full text on PostgreSQL matches exactly the records FTS5 matches on SQLite, for every `q`. PostgreSQL's own
// parser, stemmer and stop words are not used: the terms are FTS5's, computed in JavaScript
// (src/db/fts5/tokenize.ts: the unicode61 tokenizer with remove_diacritics 2 and SQLite's Porter stemmer,
// tested against SQLite itself). The `search` tsvector of recommendations, developments and statements is written as a
// tsvector literal of those terms with their positions (searchVector), and a query is a tsquery literal of
// its terms stemmed the same way (toTsQuery): a literal is taken as it is, with no parsing, stemming or stop
// words of a text search configuration. Every term must occur (&); a "phrase" is its words in sequence
// (<->); word* is a prefix (:*) of the stemmed word, as FTS5 stems a prefix before it looks it up (`q=policies*`
// is `polici*`). A development's summary starts a position after its title ends, so that a phrase never runs
// from one into the other (FTS5's columns). Ranking differs: ts_rank (relevanceRank), not bm25.
//
// `search` is NULL until filled: rows inserted, and rows whose text (a development's title or summary, a
// statement's summary) changes, which a trigger of migrations/postgres/0014_fts5_terms.sql (0017 for statements)
// sets back to NULL. pgFillSearch fills them before every write transaction commits (write-transaction.ts) and
// after an import (src/import/pg-import.ts), and on start for a database migrated from the english tsvector or
// from before statements' search (freshen.ts); a copy (src/db/copy/copy.ts) writes them with the rows
// (rowSearchVector).
//
// What PostgreSQL still cannot hold as FTS5 does (docs/postgresql-backend.md, "Full text on PostgreSQL"): a word longer than
// 2,046 bytes is kept as its first 2,046 bytes (no word of a query can be as long, so a word or a prefix
// matches it as before), and a word's 257th and later positions in one record are dropped, so a phrase made
// with one of them is not found.

/** PostgreSQL's longest lexeme, in bytes. */
const MAX_LEXEME_BYTES = 2046;

const quoteLexeme = (term: string) => `'${term.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/** A term as PostgreSQL can hold it: at most its first MAX_LEXEME_BYTES bytes, whole characters. */
function lexeme(term: string): string {
  if (term.length * 3 <= MAX_LEXEME_BYTES || Buffer.byteLength(term) <= MAX_LEXEME_BYTES) return term;
  let bytes = 0;
  let end = 0;
  for (const character of term) {
    bytes += Buffer.byteLength(character);
    if (bytes > MAX_LEXEME_BYTES) break;
    end += character.length;
  }
  return term.slice(0, end);
}

/** Adds a text's terms to `positions` from position `first`, with a weight; returns the position after the last. */
function addTerms(positions: Map<string, string[]>, text: string, first: number, weight: string): number {
  let at = first;
  for (const term of fts5Terms(text)) {
    const key = lexeme(term);
    const list = positions.get(key);
    if (list === undefined) positions.set(key, [`${at}${weight}`]);
    else list.push(`${at}${weight}`);
    at++;
  }
  return at;
}

const vector = (positions: Map<string, string[]>) =>
  [...positions].map(([term, at]) => `${quoteLexeme(term)}:${at.join(',')}`).join(' ');

/** A recommendation's text as the tsvector literal of its FTS5 terms. */
export function searchVector(text: string): string {
  const positions = new Map<string, string[]>();
  addTerms(positions, text, 1, '');
  return vector(positions);
}

/** A development's title (weight A) and summary (B) as one tsvector literal, a position apart. */
export function developmentSearchVector(title: string, summary: string): string {
  const positions = new Map<string, string[]>();
  addTerms(positions, summary, addTerms(positions, title, 1, 'A') + 1, 'B');
  return vector(positions);
}

/** How a copied row of `table` (its values in `columns`' order) gets its `search`; undefined for other tables. */
export function rowSearchVector(table: string, columns: readonly string[]): ((row: readonly unknown[]) => string) | undefined {
  const at = (column: string) => columns.indexOf(column);
  if (table === 'recommendations') return (row) => searchVector(row[at('text')] as string);
  if (table === 'developments') return (row) => developmentSearchVector(row[at('title')] as string, row[at('summary')] as string);
  if (table === 'statements') return (row) => searchVector(row[at('summary')] as string);
  return undefined;
}

/** The search as the text of a tsquery literal of FTS5's terms. */
export function toTsQuery(q: string): string {
  const phrase = (tokens: string[], prefix: boolean) => {
    const words = tokens.map((token, i) => `${quoteLexeme(porterStem(token))}${prefix && i === tokens.length - 1 ? ':*' : ''}`);
    return words.length === 1 ? words[0]! : `(${words.join(' <-> ')})`;
  };
  const groups = fullTextGroups(fullTextTerms(q)).map((terms) =>
    terms
      .map((term) => {
        const typed = phrase(term.tokens, term.prefix);
        if (!term.alternatives) return typed;
        return `(${[typed, ...term.alternatives.map((alternative) => phrase(alternative.tokens, term.prefix))].join(' | ')})`;
      })
      .join(' & '),
  );
  return groups.length === 1 ? groups[0]! : groups.map((side) => `(${side})`).join(' | ');
}

/** The tsquery of a search, for `search @@ …` and ts_rank. */
export function tsQuery(q: string): SQL {
  return sql`${toTsQuery(q)}::tsquery`;
}

/**
 * A match's rank, lower for better matches as bm25 is on SQLite, so that the relevance sort is ascending on
 * both: minus ts_rank (term frequency in the record, without bm25's weighting of rare terms or its
 * normalisation by record length), as double precision so that a cursor's value round-trips exactly.
 */
export function relevanceRank(search: SQL, query: SQL): SQL {
  return sql`(-ts_rank(${search}, ${query}))::float8`;
}

/** Rows whose search pgFillSearch fills per statement, of each table. */
export const FILL_SEARCH_ROWS = 500;

type Unfilled = { kind: 'r' | 'd' | 's'; id: string; a: string; b: string | null };

/** Fills `search` where it is NULL in at most `rows` rows of each table; returns how many it filled. */
export async function pgFillSearchBatch(client: Pick<pg.PoolClient, 'query'>, rows: number): Promise<number> {
  const unfilled = (
    await client.query<Unfilled>(
      `(select 'r' as kind, id, text as a, null as b from recommendations where search is null limit $1)
        union all (select 'd', id, title, summary from developments where search is null limit $1)
        union all (select 's', id, summary, null from statements where search is null limit $1)`,
      [rows],
    )
  ).rows;
  const tables = [
    ['recommendations', unfilled.filter((row) => row.kind === 'r'), (row: Unfilled) => searchVector(row.a)],
    ['developments', unfilled.filter((row) => row.kind === 'd'), (row: Unfilled) => developmentSearchVector(row.a, row.b!)],
    ['statements', unfilled.filter((row) => row.kind === 's'), (row: Unfilled) => searchVector(row.a)],
  ] as const;
  for (const [table, list, vectorOf] of tables) {
    if (list.length === 0) continue;
    await client.query(
      `update ${table} t set search = u.search::tsvector from unnest($1::text[], $2::text[]) u (id, search) where t.id = u.id`,
      [list.map((row) => row.id), list.map(vectorOf)],
    );
  }
  return unfilled.length;
}

/**
 * Fills `search` wherever it is NULL, FILL_SEARCH_ROWS rows of each table at a time; returns how many rows it
 * filled. Inside a transaction holding the write lock, so that no text changes meanwhile.
 */
export async function pgFillSearch(client: Pick<pg.PoolClient, 'query'>): Promise<number> {
  let filled = 0;
  for (let n = await pgFillSearchBatch(client, FILL_SEARCH_ROWS); n > 0; n = await pgFillSearchBatch(client, FILL_SEARCH_ROWS)) filled += n;
  return filled;
}
