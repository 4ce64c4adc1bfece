import { sql } from 'drizzle-orm';
import { pgReadAnswered } from '../db/pg/query.js';
import { pgAll, type Pool } from '../db/pg/rows.js';
import { type AffectedPersonsEntry, type ByCodePoint, type SdgEntry, type ThemeEntry, vocabularyQueries, type VocabularyStore, withUhri } from './queries.js';

// The vocabularies on PostgreSQL: queries.ts's SQL through node-postgres, labels ordered by code point whatever
// the database's collation.

const byCodePoint: ByCodePoint = (column) => sql`${column} collate "C"`;

export function pgVocabularyStore(pool: Pool): VocabularyStore {
  return {
    themes: (scheme, answered) =>
      pgReadAnswered(pool, answered, async (client) => withUhri<ThemeEntry>(await pgAll(client, vocabularyQueries.themes(scheme, byCodePoint)))),
    affectedPersons: (answered) =>
      pgReadAnswered(pool, answered, async (client) => withUhri<AffectedPersonsEntry>(await pgAll(client, vocabularyQueries.affectedPersons(byCodePoint)))),
    sdgs: (answered) => pgReadAnswered(pool, answered, (client) => pgAll<SdgEntry>(client, vocabularyQueries.sdgs)),
  };
}
