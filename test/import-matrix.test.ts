import JSZip from 'jszip';
import t from 'tap';
import { currentRevision } from '../src/db/revision.js';
import { readTags } from '../src/import/ohchr-labels.js';
import {
  cell,
  codesOf,
  count,
  entryRow,
  HEADER_ROW,
  matrixDocx,
  p,
  recommendation,
  run,
  seededDb,
  themeRow,
  tr,
  unresolvedOf,
} from './import-helpers.js';

const ENTRIES = [
  HEADER_ROW,
  themeRow('Acceptance of international norms'),
  entryRow({
    text: '121.1 Ratify the International Convention for the Protection of All Persons from Enforced Disappearance (France) (Lithuania);',
    tags: [
      '- Acceptance of international norms',
      '- Enforced disappearances',
      'SDGs: ',
      '- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS',
      'Affected persons: ',
      '- Disappeared persons',
    ],
  }),
  entryRow({
    text: '121.2 Complete the ratification of the Convention (Ukraine); Increase efforts towards ratification of the Convention (Slovakia);',
  }),
  entryRow({
    text: '121.3 Ratify the ILO Protocol to the Forced Labour Convention, 1930 (No. 29) (United Kingdom of Great Britain and Northern Ireland);',
  }),
  themeRow('Right to education'),
  entryRow({
    text: '122.10 Adopt a law on the Roma community (Bolivia (Plurinational State of)).',
    source: 'A/HRC/43/15/Add.1 - Para.5',
    position: 'Noted',
    tags: ['- Racial discrimination', '- A theme OHCHR added later', 'Affected persons: ', '- minorities/ racial, ethnic, linguistic, religious or descent-based groups'],
  }),
];

t.test('an OHCHR matrix imports each entry with states, position and its source, themes, SDGs and groups', async (t) => {
  const db = seededDb(t);
  const report = await run(db, await matrixDocx(ENTRIES));
  t.equal(report.format, 'ohchr-matrix', 'detected as a zip');
  t.equal(report.rowsRead, 4);
  t.same(report.recommendations, { created: 4, updated: 0, unchanged: 0 });
  t.same(report.reviewsCreated, ['SVN-3']);
  t.same(
    db.$client.prepare('select state_code, cycle, wg_session, report_symbol from reviews where id = ?').get('SVN-3'),
    { state_code: 'SVN', cycle: 3, wg_session: 34, report_symbol: 'A/HRC/43/15' },
    'the review from the page header and the position sources',
  );
  const first = recommendation(db, 'SVN-3-121.1')!;
  t.equal(first.paragraph, '121.1');
  t.match(first.text, /^Ratify the International Convention .* \(France\) \(Lithuania\);$/);
  t.equal(first.verbatim, 1);
  t.equal(first.position, 'supported');
  t.equal(first.position_label, null);
  t.equal(first.position_source, 'A/HRC/43/15 - Para 121');
  t.same(codesOf(db, 'SVN-3-121.1'), ['FRA', 'LTU']);
  t.same(codesOf(db, 'SVN-3-121.2'), ['SVK', 'UKR'], 'states at the end of each part');
  t.same(codesOf(db, 'SVN-3-121.3'), ['GBR'], '"(No. 29)" is part of the text');
  t.same(codesOf(db, 'SVN-3-122.10'), ['BOL'], 'a name with its own parentheses');
  t.same(
    db.$client.prepare("select theme_id from recommendation_themes where recommendation_id = 'SVN-3-121.1' and label_source is not 'machine' order by 1").pluck().all(),
    ['acceptance-of-international-norms', 'enforced-disappearances'],
  );
  t.same(db.$client.prepare("select goal from recommendation_sdgs where recommendation_id = 'SVN-3-121.1'").pluck().all(), [16]);
  t.same(
    db.$client.prepare("select group_id from recommendation_affected_persons where recommendation_id = 'SVN-3-121.1'").pluck().all(),
    ['disappeared-persons'],
  );
  const noted = recommendation(db, 'SVN-3-122.10')!;
  t.equal(noted.position, 'noted');
  t.equal(noted.position_source, 'A/HRC/43/15/Add.1 - Para.5');
  t.same(report.themesCreated, ['a-theme-ohchr-added-later'], 'a label new to the vocabulary is added');
  t.same(db.$client.prepare("select label, uhri from themes where id = 'a-theme-ohchr-added-later'").get(), {
    label: 'A theme OHCHR added later',
    uhri: 1,
  });
  t.same(report.affectedPersonsCreated, []);
  t.same(report.warnings, []);
  t.same(report.unresolvedRecommenders, []);
});

