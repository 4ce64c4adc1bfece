import { pgAll, type Pool } from '../db/pg/rows.js';
import { type AffectedPersonsEntry, type SdgEntry, type ThemeEntry, vocabularyQueries, type VocabularyStore, withUhri } from './queries.js';

// The vocabularies on PostgreSQL: queries.ts's SQL through node-postgres.

export function pgVocabularyStore(pool: Pool): VocabularyStore {
  return {
    themes: async (scheme) => withUhri<ThemeEntry>(await pgAll(pool, vocabularyQueries.themes(scheme))),
    affectedPersons: async () => withUhri<AffectedPersonsEntry>(await pgAll(pool, vocabularyQueries.affectedPersons)),
    sdgs: () => pgAll<SdgEntry>(pool, vocabularyQueries.sdgs),
  };
}
