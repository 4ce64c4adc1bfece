import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { probeFts5Characters } from '../src/db/fts5/probe.js';
import { unicodeTableSource } from '../src/db/fts5/table-source.js';

// `npm run fts5:table`: regenerates src/db/fts5/unicode-table.ts from the SQLite that better-sqlite3 embeds,
// by asking its FTS5 how it tokenizes every code point (about 10 s). Run it after upgrading better-sqlite3:
// test/fts5-tokenize.test.ts fails when the table and that SQLite disagree.
function* codePoints(): Generator<number> {
  for (let c = 1; c < 0x110000; c++) if (c < 0xd800 || c > 0xdfff) yield c;
}
const version = new Database(':memory:').prepare('select sqlite_version()').pluck().get() as string;
const target = new URL('../src/db/fts5/unicode-table.ts', import.meta.url);
writeFileSync(target, unicodeTableSource(probeFts5Characters(codePoints()), version));
console.log(`wrote ${target.pathname}`);
