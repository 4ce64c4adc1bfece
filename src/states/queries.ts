import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { inList, whereClause } from '../db/keyset.js';
import { type Chunk, encodeCursor, type KeyValue, type Page, sliceChunk } from '../http/pagination.js';
import { countRecommendations, type RecommendationCounts } from '../recommendations/queries.js';
import { normalizeStateName } from './names.js';
import type { StateDetail, StateFilter, StateRecord } from './schemas.js';

interface StateRow {
  code: string;
  name: string;
  regional_group: StateRecord['regionalGroup'];
  regional_group_note: string | null;
  un_member: number;
  version: number;
}

const toRecord = (row: StateRow): StateRecord => ({
  id: row.code,
  name: row.name,
  regionalGroup: row.regional_group,
  regionalGroupNote: row.regional_group_note,
  unMember: row.un_member === 1,
  version: row.version,
});

function conditions(f: StateFilter): SQL[] {
  const c: SQL[] = [];
  if (f.regionalGroup) c.push(inList(sql`s.regional_group`, f.regionalGroup));
  if (f.unMember !== undefined) c.push(sql`s.un_member = ${f.unMember ? 1 : 0}`);
  if (f.name !== undefined) {
    c.push(sql`s.code in (select state_code from state_aliases where key = ${normalizeStateName(f.name)})`);
  }
  return c;
}


export function listStates(db: Db, f: StateFilter, limit: number, after: KeyValue[] | undefined): Page<StateRecord> {
  const total = db.get<{ n: number }>(sql`select count(*) as n from states s ${whereClause(conditions(f))}`)!.n;
  const page = pageStates(db, f, limit, after);
  return { rows: page.rows, total, nextCursor: page.nextKeys ? encodeCursor('code', page.nextKeys) : null };
}

/** One keyset step of the list without its total: the list's pages and the chunks of an export. */
export function pageStates(db: Db, f: StateFilter, limit: number, after: KeyValue[] | undefined): Chunk<StateRecord> {
  const where = conditions(f);
  const pageWhere = after ? [...where, sql`s.code > ${after[0]}`] : where;
  const rows = db.all<StateRow>(
    sql`select s.code, s.name, s.regional_group, s.regional_group_note, s.un_member, s.version from states s ${whereClause(pageWhere)} order by s.code limit ${limit + 1}`,
  );
  const chunk = sliceChunk(rows, limit, (row) => [row.code]);
  return { rows: chunk.rows.map(toRecord), nextKeys: chunk.nextKeys };
}

function positionCounts({ total, byPosition }: RecommendationCounts) {
  return { total, ...byPosition };
}

export function getState(db: Db, code: string): StateDetail | undefined {
  const row = db.get<StateRow | undefined>(
    sql`select code, name, regional_group, regional_group_note, un_member, version from states s where code = ${code}`,
  );
  if (!row) return undefined;
  const aliases = db
    .all<{ alias: string }>(sql`select alias from state_aliases where state_code = ${code} and alias <> ${row.name}
      order by alias`)
    .map((a) => a.alias);
  const reviewIds = db
    .all<{ id: string }>(sql`select id from reviews where state_code = ${code} order by cycle`)
    .map((r) => r.id);
  return {
    ...toRecord(row),
    aliases,
    recommendationsMade: positionCounts(countRecommendations(db, { recommendingState: [code] })),
    recommendationsReceived: positionCounts(countRecommendations(db, { stateUnderReview: [code] })),
    reviewIds,
  };
}
