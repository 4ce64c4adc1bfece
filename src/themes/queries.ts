import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { inList, whereClause } from '../db/keyset.js';
import { type AnsweredAt, readAnswered } from '../db/revision.js';
import type { LABEL_SCHEMES } from '../db/schema.js';

// The three tagging vocabularies with their counts: SQL both databases run (flags as 0 or 1, counts as
// integers, camel-case names quoted), read by each backend's store below and in pg-queries.ts.

type Scheme = (typeof LABEL_SCHEMES)[number];

export interface ThemeEntry {
  id: string;
  label: string;
  uhri: boolean;
  scheme: Scheme;
  uhriId: string | null;
  recommendationCount: number;
  developmentCount: number;
}
export interface AffectedPersonsEntry {
  id: string;
  label: string;
  uhri: boolean;
  recommendationCount: number;
}
export interface SdgEntry {
  id: string;
  label: string;
  recommendationCount: number;
}

/**
 * How a text column is ordered by code point, as SQLite's BINARY `order by`: as it is on SQLite; PostgreSQL's
 * store passes `collate "C"`, since its database's own collation may be a locale's (ICU's en-US sorted "_under",
 * "Alpha", "alpha beta", "Épargne", "Freedom…" where SQLite sorts "Alpha", "Freedom…", "_under", "alpha beta",
 * "Épargne"). These lists are read whole, so no index order is lost.
 */
export type ByCodePoint = (column: SQL) => SQL;
const asStored: ByCodePoint = (column) => column;

export const vocabularyQueries = {
  themes: (scheme: readonly Scheme[] | undefined, byCodePoint = asStored) => sql`
    select t.id, t.label, case when t.uhri then 1 else 0 end as uhri, t.scheme, t.uhri_code as "uhriId",
      cast((select count(*) from recommendation_themes x where x.theme_id = t.id) as integer) as "recommendationCount",
      cast((select count(*) from development_themes x where x.theme_id = t.id) as integer) as "developmentCount"
    from themes t ${whereClause(scheme ? [inList(sql`t.scheme`, scheme)] : [])} order by ${byCodePoint(sql`t.label`)}, ${byCodePoint(sql`t.id`)}`,
  affectedPersons: (byCodePoint = asStored) => sql`
    select g.id, g.label, case when g.uhri then 1 else 0 end as uhri,
      cast((select count(*) from recommendation_affected_persons x where x.group_id = g.id) as integer) as "recommendationCount"
    from affected_persons_groups g order by ${byCodePoint(sql`g.label`)}, ${byCodePoint(sql`g.id`)}`,
  sdgs: sql`
    select cast(g.goal as text) as id, g.name as label,
      cast((select count(*) from recommendation_sdgs x where x.goal = g.goal) as integer) as "recommendationCount"
    from sdg_goals g order by g.goal`,
};

/** The rows' uhri flag (0 or 1) as a boolean. */
export const withUhri = <T extends { uhri: boolean }>(rows: (Omit<T, 'uhri'> & { uhri: number })[]): T[] =>
  rows.map((row) => ({ ...row, uhri: row.uhri === 1 }) as unknown as T);

/** Each list is read in one snapshot after the revision's stamp, which it tells `answered` (for its ETag). */
export interface VocabularyStore {
  themes(scheme: readonly Scheme[] | undefined, answered: AnsweredAt): Promise<ThemeEntry[]>;
  affectedPersons(answered: AnsweredAt): Promise<AffectedPersonsEntry[]>;
  sdgs(answered: AnsweredAt): Promise<SdgEntry[]>;
}

export function sqliteVocabularyStore(db: Db): VocabularyStore {
  return {
    themes: async (scheme, answered) => readAnswered(db, answered, () => withUhri<ThemeEntry>(db.all(vocabularyQueries.themes(scheme)))),
    affectedPersons: async (answered) => readAnswered(db, answered, () => withUhri<AffectedPersonsEntry>(db.all(vocabularyQueries.affectedPersons()))),
    sdgs: async (answered) => readAnswered(db, answered, () => db.all<SdgEntry>(vocabularyQueries.sdgs)),
  };
}
