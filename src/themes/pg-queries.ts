import { pgReadAnswered } from '../db/pg/query.js';
import { pgAll, type Pool } from '../db/pg/rows.js';
import { type AffectedPersonsEntry, type SdgEntry, type ThemeEntry, vocabularyQueries, type VocabularyStore, withUhri } from './queries.js';

// The vocabularies on PostgreSQL: queries.ts's SQL through node-postgres.

export function pgVocabularyStore(pool: Pool): VocabularyStore {
  return {
    themes: (scheme, answered) =>
      pgReadAnswered(pool, answered, async (client) => withUhri<ThemeEntry>(await pgAll(client, vocabularyQueries.themes(scheme)))),
    affectedPersons: (answered) =>
      pgReadAnswered(pool, answered, async (client) => withUhri<AffectedPersonsEntry>(await pgAll(client, vocabularyQueries.affectedPersons))),
    sdgs: (answered) => pgReadAnswered(pool, answered, (client) => pgAll<SdgEntry>(client, vocabularyQueries.sdgs)),
  };
}