t.test('the same matrix twice changes nothing; a corrected one updates in place', async (t) => {
  const db = seededDb(t);
  await run(db, await matrixDocx(ENTRIES));
  const revision = currentRevision(db);
  const again = await run(db, await matrixDocx(ENTRIES));
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 4 });
  t.same(again.themesCreated, []);
  t.equal(currentRevision(db), revision);

  const corrected = [...ENTRIES];
  corrected[4] = entryRow({
    text: '121.3 Ratify the ILO Protocol to the Forced Labour Convention, 1930 (No. 29) (United Kingdom of Great Britain and Northern Ireland);',
    position: 'Noted',
    tags: ['- Prohibition of slavery, trafficking', 'SDGs:', '- 8 - DECENT WORK AND ECONOMIC GROWTH'],
  });
  const report = await run(db, await matrixDocx(corrected));
  t.same(report.recommendations, { created: 0, updated: 1, unchanged: 3 });
  t.same(report.updated, [{ id: 'SVN-3-121.3', fields: ['position', 'themes', 'sdgs', 'sources'] }]);
  t.equal(recommendation(db, 'SVN-3-121.3')!.position, 'noted');
  t.equal(recommendation(db, 'SVN-3-121.3')!.version, 2);
  const changes = JSON.parse(
    db.$client.prepare("select changes from audit_log where entity_id = 'SVN-3-121.3' and action = 'update'").pluck().get() as string,
  );
  t.same(changes, {
    position: { before: 'supported', after: 'noted' },
    themes: { before: ['right-to-education'], after: ['prohibition-of-slavery-trafficking'] },
    sdgs: { before: [], after: [8] },
    sources: {
      before: { 'report-a-hrc-43-15': { paragraph: '121.3', position: 'supported', positionLabel: null, positionSource: 'A/HRC/43/15 - Para 121' } },
      after: { 'report-a-hrc-43-15': { paragraph: '121.3', position: 'noted', positionLabel: null, positionSource: 'A/HRC/43/15 - Para 121' } },
    },
    version: { before: 1, after: 2 },
  });
  t.equal(currentRevision(db), revision + 1);
});

t.test('entries the importer cannot read fully are reported', async (t) => {
  const db = seededDb(t);
  const report = await run(
    db,
    await matrixDocx([
      HEADER_ROW,
      entryRow({ text: 'Ratify CAT (France);', source: null, position: '' }),
      entryRow({ text: '1.2 Ratify CED (Atlantis);', position: 'Supported/Noted' }),
      entryRow({ text: '1.3 Ratify CRPD (Ratification) (Spain); Ratify the Convention (Optional);', position: 'Partially supported' }),
      entryRow({ text: '1.4 Ratify ICRMW', tags: ['- Right to education', '- ***', 'SDGs:', '- 18 - NOT A GOAL', '- 16 - PEACE', '- 16 - PEACE'] }),
      tr(cell('1.5 Only two cells (France);'), cell('Supported')),
      tr(cell('1.6', 'Source of Position: A/HRC/43/15 - Para 121'), cell('Supported'), cell('- Right to education')),
      tr(cell(''), cell(''), cell('')),
      entryRow({ text: '1.7 Ratify CRPD (in 2020); Ratify its Optional Protocol (Spain);' }),
      entryRow({ text: '1.8 Hold open and transparent elections (Tajikistan, Pakistan);' }),
      entryRow({ text: '1.8 Hold open and transparent elections (Tajikistan, Pakistan);' }),
      entryRow({ text: '1.9 Hold elections (France, Atlantis);' }),
    ]),
  );
  t.equal(report.recommendations.created, 7);
  const unnumbered = db.$client.prepare("select id from recommendations where review_id = 'SVN-3' and paragraph is null").pluck().get();
  t.match(unnumbered, /^SVN-3-t[0-9a-f]{8}$/);
  t.same(recommendation(db, 'SVN-3-1.2')!.position, 'partially_supported', 'older matrices\' Supported/Noted');
  t.same(recommendation(db, 'SVN-3-1.2')!.position_label, null);
  t.same(recommendation(db, 'SVN-3-1.3')!.position, 'partially_supported');
  t.same(unresolvedOf(db, 'SVN-3-1.2'), ['Atlantis'], 'an unknown state is kept as printed');
  t.same(codesOf(db, 'SVN-3-1.3'), ['ESP'], '"(Ratification)" before a state is text');
  t.same(codesOf(db, 'SVN-3-1.7'), ['ESP']);
  t.same(codesOf(db, 'SVN-3-1.8'), ['PAK', 'TJK'], 'several states in one group');
  t.same(unresolvedOf(db, 'SVN-3-1.9'), ['France, Atlantis'], 'a group is split only when every name resolves');
  t.same(unresolvedOf(db, 'SVN-3-1.3'), ['Optional']);
  t.same(db.$client.prepare("select goal from recommendation_sdgs where recommendation_id = 'SVN-3-1.4'").pluck().all(), [16]);
  t.same(report.unresolvedRecommenders, [
    { name: 'Atlantis', count: 1, note: 'no state has this name or alias' },
    { name: 'France, Atlantis', count: 1, note: 'no state has this name or alias' },
    { name: 'Optional', count: 1, note: 'no state has this name or alias' },
  ]);
  t.same(
    report.warnings.map((w) => [w.row, w.paragraph, w.message]),
    [
      [2, null, 'no paragraph number at the start of the text'],
      [2, null, 'no "Source of Position"'],
      [2, null, 'no position'],
      [5, '1.4', 'SDG "18 - NOT A GOAL" is not a goal number 1–17: left out'],
      [5, '1.4', 'no recommending state in parentheses at the end of the text'],
      [5, '1.4', 'theme "***" has no letters or digits: left out'],
      [9, '1.7', '"(in 2020)" before ";" is not a state name: read as text'],
    ],
  );
  t.same(
    report.problems.map((p) => [p.row, p.paragraph, p.message]),
    [
      [6, undefined, 'not an entry (expected recommendation, position and themes cells): "1.5 Only two cells (France);"'],
      [7, '1.6', 'no recommendation text'],
      [11, '1.8', 'same id (SVN-3-1.8) as row 10: not imported twice'],
    ],
  );
  t.equal(report.skipped, 3);
});

