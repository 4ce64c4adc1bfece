import type pg from 'pg';
import type { FreshenLog } from './freshen.js';

// Text on PostgreSQL follows the database's collation (the order of lists sorted by text, their cursors) and its
// character classification (lower(), which the case-blind filters compare with): the answers are SQLite's, byte
// for byte, only on a database that orders by code point and folds every letter, as one created with
// `--locale=C.UTF-8` does. Probed rather than told by name: plain C folds only A–Z (positionLabel=acceptée missed
// "ACCEPTÉE"), en_US.UTF-8 and ICU locales sort "_, a, B, é".
const PROBE = `select lower('ÉİΣ') as folded, array(select x from unnest(array['é', 'a', '_', 'B']) as x order by x) as ordered,
  (select datcollate || ', ctype ' || datctype from pg_database where datname = current_database()) as locale`;
const FOLDED = 'éiσ';
const ORDERED = ['B', '_', 'a', 'é'];

/** Warns, to the operator, of what the database does with text otherwise than SQLite; returns the warning (undefined: none). */
export async function warnOfTextRules(pool: Pick<pg.Pool, 'query'>, log: Pick<FreshenLog, 'warn'> | undefined): Promise<string | undefined> {
  const { folded, ordered, locale } = (await pool.query<{ folded: string; ordered: string[]; locale: string }>(PROBE)).rows[0]!;
  const differences = [
    ...(ordered.join() === ORDERED.join() ? [] : [`it sorts ${ordered.join(' ')} (by code point: ${ORDERED.join(' ')})`]),
    ...(folded === FOLDED ? [] : [`its lower('ÉİΣ') is '${folded}' (not '${FOLDED}')`]),
  ];
  if (differences.length === 0) return undefined;
  const warning =
    `The PostgreSQL database's locale (collation ${locale}) treats text otherwise than SQLite: ${differences.join(', and ')}. ` +
    'Lists sorted by text, their cursors and the case-blind filters answer otherwise than on SQLite. Create the database ' +
    'with `createdb --locale=C.UTF-8 --template=template0` and move the data into it with `npm run db:copy` (through a SQLite file).';
  log?.warn?.({}, warning);
  return warning;
}
