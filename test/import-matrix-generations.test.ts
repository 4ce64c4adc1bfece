import t from 'tap';
import { ImportError } from '../src/import/types.js';
import { cell, codesOf, count, entryRow, HEADER_ROW, matrixDocx, p, recommendation, run, seededDb, themeRow, tr, unresolvedOf } from './import-helpers.js';

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
      // A name of Object's: looked up in a plain object, it found Object's constructor, and the row was refused.
      entryRow({ text: '121.3 Protect the workers of every builder (Italy);', position: 'Constructor' }),
    ]),
  );
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.match(report.warnings, [
    { message: 'position "Under consideration" is not one the importer knows: left empty' },
    { message: 'position "Constructor" is not one the importer knows: left empty' },
  ]);
  t.equal(report.warnings.length, 2);
  t.equal(recommendation(db, 'SVN-3-121.3')!.position, null);
  t.equal(recommendation(db, 'SVN-3-121.1')!.position, null);
  t.equal(recommendation(db, 'SVN-3-121.2')!.position, 'supported');
});

const themesOf = (db: ReturnType<typeof seededDb>, id: string) =>
  db.$client.prepare("select theme_id from recommendation_themes where recommendation_id = ? and label_source is not 'machine' order by 1").pluck().all(id);
const sdgsOf = (db: ReturnType<typeof seededDb>, id: string) =>
  db.$client.prepare('select goal from recommendation_sdgs where recommendation_id = ? order by 1').pluck().all(id);
const groupsOf = (db: ReturnType<typeof seededDb>, id: string) =>
  db.$client.prepare('select group_id from recommendation_affected_persons where recommendation_id = ? order by 1').pluck().all(id);

t.test('2nd cycle: coded theme labels map to the UHRI vocabulary by their code and wording; "S16 SDG 16" is an SDG', async (t) => {
  const db = seededDb(t);
  const report = await run(
    db,
    await matrixDocx([
      HEADER_ROW,
      themeRow('A12 Acceptance of international norms'),
      entryRow({
        text: '166.6. Ratify the Optional Protocol to the Convention against Torture (France);',
        tags: ['- A12 Acceptance of international norms', '- A41 Constitutional and legislative framework', '- S16 SDG 16 - peace, justice and strong institutions'],
      }),
      themeRow('B32 Racial discrimination'),
      entryRow({
        text: '166.7.\u00a0Combat racial discrimination (Venezuela (Bolivarian Republic of));',
        tags: ['- B32 Racial discrimination\n- D23 Death penalty', '- S5 SDG 5 - gender equality', 'Affected persons:', '- women\n- minorities/ racial, ethnic, linguistic, religious or descent-based groups'],
      }),
      entryRow({
        text: '166.8 Abolish the death penalty (Tajikistan, Pakistan) (Norway);',
        position: 'Noted',
        tags: ['- B32 Racial discrimination and xenophobia', '- D23 Capital punishment', '- H1 Human rights defenders', '- S99 SDG 99 - no such goal'],
      }),
    ]),
  );
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.same(themesOf(db, 'SVN-3-166.6'), ['acceptance-of-international-norms', 'constitutional-and-legislative-framework'], '"and" reads as "&"');
  t.same(sdgsOf(db, 'SVN-3-166.6'), [16], 'an SDG in the theme list is an SDG, not a theme');
  t.same(themesOf(db, 'SVN-3-166.7'), ['death-penalty', 'racial-discrimination'], 'labels on lines of one paragraph (<w:br/>)');
  t.same(sdgsOf(db, 'SVN-3-166.7'), [5]);
  t.same(groupsOf(db, 'SVN-3-166.7'), ['minorities-racial-ethnic-linguistic-religious-or-descent-based-groups', 'women']);
  t.same(codesOf(db, 'SVN-3-166.7'), ['VEN'], 'a state name with its own parentheses, after a non-breaking space and "166.7."');
  t.equal(recommendation(db, 'SVN-3-166.7')!.text, 'Combat racial discrimination (Venezuela (Bolivarian Republic of));');
  t.same(
    themesOf(db, 'SVN-3-166.8'),
    ['death-penalty', 'human-rights-defenders', 'racial-discrimination'],
    'the code is the key: B32 and D23 worded otherwise are the same labels',
  );
  t.same(codesOf(db, 'SVN-3-166.8'), ['NOR', 'PAK', 'TJK'], 'several states in one parenthesis and in consecutive ones');
  t.same(report.themesCreated, ['death-penalty'], 'only the label the vocabulary lacks is added, as printed without its code');
  t.same(db.$client.prepare("select label, uhri, scheme from themes where id = 'death-penalty'").get(), { label: 'Death penalty', uhri: 1, scheme: 'uhri' });
  t.same(report.unmappedLabels, [{ kind: 'theme', label: 'Death penalty', count: 2 }]);
  t.same(
    report.uhriIdsLearned.map((c) => c.uhriId),
    ['A12', 'A41', 'B32', 'D23', 'H1'],
    'the UHRI codes printed, stored with their themes (the one added by this import included)',
  );
  t.same(report.warnings.map((w) => [w.paragraph, w.message]), [['166.8', 'SDG "S99 SDG 99 - no such goal" is not a goal number 1–17: left out']]);
  t.equal(count(db, 'themes', "label like 'B32%' or label like 'A12%' or label = 'Capital punishment'"), 0, 'no coded or second wording added');

  const again = await run(db, await matrixDocx([HEADER_ROW, entryRow({ text: '166.9 Abolish it (Spain);', tags: ['- D23 Death penalty'] })]));
  t.same(again.unmappedLabels, [], 'a label added by an import is in the vocabulary from then on');
  t.same(themesOf(db, 'SVN-3-166.9'), ['death-penalty']);
});