t.test('tags: themes, then SDGs and affected persons, on their own lines or after the heading', async (t) => {
  t.same(readTags(['- Right to health', 'SDGs: 3 - GOOD HEALTH', 'Affected persons: - Women', '• girls', '- Women']), {
    themes: ['Right to health'],
    sdgs: [3],
    affectedPersons: ['Women', 'girls'],
    problems: [],
  });
});

t.test('the review: from the page header, --review, or a stored report symbol; contradictions stop the import', async (t) => {
  const db = seededDb(t);
  const rows = [HEADER_ROW, entryRow({ text: '121.1 Ratify CED (France);' })];
  const revision = currentRevision(db);
  await t.rejects(run(db, await matrixDocx(rows), { review: 'KGZ-3' }), /--review KGZ-3 contradicts the document, a matrix of "Slovenia" \(cycle 3, session 34\)/);
  await t.rejects(run(db, await matrixDocx(rows), { review: 'XXX-3' }), /there is no state XXX/);
  await t.rejects(run(db, await matrixDocx(rows, { header: null })), /Cannot tell which review .* and no stored review with report A\/HRC\/43\/15\. Pass --review/);
  await t.rejects(
    run(db, await matrixDocx([HEADER_ROW, entryRow({ text: '1.1 Do (France);', source: 'somewhere' })], { header: null })),
    /Cannot tell which review this matrix is about: no "UPR of <State> .* in the page header or the title\. Pass --review/,
  );
  await t.rejects(run(db, await matrixDocx(rows, { header: 'UPR of Atlantis (3rd Cycle - 34th Session)' })), /"Atlantis", a name no state alias resolves/);
  await t.rejects(run(db, await matrixDocx(rows, { header: 'UPR of Slovenia (5th Cycle - 50th Session)' })), /a matrix of cycle 5; UPR cycles are 1–4/);
  t.equal(currentRevision(db), revision, 'nothing written');

  const withReview = await run(db, await matrixDocx(rows, { header: null }), { review: 'SVN-3' });
  t.same(withReview.reviewsCreated, ['SVN-3']);
  t.same(db.$client.prepare("select wg_session, report_symbol from reviews where id = 'SVN-3'").get(), {
    wg_session: null,
    report_symbol: 'A/HRC/43/15',
  });
  const fromSymbol = await run(db, await matrixDocx(rows, { header: null }));
  t.same(fromSymbol.recommendations.unchanged, 1, 'a stored review with the report symbol is found');
  const completed = await run(db, await matrixDocx(rows), { review: 'SVN-3' });
  t.same(completed.reviewsUpdated, ['SVN-3'], 'the session the header gives is filled in');
  t.equal(db.$client.prepare("select wg_session from reviews where id = 'SVN-3'").pluck().get(), 34);
  t.same((await run(db, await matrixDocx(rows))).reviewsUpdated, [], 'and only once');

  db.$client.prepare("update reviews set report_symbol = 'A/HRC/43/15' where id = 'KGZ-3'").run();
  db.$client.prepare("update reviews set report_symbol = null where id = 'SVN-3'").run();
  await t.rejects(run(db, await matrixDocx(rows)), /The header names review SVN-3, but report A\/HRC\/43\/15 is stored for KGZ-3/);
  await t.rejects(
    run(db, await matrixDocx(rows, { header: 'UPR of Kyrgyzstan (2nd Cycle - 21st Session)' })),
    /Review KGZ-2 is stored as|but report A\/HRC\/43\/15 is stored for KGZ-3/,
  );
});

