import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { inList, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { countRecommendations, type RecommendationCounts } from '../recommendations/queries.js';
import { normalizeStateName } from './names.js';
import type { StateDetail, StateFilter, StateRecord } from './schemas.js';

export interface StateRow {
  code: string;
  name: string;
  regional_group: StateRecord['regionalGroup'];
  regional_group_note: string | null;
  un_member: number;
  version: number;
}

export const toRecord = (row: StateRow): StateRecord => ({
  id: row.code,
  name: row.name,
  regionalGroup: row.regional_group,
  regionalGroupNote: row.regional_group_note,
  unMember: row.un_member === 1,
  version: row.version,
});

export function conditions(f: StateFilter): SQL[] {
  const c: SQL[] = [];
  if (f.id) c.push(inList(sql`s.code`, f.id));
  if (f.regionalGroup) c.push(inList(sql`s.regional_group`, f.regionalGroup));
  if (f.unMember !== undefined) c.push(sql`s.un_member = ${f.unMember ? 1 : 0}`);
  if (f.name !== undefined) {
    c.push(sql`s.code in (select state_code from state_aliases where key = ${normalizeStateName(f.name)})`);
  }
  return c;
}


/** The states' rows (SQL both databases run: the flag as 0 or 1). */
export function selectStatesQuery(where: SQL[], limit: number): SQL {
  return sql`select s.code, s.name, s.regional_group, s.regional_group_note,
    case when s.un_member then 1 else 0 end as un_member, s.version
    from states s ${whereClause(where)} order by s.code limit ${limit}`;
}

export function listStates(db: Db, f: StateFilter, sortName: string, limit: number, after: KeyValue[] | undefined): Page<StateRecord> {
  const total = db.get<{ n: number }>(sql`select count(*) as n from states s ${whereClause(conditions(f))}`)!.n;
  const page = pageStates(db, f, limit, after);
  return { rows: page.rows, total, nextCursor: page.nextKeys ? encodeCursor(sortName, page.nextKeys) : null };
}

/** The conditions of one keyset step after `after`. */
export function pageConditions(f: StateFilter, after: KeyValue[] | undefined): SQL[] {
  const where = conditions(f);
  return after ? [...where, sql`s.code > ${after[0]}`] : where;
}

/** One keyset step of the list without its total: the list's pages and the chunks of an export. */
export function pageStates(db: Db, f: StateFilter, limit: number, after: KeyValue[] | undefined): Chunk<StateRecord> {
  return stateChunk(db.all<StateRow>(selectStatesQuery(pageConditions(f, after), limit + 1)), limit);
}

export function stateChunk(rows: StateRow[], limit: number): Chunk<StateRecord> {
  const chunk = sliceChunk(rows, limit, (row) => [row.code]);
  return { rows: chunk.rows.map(toRecord), nextKeys: chunk.nextKeys };
}

function positionCounts({ total, byPosition }: RecommendationCounts) {
  return { total, ...byPosition };
}

/** A state's other names and its reviews (SQL both databases run). */
export function stateDetailQueries(code: string, name: string) {
  return {
    aliases: sql`select alias from state_aliases where state_code = ${code} and alias <> ${name} order by alias`,
    reviews: sql`select id from reviews where state_code = ${code} order by cycle`,
  };
}

export function stateDetailOf(
  row: StateRow,
  aliases: { alias: string }[],
  reviews: { id: string }[],
  made: RecommendationCounts,
  received: RecommendationCounts,
): StateDetail {
  return {
    ...toRecord(row),
    aliases: aliases.map((a) => a.alias),
    recommendationsMade: positionCounts(made),
    recommendationsReceived: positionCounts(received),
    reviewIds: reviews.map((r) => r.id),
  };
}

export function getState(db: Db, code: string): StateDetail | undefined {
  const [row] = db.all<StateRow>(selectStatesQuery([sql`s.code = ${code}`], 1));
  if (!row) return undefined;
  const queries = stateDetailQueries(code, row.name);
  return stateDetailOf(
    row,
    db.all(queries.aliases),
    db.all(queries.reviews),
    countRecommendations(db, { recommendingState: [code] }),
    countRecommendations(db, { stateUnderReview: [code] }),
  );
}
