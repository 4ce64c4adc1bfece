import Database from 'better-sqlite3';

// Asks SQLite's own FTS5 how its unicode61 tokenizer (remove_diacritics 2, the full-text tables' setting)
// treats code points: the source of src/db/fts5/unicode-table.ts (scripts/fts5-unicode-table.ts) and of the
// test that checks the table against the SQLite in use. FTS5 is a black box here: each code point c is a
// document `a{c}a {c}a`, and the terms it indexes tell what c is.
//   - a token character: `a{f}a` and `{f}a`, f its folded form (lower case, diacritics removed);
//   - a diacritic (a combining mark FTS5 removes): `a{f}a` and `a` (it continues a token but never starts
//     one, so the second is skipped as a separator would be; f is empty when it is removed);
//   - a separator: `a`, `a` and `a`.

export type CharClass = { kind: 'separator' } | { kind: 'token' | 'diacritic'; fold: string };

export function probeFts5Characters(codePoints: Iterable<number>): Map<number, CharClass> {
  const db = new Database(':memory:');
  try {
    db.exec(`create virtual table probe using fts5(x, tokenize = 'unicode61 remove_diacritics 2');
      create virtual table probe_terms using fts5vocab(probe, instance);`);
    const insert = db.prepare('insert into probe (rowid, x) values (?, ?)');
    db.transaction(() => {
      for (const c of codePoints) {
        const s = String.fromCodePoint(c);
        insert.run(c, `a${s}a ${s}a`);
      }
    })();
    const terms = new Map<number, string[]>();
    const rows = db.prepare('select doc, term from probe_terms order by doc, offset').raw().iterate() as Iterable<[number, string]>;
    for (const [doc, term] of rows) {
      const list = terms.get(doc);
      if (list === undefined) terms.set(doc, [term]);
      else list.push(term);
    }
    const classes = new Map<number, CharClass>();
    for (const [c, [first, second, third]] of terms) {
      const fold = first!.slice(1, -1);
      if (third !== undefined) classes.set(c, { kind: 'separator' });
      else if (second === `${fold}a` && fold !== '') classes.set(c, { kind: 'token', fold });
      else classes.set(c, { kind: 'diacritic', fold }); // `a{f}a` and `a`
    }
    return classes;
  } finally {
    db.close();
  }
}
