import type Database from 'better-sqlite3';

// SQL functions SQLite lacks or defines otherwise than PostgreSQL, registered on every connection that runs
// the API's queries (openDatabase, and a streamed export's snapshot), so that the SQL both backends run alike
// answers alike.

/**
 * lower() folds every letter, as PostgreSQL's does (and JavaScript's toLowerCase, which lower-cases what
 * the filters compare with it), not only A–Z as SQLite's built-in: `positionLabel=acceptée` finds a label
 * printed "ACCEPTÉE", and the sources' `q=é` finds "É", on both backends. The only lower() the schema holds
 * (the sources' URL check, on its ASCII scheme) answers as before.
 */
export function registerFunctions(sqlite: Database.Database): void {
  sqlite.function('lower', { deterministic: true }, (text: unknown) => (text === null ? null : String(text).toLowerCase()));
}