t.test('a UHRI code is stored with the first theme a matrix maps it to, and keys that theme in later matrices', async (t) => {
  const db = seededDb(t);
  const first = await run(
    db,
    await matrixDocx([
      HEADER_ROW,
      entryRow({ text: '166.1 Combat racial discrimination (Spain);', tags: ['- B32 Racial discrimination\n- A12 Acceptance of international norms'] }),
      entryRow({ text: '166.2 Ratify the Convention (France);', tags: ['- A12 Acceptance of international norms', '- 12.4. Death penalty'] }),
    ]),
  );
  t.same(
    first.uhriIdsLearned,
    [
      { id: 'racial-discrimination', uhriId: 'B32' },
      { id: 'acceptance-of-international-norms', uhriId: 'A12' },
    ],
    'each UHRI code once; an older matrix\'s number ("12.4.") is not a UHRI code',
  );
  const codes = () => db.$client.prepare('select uhri_code, id from themes where uhri_code is not null order by 1').raw().all();
  t.same(codes(), [['A12', 'acceptance-of-international-norms'], ['B32', 'racial-discrimination']]);
  t.equal(count(db, 'audit_log', "entity = 'themes' and action = 'update'"), 2, 'each code stored is audited');

  const later = await run(
    db,
    await matrixDocx([
      HEADER_ROW,
      entryRow({ text: '166.3 Combat hate speech (Norway);', tags: ['- B32 Racial & ethnic discrimination and xenophobia', '- A99 Acceptance of international norms'] }),
    ]),
  );
  t.same(themesOf(db, 'SVN-3-166.3'), ['acceptance-of-international-norms', 'racial-discrimination'], 'a stored code keys its theme whatever the wording');
  t.same(later.themesCreated, [], 'no second theme for a second wording');
  t.same(later.unmappedLabels, []);
  t.same(later.uhriIdsLearned, [], 'a theme keeps its first code: A99 is not stored for a theme that has A12');
  t.same(codes(), [['A12', 'acceptance-of-international-norms'], ['B32', 'racial-discrimination']]);
  t.throws(() => db.$client.prepare("update themes set uhri_code = '12.4' where id = 'death-penalty'").run(), /themes_uhri_code_format/, 'only a UHRI code can be stored');
  t.throws(() => db.$client.prepare("update themes set uhri_code = 'B32' where id = 'death-penalty'").run(), /UNIQUE/, 'a code keys one theme');
});

