import { readFileSync } from 'node:fs';
import t from 'tap';

// drizzle's migrator applies to an existing database only the migrations dated (the journal's `when`) after the
// last one it recorded. A migration generated later but dated before it (drizzle-kit dates one with the clock;
// earlier entries of this journal are dated ahead of theirs) is never applied to an existing database, which
// /readyz then reports as "22 of 23 database migrations are applied". Fresh databases apply every one, so
// only this order shows it.

for (const journal of ['../migrations/meta/_journal.json', '../migrations/postgres/meta/_journal.json']) {
  t.test(`${journal.replace('../', '')}: each migration is dated after the one before`, async (t) => {
    const { entries } = JSON.parse(readFileSync(new URL(journal, import.meta.url), 'utf8')) as { entries: { idx: number; when: number; tag: string }[] };
    t.ok(entries.length > 0);
    entries.forEach((entry, i) => {
      t.equal(entry.idx, i, `${entry.tag}: its index`);
      if (i > 0) t.ok(entry.when > entries[i - 1]!.when, `${entry.tag} is dated after ${entries[i - 1]!.tag}`);
    });
  });
}
