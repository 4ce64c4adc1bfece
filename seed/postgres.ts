import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyDatabase } from '../src/db/copy/copy.js';
import { TargetNotEmptyError } from '../src/db/copy/tables.js';
import { openDatabase } from '../src/db/open.js';

// `npm run seed` with DATABASE_URL: an empty PostgreSQL database gets what a new SQLite file gets at its first
// start (the seed's records, their audit entries, stored documents, relations and counts), by copying a newly
// seeded SQLite file into it (npm run db:copy's path: migrated first, one transaction, all or nothing). Without
// it a new PostgreSQL deployment had no states, and an import into it resolved none.

export class SeedRefused extends Error {
  override name = 'SeedRefused';
}

/** Seeds the empty PostgreSQL database at `url`; returns the rows written. */
export async function seedPostgres(url: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'upr-seed-'));
  try {
    const file = join(dir, 'seeded.sqlite');
    openDatabase(file).$client.close();
    // API keys minted before the seed (npm run keys) stay: the seeded file has none.
    const report = await copyDatabase({ kind: 'sqlite', path: file }, { kind: 'postgres', url }, { filledAllowed: ['api_keys'] });
    return Object.values(report).reduce((sum, rows) => sum + rows, 0);
  } catch (error) {
    if (!(error instanceof TargetNotEmptyError)) throw error;
    throw new SeedRefused(
      `the database holds records already (table ${error.table} has rows): on PostgreSQL npm run seed fills only an ` +
        'empty database. Adding the seed records a database lacks (new aliases in seed/states.ts) is done on SQLite: ' +
        'copy it to a new SQLite file (npm run db:copy), seed that, and copy it back into an empty database.',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