const FOURTH_CYCLE_HEADER = tr(
  cell('Recommendation and source of position'),
  cell('Position'),
  cell('Full list of themes'),
  cell('Relevant SDGs'),
  cell('Assessment/comments on level of implementation'),
);

t.test('4th cycle: a "Relevant SDGs" column, "Groups of Persons:", a header row that is not a recommendation', async (t) => {
  const db = seededDb(t);
  const entry = (text: string, position: string, themes: string[], sdgs: string[]) =>
    tr(cell(text, 'Source of position: A/HRC/58/12 - Para 7'), cell(position), cell(...themes), cell(...sdgs), cell(''));
  const report = await run(
    db,
    await matrixDocx(
      [
        FOURTH_CYCLE_HEADER,
        themeRow('A12 Acceptance of international norms'),
        entry(
          '7.1 Ratify the Convention on migrant workers (Mexico);',
          'Supported',
          ['- A12 Acceptance of international norms', 'Groups of Persons:', '- Migrants & domestic workers'],
          ['- 10 - REDUCED INEQUALITIES', '- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS'],
        ),
        entry('7.2 Protect women human rights defenders (Ireland);', 'Noted', ['- Violence against women', 'Groups of Persons:\n- Women\n- Human rights activists'], ['- 5 - GENDER EQUALITY', '- 16 - PEACE']),
        entry('7.3 Raise the age of marriage (Chile);', 'Supported', ['- Rights related to marriage & family'], ['']),
      ],
      { header: 'UPR of Slovenia (4th Cycle - 48th Session)' },
    ),
  );
  t.equal(report.rowsRead, 3, 'neither the header row nor the heading is read as a recommendation');
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.same(report.reviewsCreated, ['SVN-4']);
  t.same(db.$client.prepare("select wg_session, report_symbol from reviews where id = 'SVN-4'").get(), { wg_session: 48, report_symbol: 'A/HRC/58/12' });
  t.same(sdgsOf(db, 'SVN-4-7.1'), [10, 16]);
  t.same(sdgsOf(db, 'SVN-4-7.2'), [5, 16]);
  t.same(sdgsOf(db, 'SVN-4-7.3'), []);
  t.same(groupsOf(db, 'SVN-4-7.1'), ['migrants-and-domestic-workers']);
  t.same(groupsOf(db, 'SVN-4-7.2'), ['human-rights-activists', 'women']);
  t.equal(recommendation(db, 'SVN-4-7.2')!.position, 'noted');
  t.same(report.affectedPersonsCreated, ['human-rights-activists']);
  t.same(report.unmappedLabels, [{ kind: 'affected-persons group', label: 'Human rights activists', count: 1 }]);
  t.same(report.warnings, []);
});

const OLDER_HEADER = tr(cell('Recommendation'), cell('Recommending State/s'), cell('Position'), cell('Right or area'), cell('Assessment/comments'));

