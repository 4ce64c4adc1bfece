import type { DatePrecision } from '../db/schema.js';
import { type SQL, sql } from 'drizzle-orm';
import { curatedLabel, type LabelRecord } from '../common/schemas.js';
import type { Db } from '../db/open.js';
import { cappedTotal, fullTextLimits, toFtsQuery } from '../db/fulltext.js';
import { matchTableChunks } from '../db/match-table.js';
import { periodOfStoredDate, periodOverlap } from '../db/period-overlap.js';
import { inList, keysetAfter, keysetOrder, type KeysetSort, relevanceSort, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { storedInstant } from '../http/params.js';
import { invalidParam } from '../http/problem.js';
import type { StatementFilter, StatementRecord, StatementSort } from './schemas.js';
import { sourceOfRow } from '../common/source-row.js';

// All SQL about statements. Tables are aliased: s statements, v reviews, sur the state under review,
// sp the speaking state, src the source, f full-text matches.

/** The WHERE conditions for a filter; the same function serves every use of the filter. */
export function filterConditions(f: StatementFilter): SQL[] {
  const period = periodOverlap(f, periodOfStoredDate(sql`s.date`, sql`s.date_precision`));
  const c: SQL[] = [];
  if (f.id) c.push(inList(sql`s.id`, f.id));
  if (f.reviewId) c.push(inList(sql`s.review_id`, f.reviewId));
  if (f.stateUnderReview) c.push(inList(sql`v.state_code`, f.stateUnderReview));
  if (f.speaker) {
    c.push(sql`(${inList(sql`s.speaker_state_code`, f.speaker)} or ${inList(sql`s.speaker_organization`, f.speaker)})`);
  }
  if (f.stage) c.push(inList(sql`s.stage`, f.stage));
  if (f.source) c.push(inList(sql`s.source_id`, f.source));
  if (f.theme) {
    c.push(sql`exists (select 1 from statement_themes l where l.statement_id = s.id and ${inList(
      sql`l.theme_id`,
      f.theme,
    )})`);
  }
  c.push(...period);
  if (f.updatedSince) c.push(sql`s.updated_at >= ${storedInstant(f.updatedSince)}`);
  return c;
}

const REVIEWS = sql`join reviews v on v.id = s.review_id`;
export const FROM = sql`statements s ${REVIEWS}`;

/** The statements (s) with their reviews (v) and, with q, only the matches of statements_fts (f) first. */
export function fromClause(f: StatementFilter): SQL {
  if (f.q === undefined) return FROM;
  return sql`(select rowid as fts_rowid, rank from statements_fts where statements_fts match ${toFtsQuery(f.q)}) f
    cross join statements s on s.fts_rowid = f.fts_rowid ${REVIEWS}`;
}


export interface StatementRow {
  id: string;
  review_id: string;
  state_code: string;
  state_name: string;
  speaker_state_code: string | null;
  speaker_state_name: string | null;
  speaker_organization: string | null;
  stage: StatementRecord['stage'];
  date: string;
  date_precision: StatementRecord['datePrecision'];
  summary: string;
  source_id: string;
  source_title: string;
  source_publisher: string;
  source_url: string;
  source_published_on: string | null;
  source_published_on_precision: DatePrecision | null;
  version: number;
  created_at: string;
  updated_at: string;
  /** With q: the match's rank (bm25 on SQLite, minus ts_rank on PostgreSQL; lower is better) and FTS5 row. */
  rank?: number;
  fts_rowid?: number;
}

// Dates sort as written: "2020-01" (month) before "2020-01-20" (day) before "2020-02".
const byDate = { columns: [sql`s.date`, sql`s.id`], kinds: ['text', 'text'] as const, keysOf: (row: StatementRow) => [row.date, row.id] };

const byId = { columns: [sql`s.id`], kinds: ['text'] as const, keysOf: (row: StatementRow) => [row.id] };

const SORTS: Record<StatementSort, KeysetSort<StatementRow>> = {
  date: { name: 'date', descending: false, ...byDate },
  '-date': { name: '-date', descending: true, ...byDate },
  id: { name: 'id', descending: false, ...byId },
  '-id': { name: '-id', descending: true, ...byId },
  relevance: relevanceSort(),
};

/** The sort a list asks for: relevance by default with q, date without; relevance without q is a 400. */
export function defaultSort(query: { q?: unknown }): StatementSort {
  return query.q === undefined ? 'date' : 'relevance';
}

export function resolveSort(requested: StatementSort | undefined, f: Pick<StatementFilter, 'q'>): KeysetSort<StatementRow> {
  if (requested === 'relevance' && f.q === undefined) {
    throw invalidParam('query', 'sort', 'sort=relevance needs a full-text query in q.');
  }
  return SORTS[requested ?? defaultSort(f)];
}

/**
 * The statements' rows from `from` (SQL both databases run); every one without a limit. With `ranked`, each
 * row's match (f) too: its rank and, on SQLite, its FTS5 row, the relevance sort's keys.
 */
export function selectRowsQuery(from: SQL, conditions: SQL[], order: SQL, limit?: number, ranked: SQL = sql``): SQL {
  return sql`select s.id, s.review_id, v.state_code, sur.name as state_name, s.speaker_state_code,
      sp.name as speaker_state_name, s.speaker_organization, s.stage, s.date, s.date_precision, s.summary,
      src.id as source_id, src.title as source_title, src.publisher as source_publisher, src.url as source_url,
      src.published_on as source_published_on, src.published_on_precision as source_published_on_precision, s.version, s.created_at, s.updated_at${ranked}
    from ${from}
    join states sur on sur.code = v.state_code
    left join states sp on sp.code = s.speaker_state_code
    join sources src on src.id = s.source_id
    ${whereClause(conditions)}
    order by ${order}
    ${limit === undefined ? sql`` : sql`limit ${limit}`}`;
}

function selectRows(db: Db, from: SQL, conditions: SQL[], order: SQL, limit: number, ranked?: SQL): StatementRow[] {
  return db.all<StatementRow>(selectRowsQuery(from, conditions, order, limit, ranked));
}

export function listStatements(
  db: Db,
  f: StatementFilter,
  sort: KeysetSort<StatementRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Page<StatementRecord> {
  // A full-text count stops after FULL_TEXT_MAX_COUNT + 1 matches (src/db/fulltext.ts).
  const stop = f.q === undefined ? sql`` : sql` limit ${fullTextLimits().maxCount + 1}`;
  const counted = db.get<{ n: number }>(
    sql`select count(*) as n from (select 1 from ${fromClause(f)} ${whereClause(filterConditions(f))}${stop})`,
  )!.n;
  const page = pageStatements(db, f, sort, limit, after);
  return {
    rows: page.rows,
    ...(f.q === undefined ? { total: counted } : cappedTotal(counted)),
    nextCursor: page.nextKeys ? encodeCursor(sort.name, page.nextKeys) : null,
  };
}

/** One keyset step of the list without its total: the list's pages and the chunks of an export. */
export function pageStatements(
  db: Db,
  f: StatementFilter,
  sort: KeysetSort<StatementRow>,
  limit: number,
  after: KeyValue[] | undefined,
): Chunk<StatementRecord> {
  const conditions = filterConditions(f);
  const pageConditions = after ? [...conditions, keysetAfter(sort, after)] : conditions;
  const ranked = f.q === undefined ? undefined : sql`, f.rank as rank, f.fts_rowid as fts_rowid`;
  const rows = selectRows(db, fromClause(f), pageConditions, keysetOrder(sort), limit + 1, ranked);
  const chunk = sliceChunk(rows, limit, sort.keysOf);
  return { rows: hydrate(db, chunk.rows), nextKeys: chunk.nextKeys };
}

/**
 * A full-text export's statements, `rows` at a time, the match run once (src/db/match-table.ts); undefined
 * without q: an export's keyset steps then cost only their rows.
 */
export function statementExportChunks(
  db: Db,
  f: StatementFilter,
  sort: KeysetSort<StatementRow>,
  after: KeyValue[] | undefined,
  rows: number,
): Iterator<StatementRecord[]> | undefined {
  if (f.q === undefined) return undefined;
  const conditions = filterConditions(f);
  if (after) conditions.push(keysetAfter(sort, after));
  const ids = sql`select s.id from ${fromClause(f)} ${whereClause(conditions)} order by ${keysetOrder(sort)}`;
  return matchTableChunks(db, ids, rows, (matches, from, n) =>
    hydrate(
      db,
      selectRows(db, sql`${matches} cross join statements s on s.id = m.k ${REVIEWS}`, [sql`m.n > ${from}`], sql`m.n`, n),
    ),
  );
}

export function getStatement(db: Db, id: string): StatementRecord | undefined {
  const [record] = hydrate(db, selectRows(db, FROM, [sql`s.id = ${id}`], sql`s.id`, 1));
  return record;
}

export type StatementThemeRow = { statement_id: string; id: string; label: string; scheme: LabelRecord['scheme'] };

/** The themes of a page of rows, in one query (SQL both databases run). */
export function themesQuery(rows: StatementRow[]): SQL {
  return sql`select statement_id, t.id, t.label, t.scheme from statement_themes join themes t on t.id = theme_id
      where ${inList(
        sql`statement_id`,
        rows.map((row) => row.id),
      )} order by t.label`;
}

/** Adds the many-to-many fields to a page of rows. */
function hydrate(db: Db, rows: StatementRow[]): StatementRecord[] {
  if (rows.length === 0) return [];
  return statementRecords(rows, db.all<StatementThemeRow>(themesQuery(rows)));
}

/** The records of a page of rows, with their themes. */
export function statementRecords(rows: StatementRow[], themeRows: StatementThemeRow[]): StatementRecord[] {
  const themes = new Map<string, LabelRecord[]>();
  for (const { statement_id, id, label, scheme } of themeRows) {
    const list = themes.get(statement_id);
    if (list) list.push(curatedLabel(id, label, scheme));
    else themes.set(statement_id, [curatedLabel(id, label, scheme)]);
  }
  return rows.map((row) => ({
    id: row.id,
    reviewId: row.review_id,
    stateUnderReview: { id: row.state_code, name: row.state_name },
    speaker:
      row.speaker_state_code !== null
        ? { type: 'state' as const, id: row.speaker_state_code, name: row.speaker_state_name ?? row.speaker_state_code }
        : { type: 'organization' as const, id: null, name: row.speaker_organization ?? '' },
    stage: row.stage,
    date: row.date,
    datePrecision: row.date_precision,
    summary: row.summary,
    themes: themes.get(row.id) ?? [],
    sources: [sourceOfRow(row)],
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}
