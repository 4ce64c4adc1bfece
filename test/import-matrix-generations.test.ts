import t from 'tap';
import { ImportError } from '../src/import/types.js';
import { entryRow, HEADER_ROW, matrixDocx, recommendation, run, seededDb } from './import-helpers.js';

// OHCHR matrices of other generations (issue 10 §3): the shapes handled so far.

t.test('"Supported/Noted" (older matrices) is partially supported, however spaced', async (t) => {
  const db = seededDb(t);
  const report = await run(
    db,
    await matrixDocx([
      HEADER_ROW,
      entryRow({ text: '121.1 Ratify the Convention (France);', position: 'Supported/Noted' }),
      entryRow({ text: '121.2 Adopt a law on the Roma community (Spain);', position: 'Supported\u00a0/ noted' }),
      entryRow({ text: '121.3 Abolish the death penalty (Norway);', position: 'Noted' }),
    ]),
  );
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.same(report.warnings, []);
  t.equal(recommendation(db, 'SVN-3-121.1')!.position, 'partially_supported');
  t.equal(recommendation(db, 'SVN-3-121.2')!.position, 'partially_supported');
  t.equal(recommendation(db, 'SVN-3-121.3')!.position, 'noted');
  t.equal(recommendation(db, 'SVN-3-121.1')!.position_label, null, 'a known position: no separate label');
});

t.test('a legacy Word 97–2003 .doc is refused with a message that says to convert it', async (t) => {
  const db = seededDb(t);
  const ole2 = new Uint8Array(1024);
  ole2.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  const error = await run(db, ole2).catch((e: unknown) => e);
  t.type(error, ImportError);
  t.match((error as Error).message, /legacy Word 97–2003 document \(\.doc\).*convert it to \.docx/);
  t.equal(db.$client.prepare('select count(*) from recommendations').pluck().get(), 8, 'nothing imported: the seed only');
});

t.test('a position the importer does not know is left empty, with a warning that quotes it', async (t) => {
  const db = seededDb(t);
  const report = await run(
    db,
    await matrixDocx([
      HEADER_ROW,
      entryRow({ text: '121.1 Ratify the Convention (France);', position: 'Under consideration' }),
      entryRow({ text: '121.2 Adopt a law on the Roma community (Spain);', position: 'Supported' }),
    ]),
  );
  t.same(report.recommendations, { created: 2, updated: 0, unchanged: 0 });
  t.match(report.warnings, [{ message: 'position "Under consideration" is not one the importer knows: left empty' }]);
  t.equal(report.warnings.length, 1);
  t.equal(recommendation(db, 'SVN-3-121.1')!.position, null);
  t.equal(recommendation(db, 'SVN-3-121.2')!.position, 'supported');
});
