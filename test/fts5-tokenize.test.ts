import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { type CharClass, probeFts5Characters } from '../src/db/fts5/probe.js';
import { unicodeTableSource } from '../src/db/fts5/table-source.js';
import { fts5Terms, fts5Tokens, porterStem } from '../src/db/fts5/tokenize.js';
import { DIACRITICS, FOLDS, SEPARATORS, SQLITE_VERSION } from '../src/db/fts5/unicode-table.js';
import { random } from '../src/common/random.js';
import { sqliteOnly } from './helpers.js';
import { sharedDataDir } from './support/shared-data.js';

// src/db/fts5/tokenize.ts against the SQLite in use: the terms FTS5 indexes (read back through an fts5vocab
// table) are the terms the JavaScript makes, for code points, made-up words that walk the stemmer's rules, and
// real texts. PostgreSQL's full text is only as exact as this (src/db/pg/fulltext.ts).

if (!sqliteOnly(t, 'compares JavaScript with SQLite itself, whatever the backend')) {
  /** What FTS5 indexes for each document, term by term in order, with the given tokenizer. */
  function sqliteTerms(docs: readonly string[], tokenize = 'porter unicode61 remove_diacritics 2'): string[][] {
    const db = new Database(':memory:');
    try {
      db.exec(`create virtual table docs using fts5(x, tokenize = '${tokenize}');
        create virtual table terms using fts5vocab(docs, instance);`);
      const insert = db.prepare('insert into docs (rowid, x) values (?, ?)');
      db.transaction(() => docs.forEach((doc, i) => insert.run(i + 1, doc)))();
      const result: string[][] = docs.map(() => []);
      for (const [doc, term] of db.prepare('select doc, term from terms order by doc, offset').raw().iterate() as Iterable<[number, string]>) {
        result[doc - 1]!.push(term);
      }
      return result;
    } finally {
      db.close();
    }
  }

  t.test('the table is what this SQLite answers, at every boundary and in a sample', (t) => {
    t.equal(SQLITE_VERSION, new Database(':memory:').prepare('select sqlite_version()').pluck().get(), 'made from the SQLite in use (else: npm run fts5:table)');
    const points = new Set<number>();
    for (let c = 1; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) points.add(c);
    for (const c of [...SEPARATORS, ...DIACRITICS]) for (const d of [c - 1, c, c + 1]) if (d > 0xffff && d < 0x110000) points.add(d);
    for (let i = 0; i < FOLDS.length; i += 4) points.add(FOLDS[i]!);
    const next = random(7);
    for (let i = 0; i < 5000; i++) points.add(0x10000 + Math.floor(next() * 0x100000));
    const classes = probeFts5Characters(points);
    let differ = 0;
    for (const [c, found] of classes) {
      const s = String.fromCodePoint(c);
      const expected = found.kind === 'separator' ? ['a', 'a', 'a'] : [`a${found.fold}a`, found.kind === 'token' ? `${found.fold}a` : 'a'];
      if (JSON.stringify(fts5Tokens(`a${s}a ${s}a`)) !== JSON.stringify(expected)) differ++;
    }
    t.equal(differ, 0, `${classes.size} code points tokenized as FTS5 does`);
    t.equal(classes.size, points.size, 'every one probed');
    t.end();
  });

  t.test('the table’s source: runs of separators and of folds', (t) => {
    const classes = new Map<number, CharClass>([
      [33, { kind: 'separator' }],
      [34, { kind: 'separator' }],
      [40, { kind: 'separator' }],
      [65, { kind: 'token', fold: 'a' }],
      [66, { kind: 'token', fold: 'b' }],
      [67, { kind: 'token', fold: 'c' }],
      [97, { kind: 'token', fold: 'a' }],
      [256, { kind: 'token', fold: 'ā' }],
      [258, { kind: 'token', fold: 'ă' }],
      [260, { kind: 'token', fold: 'ą' }],
      [768, { kind: 'diacritic', fold: '' }],
    ]);
    const source = unicodeTableSource(classes, '3.0.0');
    t.match(source, /SEPARATORS: readonly number\[\] = \[\n {2}33, 34, 40, 40,\n\]/);
    t.match(source, /DIACRITICS: readonly number\[\] = \[\n {2}768,\n\]/);
    t.match(source, /FOLDS: readonly number\[\] = \[\n {2}65, 3, 1, 32, 256, 3, 2, 1,\n\]/);
    t.match(source, /SQLITE_VERSION = '3\.0\.0'/);
    t.throws(() => unicodeTableSource(new Map([[769, { kind: 'diacritic', fold: 'x' }]]), '3.0.0'), /U\+0301 continues a token as x/);
    t.end();
  });

  t.test('words that walk the stemmer’s rules, and made-up words, stem as FTS5 stems them', (t) => {
    const words = [
      'caresses', 'ponies', 'ties', 'caress', 'cats', 'feed', 'agreed', 'plastered', 'bled', 'motoring', 'sing', 'conflated',
      'troubled', 'sized', 'hopping', 'tanned', 'falling', 'hissing', 'fizzed', 'failing', 'filing', 'happy', 'sky', 'relational',
      'conditional', 'rational', 'valenci', 'hesitanci', 'digitizer', 'conformabli', 'radicalli', 'differentli', 'vileli',
      'analogousli', 'vietnamization', 'predication', 'operator', 'feudalism', 'decisiveness', 'hopefulness', 'callousness',
      'formaliti', 'sensitiviti', 'sensibiliti', 'triplicate', 'formative', 'formalize', 'electriciti', 'electrical', 'hopeful',
      'goodness', 'revival', 'allowance', 'inference', 'airliner', 'gyroscopic', 'adjustable', 'defensible', 'irritant',
      'replacement', 'adjustment', 'dependent', 'adoption', 'homologou', 'communism', 'activate', 'angulariti', 'homologous',
      'effective', 'bowdlerize', 'probate', 'rate', 'cease', 'controll', 'roll', 'internationally', 'particularly', 'communal',
      'NHRIs', 'women’s', 'aed', 'eed', 'ied', 'ies', 'sses', 'ing', 'ying', 'yyy', 'syzygy', 'a', 'be', 'NAÏVETÉS', 'größeres',
      'çalışmaları', 'установления', 'x'.repeat(61) + 'ing', 'x'.repeat(62) + 'ing', `${'é'.repeat(30)}ing`, `${'é'.repeat(31)}ing`,
    ];
    const next = random(11);
    const letters = 'aeiouybcdlstnmrgzwxpvkhf';
    const suffixes = ['', 's', 'es', 'ies', 'ed', 'eed', 'ing', 'ational', 'ization', 'iveness', 'aliti', 'ical', 'ness', 'ful', 'ement', 'ion', 'ate', 'll', 'e', 'y', 'bl', 'at', 'iz'];
    for (let i = 0; i < 20_000; i++) {
      let word = '';
      for (let n = 1 + Math.floor(next() * 8); n > 0; n--) word += letters[Math.floor(next() * letters.length)];
      words.push(word + suffixes[Math.floor(next() * suffixes.length)]);
    }
    const theirs = sqliteTerms(words);
    const differ = words.filter((word, i) => JSON.stringify(fts5Terms(word)) !== JSON.stringify(theirs[i]));
    t.same(differ, [], `${words.length} words`);
    t.equal(porterStem('internationally'), 'internation');
    t.equal(porterStem('communal'), 'commun');
    t.same(fts5Terms('Women’s NHRIs, café'), ['women', 's', 'nhri', 'cafe']);
    t.end();
  });

  const data = sharedDataDir();
  t.test('real texts: every term of every document as FTS5 indexes it', { skip: data === undefined && 'no shared data (SHARED_DATA_DIR)' }, (t) => {
    const folder = join(data!, 'upr-info-2008-2013');
    const docs: string[] = [];
    for (const file of readdirSync(folder).filter((name) => name.startsWith('uprinfo_sessions_')).sort()) {
      const text = readFileSync(join(folder, file), 'utf8');
      for (let at = 0; at < text.length; at += 2000) docs.push(text.slice(at, at + 2000));
    }
    const theirs = sqliteTerms(docs);
    let terms = 0;
    const differ = docs.filter((doc, i) => {
      const mine = fts5Terms(doc);
      terms += mine.length;
      return JSON.stringify(mine) !== JSON.stringify(theirs[i]);
    });
    t.equal(differ.length, 0, `${docs.length} pieces of UPR Info's files, ${terms} terms`);
    t.end();
  });
}