t.test('Word XML details: wrappers, tabs and breaks, deleted text, entities, another part name', async (t) => {
  const db = seededDb(t);
  const wrapped =
    `<w:tbl><w:sdt><w:sdtContent>${HEADER_ROW}<w:tr><w:tc>` +
    `<w:p><w:r><w:t>121.7</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>Combat hate speech &amp; “intolerance”</w:t></w:r>` +
    `<w:r><w:delText>DELETED</w:delText></w:r><w:r><w:br/></w:r><w:ins><w:r><w:t>online (Germany);</w:t></w:r></w:ins></w:p>` +
    `${p('Source of Position: A/HRC/43/15 - Para 121')}</w:tc>${cell('Supported')}${cell('- Racial discrimination')}</w:tr>` +
    `</w:sdtContent></w:sdt></w:tbl>`;
  const report = await run(db, await matrixDocx([], { bodyXml: wrapped, mainPath: 'doc/main.xml' }));
  t.same(report.recommendations.created, 1);
  t.equal(recommendation(db, 'SVN-3-121.7')!.text, 'Combat hate speech & “intolerance” online (Germany);');
  t.same(codesOf(db, 'SVN-3-121.7'), ['DEU']);
});

t.test('files that are not OHCHR matrices are refused', async (t) => {
  const db = seededDb(t);
  const zip = (files: Record<string, string>) => {
    const z = new JSZip();
    for (const [name, content] of Object.entries(files)) z.file(name, content);
    return z.generateAsync({ type: 'uint8array' });
  };
  await t.rejects(run(db, 'not a zip', { format: 'ohchr-matrix' }), /Not a readable \.docx/);
  await t.rejects(run(db, await zip({ 'other.txt': 'x' })), /the \.docx has no main document part/);
  await t.rejects(run(db, await matrixDocx([], { bodyXml: '<w:p/>' })), /the document has no table/);
  await t.rejects(
    run(db, await zip({ 'word/document.xml': '<w:document xmlns:w="x"><w:body/></w:document>' })),
    /the document has no table/,
  );
});

t.test('XML parts in UTF-16 (with a byte order mark, or without: big-endian) read as in UTF-8', async (t) => {
  const zip = await JSZip.loadAsync(await matrixDocx(ENTRIES));
  const utf16 = (text: string, bigEndian: boolean, bom: boolean) => {
    const le = Buffer.from(`${bom ? '\ufeff' : ''}${text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')}`, 'utf16le');
    return bigEndian ? le.swap16() : le;
  };
  zip.file('word/document.xml', utf16(await zip.file('word/document.xml')!.async('string'), false, true));
  zip.file('word/header1.xml', utf16(await zip.file('word/header1.xml')!.async('string'), true, false));
  zip.file('_rels/.rels', utf16(await zip.file('_rels/.rels')!.async('string'), true, true));
  const db = seededDb(t);
  const report = await run(db, await zip.generateAsync({ type: 'uint8array' }));
  t.same(report.recommendations, { created: 4, updated: 0, unchanged: 0 }, 'every entry (it was refused: "nests elements more than 64 deep")');
  t.same(report.reviewsCreated, ['SVN-3'], 'the review from the page header');
  t.match(recommendation(db, 'SVN-3-121.1')!.text, /^Ratify the International Convention .* \(France\) \(Lithuania\);$/);
});
