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
  sqlite.function('lower', { deterministic: true }, (text: unknown) => (text === null ? null : lowerCase(String(text))));
}

/**
 * Lower case as PostgreSQL's lower() makes it: JavaScript's toLowerCase, but without its two rules that look
 * beyond one letter, which PostgreSQL's lacks: İ (U+0130) is "i" there, not "i" and a combining dot, and a
 * word's final Σ is σ, not ς. With toLowerCase the sources' q=insan missed "İnsan Hakları Derneği" on SQLite
 * and q=İnsan missed it on PostgreSQL. Both sides of a comparison with lower() go through it (SQLite's lower()
 * above, the filter's value here), so the backends find the same records. Letters newer than the C library's
 * Unicode tables (Unicode 16's new scripts, met nowhere in the data) still fold in JavaScript alone.
 */
export function lowerCase(text: string): string {
  return /[\u0130\u03a3]/.test(text) ? text.replace(/[\u0130\u03a3]/g, (c) => (c === '\u0130' ? 'i' : '\u03c3')).toLowerCase() : text.toLowerCase();
}