t.test('older layout: a "Recommending State/s" column, "Right or area:" headings, numbered labels; the review from the title', async (t) => {
  const db = seededDb(t);
  const entry = (text: string, states: string[], position: string, labels: string[]) =>
    tr(cell(text, 'Source of Position: A/HRC/15/2 - Para 76'), cell(...states), cell(position), cell(...labels), cell(''));
  const report = await run(
    db,
    await matrixDocx(
      [
        OLDER_HEADER,
        tr(`<w:tc><w:tcPr><w:gridSpan w:val="5"/></w:tcPr>${p('Right or area: 2.1. Acceptance of international norms')}</w:tc>`),
        entry('76.1. Ratify the Convention against Torture', ['France\nGermany'], 'Supported', ['2.1. Acceptance of international norms']),
        entry('76.2. Consider abolishing the death penalty', ['Venezuela (Bolivarian Republic of), Spain', 'Tajikistan; Pakistan'], 'Supported/Noted', ['12.4. Death penalty', '2.1. Acceptance of norms']),
        entry('76.3. Strengthen the ombudsman', ['Atlantis', 'Ecuador and Spain', 'Norway;'], 'Noted', ['12.4. Capital punishment']),
        entry('76.4. Protect journalists (Canada);', [''], 'Supported', ['8.1. Freedom of opinion & expression & right to information']),
      ],
      { header: null, title: 'UPR of Kyrgyzstan - 1st Cycle, 8th Session: thematic list of recommendations' },
    ),
  );
  t.same(report.recommendations, { created: 4, updated: 0, unchanged: 0 });
  t.same(report.reviewsCreated, ['KGZ-1'], 'from the title, with no page header');
  t.equal(db.$client.prepare("select wg_session from reviews where id = 'KGZ-1'").pluck().get(), 8);
  t.same(codesOf(db, 'KGZ-1-76.1'), ['DEU', 'FRA'], 'states on lines of one cell');
  t.same(codesOf(db, 'KGZ-1-76.2'), ['ESP', 'PAK', 'TJK', 'VEN'], 'a nested name beside another, and a semicolon');
  t.same(codesOf(db, 'KGZ-1-76.3'), ['NOR']);
  t.same(unresolvedOf(db, 'KGZ-1-76.3'), ['Atlantis', 'Ecuador and Spain'], 'kept as printed');
  t.same(codesOf(db, 'KGZ-1-76.4'), ['CAN'], 'an empty states cell: the parentheses of the text');
  t.equal(recommendation(db, 'KGZ-1-76.2')!.position, 'partially_supported');
  t.same(themesOf(db, 'KGZ-1-76.1'), ['acceptance-of-international-norms']);
  t.same(themesOf(db, 'KGZ-1-76.2'), ['acceptance-of-international-norms', 'death-penalty'], 'the number is the key within the file');
  t.same(themesOf(db, 'KGZ-1-76.3'), ['death-penalty']);
  t.same(themesOf(db, 'KGZ-1-76.4'), ['freedom-of-opinion-and-expression-and-right-to-information']);
  t.same(report.unmappedLabels, [{ kind: 'theme', label: 'Death penalty', count: 2 }]);
  t.same(report.uhriIdsLearned, [], 'numbered labels ("12.4.") are not UHRI codes: none stored');
  t.same(report.unresolvedRecommenders.map((n) => [n.name, n.count]), [['Atlantis', 1], ['Ecuador and Spain', 1]]);
  t.same(report.warnings, []);
  t.same(report.problems, []);
});

t.test('the review from the title of the document properties; the page header wins over the title', async (t) => {
  const db = seededDb(t);
  const rowsOf = (symbol: string) => [HEADER_ROW, entryRow({ text: '121.1 Ratify CED (France);', source: `${symbol} - Para 121` })];
  const rows = rowsOf('A/HRC/28/15');
  const fromCore = await run(db, await matrixDocx(rows, { header: null, coreTitle: 'UPR of Slovenia (2nd Cycle - 20th Session)' }));
  t.same(fromCore.reviewsCreated, ['SVN-2']);
  t.equal(db.$client.prepare("select wg_session from reviews where id = 'SVN-2'").pluck().get(), 20);
  const headerFirst = await run(db, await matrixDocx(rowsOf('A/HRC/58/12'), { title: 'UPR of Kyrgyzstan (3rd Cycle - 35th Session)', header: 'UPR of Slovenia (4th Cycle - 48th Session)' }));
  t.same(headerFirst.reviewsCreated, ['SVN-4']);
  const nested = await run(db, await matrixDocx(rowsOf('A/HRC/40/15'), { header: 'UPR of Venezuela (Bolivarian Republic of) (3rd Cycle – 26th Session)' }));
  t.same(nested.reviewsCreated, ['VEN-3'], 'a state name with parentheses in the header');
});
