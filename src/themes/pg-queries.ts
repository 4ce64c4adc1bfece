import { sql } from 'drizzle-orm';
import { pgAll, type Pool } from '../db/pg/rows.js';
import { type AffectedPersonsEntry, type ByCodePoint, type SdgEntry, type ThemeEntry, vocabularyQueries, type VocabularyStore, withUhri } from './queries.js';

// The vocabularies on PostgreSQL: queries.ts's SQL through node-postgres, labels ordered by code point whatever
// the database's collation.

const byCodePoint: ByCodePoint = (column) => sql`${column} collate "C"`;

export function pgVocabularyStore(pool: Pool): VocabularyStore {
  return {
    themes: async (scheme) => withUhri<ThemeEntry>(await pgAll(pool, vocabularyQueries.themes(scheme, byCodePoint))),
    affectedPersons: async () => withUhri<AffectedPersonsEntry>(await pgAll(pool, vocabularyQueries.affectedPersons(byCodePoint))),
    sdgs: () => pgAll<SdgEntry>(pool, vocabularyQueries.sdgs),
  };
}
