import type Database from 'better-sqlite3';
import { type SQL, sql } from 'drizzle-orm';

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
  // PostgreSQL's lower(normalize(text, NFC)) in one call (a positionLabel filter folds every label it scans): see foldText.
  sqlite.function('fold_text', { deterministic: true }, (text: unknown) => (text === null ? null : foldText(String(text))));
  // PostgreSQL's normalize(text, NFC): see composedColumn.
  sqlite.function('nfc', { deterministic: true }, (text: unknown) => (text === null ? null : String(text).normalize('NFC')));
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

/**
 * A text as the filters that take any case compare it: composed (NFC), then lowerCase. "é" is one character
 * (U+00E9) or "e" and a combining accent (U+0301), as the keyboard, a PDF or a Mac's file name gave it: the
 * same text to a reader, but `speaker=` and `positionLabel=` in the other form were a 400 whose "did you mean"
 * named what looked like the value itself, and the sources' `q` found nothing. SQL compares columns folded
 * alike (foldedColumn).
 */
export function foldText(text: string): string {
  // ASCII is composed and holds no İ or Σ: a label scan folds mostly ASCII ("Supported/Noted"), no slower than lower().
  if (!/[^\x00-\x7f]/.test(text)) return text.toLowerCase();
  // Composed first: a decomposed İ ("I" and U+0307) is then İ, which lowerCase makes "i".
  return lowerCase(text.normalize('NFC'));
}

/**
 * A text column folded as foldText folds: SQLite's fold_text(…) (registered above), PostgreSQL's lower() of its
 * NFC form. normalize() costs even a text already composed (110,000 labels: 37 → 99 ms, median of 6), `is nfc
 * normalized` much less (62 ms).
 */
export function foldedColumn(column: SQL, dialect: 'sqlite' | 'postgres'): SQL {
  if (dialect === 'sqlite') return sql`fold_text(${column})`;
  return sql`lower(case when ${column} is nfc normalized then ${column} else normalize(${column}, NFC) end)`;
}

/**
 * A text column composed (NFC), for a filter that takes a value exactly as stored but in either form of an
 * accented letter (the sources' `publisher`): SQLite's nfc(…) (registered above), PostgreSQL's normalize(…, NFC)
 * after asking `is nfc normalized`, as foldedColumn. Compare it with the value's normalize('NFC').
 */
export function composedColumn(column: SQL, dialect: 'sqlite' | 'postgres'): SQL {
  if (dialect === 'sqlite') return sql`nfc(${column})`;
  return sql`(case when ${column} is nfc normalized then ${column} else normalize(${column}, NFC) end)`;
}
