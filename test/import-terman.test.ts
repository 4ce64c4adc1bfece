import t from 'tap';
import { currentRevision } from '../src/db/revision.js';
import { recommendationId } from '../src/import/apply.js';
import { cycleOfYear, DECISIONS, readParagraph, TERMAN_POSITION_SOURCE, TERMAN_SOURCE } from '../src/import/terman-csv.js';
import { ImportError } from '../src/import/types.js';
import {
  codesOf,
  count,
  macRoman,
  misencodedMacRoman,
  recommendation,
  run,
  seededDb,
  unresolvedOf,
  windows1252,
} from './import-helpers.js';

const HEADER = ['text', 'to', 'decision', 'From', 'year', 'notes'];

function csv(rows: string[][], eol = '\r', header = HEADER): string {
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  return [header, ...rows].map((r) => r.map(quote).join(',')).join(eol) + eol;
}

// Kyrgyzstan's first review, as the corpus prints it (two rows for a joint recommendation).
const KGZ_ROWS = [
  ['76.1. Ratify the Optional Protocol to CAT (Czech Republic);', 'kyrgysztan', 'support', 'Czech Republic', '2010', ''],
  ['76.92. Hold open and transparent elections (Tajikistan, Pakistan);', 'kyrgysztan', 'support', 'Tajikistan', '2010', ''],
  ['76.92. Hold open and transparent elections (Tajikistan, Pakistan);', 'kyrgysztan', 'support', 'Pakistan ', '2010', ''],
  ['77.3 Consider abolishing the death penalty (Spain);', 'Kyrgyz Republic', 'consider', 'Spain;', '2010', 'note'],
];

t.test('rows of one paragraph and text merge into one recommendation with several states', async (t) => {
  const db = seededDb(t);
  const report = await run(db, csv(KGZ_ROWS));
  t.equal(report.format, 'terman-csv', 'detected from the header');
  t.equal(report.rowsRead, 4);
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.same(report.reviewsCreated, ['KGZ-1']);
  t.same(report.sourcesCreated, ['terman-uprs-2008-2014']);
  t.same(
    db.$client.prepare("select cycle, wg_session from reviews where id = 'KGZ-1'").get(),
    { cycle: 1, wg_session: 8 },
    'the session comes from the UPR calendar (src/reference/sessions.ts)',
  );
  t.same(codesOf(db, 'KGZ-1-76.92'), ['PAK', 'TJK']);
  const joint = recommendation(db, 'KGZ-1-76.92')!;
  t.equal(joint.text, 'Hold open and transparent elections (Tajikistan, Pakistan);', 'the text without its paragraph number');
  t.equal(joint.paragraph, '76.92');
  t.equal(joint.verbatim, 1);
  t.equal(joint.position, 'supported');
  t.equal(joint.position_label, null, '"support" says no more than "supported"');
  t.equal(joint.position_source, TERMAN_POSITION_SOURCE, 'the position is recorded in the corpus');
  t.equal(joint.source_id, 'terman-uprs-2008-2014');
  const pending = recommendation(db, 'KGZ-1-77.3')!;
  t.equal(pending.position, 'pending');
  t.equal(pending.position_label, 'consider');
  t.same(codesOf(db, 'KGZ-1-77.3'), ['ESP'], '"Spain;" resolves');
  const review = db.$client.prepare('select state_code, cycle from reviews where id = ?').get('KGZ-1');
  t.same(review, { state_code: 'KGZ', cycle: 1 });
  t.equal(count(db, 'audit_log', "entity = 'recommendations' and action = 'create' and actor <> 'seed'"), 3, 'one audit entry per record');
  t.equal(count(db, 'audit_log', "entity = 'reviews' and entity_id = 'KGZ-1'"), 1);
  const searchable = 'recommendations_fts match ? and rowid = (select fts_rowid from recommendations where id = ?)';
  t.equal(count(db, 'recommendations_fts', searchable, 'transparent elections', 'KGZ-1-76.92'), 1, 'searchable');
});

t.test('importing the same file again changes nothing', async (t) => {
  const db = seededDb(t);
  await run(db, csv(KGZ_ROWS));
  const revision = currentRevision(db);
  const audits = count(db, 'audit_log');
  const again = await run(db, csv(KGZ_ROWS));
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 3 });
  t.same(again.reviewsCreated, []);
  t.same(again.sourcesCreated, []);
  t.equal(currentRevision(db), revision, 'the revision is not bumped');
  t.equal(again.revision, revision);
  t.equal(count(db, 'audit_log'), audits);
});

// Hand-made rows (fictional texts) of three reviews: Afghanistan in 2014, whose session the calendar does not
// know (it places reviews up to session 17); Kyrgyzstan in 2010 (session 8, 2010 in the calendar); Albania in
// 2010, whose session the calendar places in 2009 (session 6: the corpus's year is its report's).
const YEAR_ROWS = [
  ['119.1. Open a fictional ombuds office in every province (Norway);', 'afghanistan', 'support', 'Norway', '2014', ''],
  ['119.2. Adopt a fictional plan for rural schools (Chile);', 'afghanistan', 'consider', 'Chile', '2014', ''],
  ['76.1. Ratify the Optional Protocol to CAT (Czech Republic);', 'kyrgysztan', 'support', 'Czech Republic', '2010', ''],
  ['88.1. Publish the fictional census of 2009 (Peru);', 'albania', 'support', 'Peru', '2010', ''],
];

t.test('a review keeps the year the corpus gives; the calendar still gives the session it knows', async (t) => {
  const db = seededDb(t);
  const report = await run(db, csv(YEAR_ROWS));
  t.same(report.reviewsCreated, ['AFG-2', 'KGZ-1', 'ALB-1']);
  t.same(report.warnings, []);
  const reviews = db.$client
    .prepare("select id, wg_session, dialogue_date, report_year from reviews where id in ('AFG-2', 'KGZ-1', 'ALB-1') order by id")
    .all();
  t.same(reviews, [
    { id: 'AFG-2', wg_session: null, dialogue_date: null, report_year: 2014 },
    { id: 'ALB-1', wg_session: 6, dialogue_date: null, report_year: 2010 },
    { id: 'KGZ-1', wg_session: 8, dialogue_date: null, report_year: 2010 },
  ], 'no session or date invented: only the year the rows give');
  const created = db.$client.prepare("select changes from audit_log where entity = 'reviews' and entity_id = 'AFG-2'").pluck().get() as string;
  t.match(JSON.parse(created), { reportYear: { before: null, after: 2014 } }, 'the audit entry records the year');

  const revision = currentRevision(db);
  const again = await run(db, csv(YEAR_ROWS));
  t.same([again.reviewsCreated, again.reviewsUpdated, again.recommendations], [[], [], { created: 0, updated: 0, unchanged: 4 }]);
  t.equal(currentRevision(db), revision, 'importing it again changes nothing');
});

t.test('a review stored without its year gets it from a re-import, once; a stored year is never overwritten', async (t) => {
  const db = seededDb(t);
  await run(db, csv(YEAR_ROWS));
  db.$client.prepare("update reviews set report_year = null where id in ('AFG-2', 'KGZ-1')").run(); // as imported before the year was kept
  const revision = currentRevision(db);
  // The documents the import makes stale (it rebuilds them before it commits): a year is in none of them. (In the
  // main schema: the import's temp_store pragma drops temporary tables and triggers.)
  db.$client.exec(`create table made_stale (id text);
    create trigger made_stale after insert on recommendation_documents_stale begin insert into made_stale values (new.recommendation_id); end`);
  const filled = await run(db, csv(YEAR_ROWS));
  t.same(filled.reviewsUpdated, ['AFG-2', 'KGZ-1']);
  t.same(db.$client.prepare('select id from made_stale').pluck().all(), [], "no document rebuilt for the reviews' years (each review's every recommendation was)");
  t.same(filled.recommendations, { created: 0, updated: 0, unchanged: 4 });
  t.equal(db.$client.prepare("select report_year from reviews where id = 'AFG-2'").pluck().get(), 2014);
  t.equal(currentRevision(db), revision + 1);
  const entry = db.$client
    .prepare("select changes from audit_log where entity = 'reviews' and entity_id = 'AFG-2' and action = 'update'")
    .pluck()
    .get() as string;
  t.same(JSON.parse(entry), { reportYear: { before: null, after: 2014 }, version: { before: 1, after: 2 } }, 'an audit entry says what was filled in, and the new version');
  t.equal(db.$client.prepare("select version from reviews where id = 'AFG-2'").pluck().get(), 2);
  const again = await run(db, csv(YEAR_ROWS));
  t.same(again.reviewsUpdated, [], 'then nothing more to fill');
  t.equal(currentRevision(db), revision + 1);

  const other = YEAR_ROWS.map((row) => (row[1] === 'afghanistan' ? [...row.slice(0, 4), '2015', ''] : row));
  const kept = await run(db, csv(other));
  t.same(kept.reviewsUpdated, [], 'another year for the same review is not written over the stored one');
  t.equal(db.$client.prepare("select report_year from reviews where id = 'AFG-2'").pluck().get(), 2014);
});

t.test('rows of one review that give different years leave its year empty (reported)', async (t) => {
  const db = seededDb(t);
  const report = await run(db, csv([...YEAR_ROWS.slice(0, 1), ['119.3. Train fictional judges (Peru);', 'afghanistan', 'support', 'Peru', '2013', '']]));
  t.same(report.reviewsCreated, ['AFG-2']);
  t.equal(db.$client.prepare("select report_year from reviews where id = 'AFG-2'").pluck().get(), null);
  t.same(
    report.warnings.map((w) => [w.row, w.message]),
    [[3, 'review AFG-2: rows give different years (2014 in row 2, 2013 in row 3): its year left empty']],
  );
});

t.test('a corrected file updates in place, and the audit log shows the change', async (t) => {
  const db = seededDb(t);
  await run(db, csv(KGZ_ROWS));
  const before = recommendation(db, 'KGZ-1-77.3')!;
  const revision = currentRevision(db);
  const corrected = KGZ_ROWS.map((r) => [...r]);
  corrected[3] = ['77.3 Consider abolishing the death penalty (Spain);', 'Kyrgyz Republic', 'reject', 'Spain', '2010', ''];
  // From and the text's parenthesis together: a closing parenthesis that names a state would give it.
  corrected[0] = ['76.1. Ratify the Optional Protocol to CAT (NA);', 'kyrgysztan', 'support', 'NA', '2010', ''];
  const report = await run(db, csv(corrected));
  t.same(report.recommendations, { created: 0, updated: 2, unchanged: 1 });
  t.same(report.updated, [
    { id: 'KGZ-1-76.1', fields: ['text', 'recommendingStates', 'unresolvedRecommenders'] },
    { id: 'KGZ-1-77.3', fields: ['position', 'positionLabel', 'sources'] },
  ]);
  const after = recommendation(db, 'KGZ-1-77.3')!;
  t.equal(after.position, 'noted');
  t.equal(after.position_label, 'reject');
  t.equal(after.version, 2);
  t.equal(after.created_at, before.created_at, 'created_at kept');
  t.not(after.updated_at, before.updated_at);
  t.same(codesOf(db, 'KGZ-1-76.1'), []);
  t.same(unresolvedOf(db, 'KGZ-1-76.1'), ['NA']);
  t.equal(currentRevision(db), revision + 1);
  const entry = db.$client
    .prepare("select action, changes, actor, revision from audit_log where entity_id = 'KGZ-1-77.3' order by seq desc limit 1")
    .get() as { action: string; changes: string; actor: string; revision: number };
  t.equal(entry.action, 'update');
  t.equal(entry.actor, 'test');
  t.equal(entry.revision, revision + 1);
  t.same(JSON.parse(entry.changes), {
    position: { before: 'pending', after: 'noted' },
    positionLabel: { before: 'consider', after: 'reject' },
    sources: {
      before: { [TERMAN_SOURCE.id]: { paragraph: '77.3', position: 'pending', positionLabel: 'consider', positionSource: TERMAN_POSITION_SOURCE } },
      after: { [TERMAN_SOURCE.id]: { paragraph: '77.3', position: 'noted', positionLabel: 'reject', positionSource: TERMAN_POSITION_SOURCE } },
    },
    version: { before: 1, after: 2 },
  });
});

t.test('a dry run reports the same and writes nothing', async (t) => {
  const db = seededDb(t);
  const revision = currentRevision(db);
  const recommendations = count(db, 'recommendations');
  const audits = count(db, 'audit_log');
  const dry = await run(db, csv(KGZ_ROWS), { dryRun: true });
  t.equal(dry.dryRun, true);
  t.same(dry.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.same(dry.reviewsCreated, ['KGZ-1']);
  t.equal(count(db, 'recommendations'), recommendations);
  t.equal(count(db, 'reviews', "id = 'KGZ-1'"), 0);
  t.equal(count(db, 'sources', "id = 'terman-uprs-2008-2014'"), 0);
  t.equal(count(db, 'audit_log'), audits);
  t.equal(currentRevision(db), revision);
  t.equal(dry.revision, revision);
});

t.test('every encoding and line ending gives the same records', async (t) => {
  const rows = [
    ['76.5. Protect the State’s “human rights defenders” (Côte d’Ivoire);', 'kyrgyzstan', 'support', "Côte d'Ivoire", '2010', ''],
    ['76.6. Hold the multi-line\r\nconsultation (France);', 'kyrgyzstan', 'reject', 'France', '2010', ''],
  ];
  const expected = 'Protect the State’s “human rights defenders” (Côte d’Ivoire);';
  const variants: [string, Uint8Array | string][] = [
    ['UTF-8, LF', csv(rows, '\n')],
    ['UTF-8 with BOM, CRLF', `\uFEFF${csv(rows, '\r\n')}`],
    ['Windows-1252, CRLF', windows1252(csv(rows, '\r\n'))],
    ['Mac Roman, CR', macRoman(csv(rows, '\r'))],
    ['Mac Roman mis-encoded once, CR', misencodedMacRoman(csv(rows, '\r'), 1)],
    ['Mac Roman mis-encoded twice, mixed', misencodedMacRoman(csv(rows, '\r').replace(/\r(?="76\.6)/, '\r\n'), 2)],
  ];
  for (const [name, file] of variants) {
    const db = seededDb(t);
    const report = await run(db, file);
    t.equal(report.recommendations.created, 2, name);
    t.equal(recommendation(db, 'KGZ-1-76.5')!.text, expected, name);
    t.equal(recommendation(db, 'KGZ-1-76.6')!.text, 'Hold the multi-line consultation (France);', `${name}: line breaks in a cell become spaces`);
    t.same(codesOf(db, 'KGZ-1-76.5'), ['CIV'], name);
  }
  const db = seededDb(t);
  const twice = await run(db, misencodedMacRoman(csv(rows, '\r'), 2));
  t.same(twice.encoding?.encoding, 'macintosh');
  t.equal(twice.encoding?.lineEndings, 'mixed', 'CR between rows, CRLF inside a cell');
  t.equal(twice.encoding?.repairSteps, 2);
  t.same(twice.encoding?.repaired, { 'Í → ’': 2, 'î → ”': 1, 'ñ → “': 1, 'ª → ô': 2 }, 'repairs are counted in the report');
  t.equal(twice.encoding?.repairs, 6);
});

t.test('a file read with a repair its earlier import lacked updates its records in place, those with ids from their text too', async (t) => {
  // The texts as an import without the repair stored them (vis-ö-vis: à mis-encoded twice, left as printed),
  // in each shape of id: the paragraph's, a paragraph's shared by two texts (with a hash of the text), none.
  const rows = (v: string) => [
    ['76.1. Ensure the State’s “independence” and the women’s rights (Côte d’Ivoire);', 'kenya', 'support', 'Spain', '2010', ''],
    [`76.2. End discrimination vis-${v}-vis the Baha’i (Luxembourg);`, 'kenya', 'reject', 'Luxembourg', '2010', ''],
    [`111. Continue the policy vis-${v}-vis refugees (Somalia);`, 'kenya', 'support', 'Somalia', '2010', ''],
    ['111. Organize elections (Niger);', 'kenya', 'support', 'Niger', '2010', ''],
    [`Protect refugees vis-${v}-vis the law (Niger);`, 'kenya', 'support', 'Niger', '2010', ''],
  ];
  const db = seededDb(t);
  t.same((await run(db, csv(rows('ö')))).recommendations, { created: 5, updated: 0, unchanged: 0 });
  const ids = db.$client.prepare("select id from recommendations where review_id = 'KEN-1' order by id").pluck().all();
  // The Mac Roman file, mis-encoded twice, as the corpus's 2010 file is: now read as vis-à-vis.
  const file = misencodedMacRoman(csv(rows('à')), 2);
  const report = await run(db, file);
  t.equal(report.encoding?.repaired['ö → à'], 3);
  t.same(report.recommendations, { created: 0, updated: 3, unchanged: 2 }, 'no second record');
  t.same(report.notInFile, []);
  t.same(report.reconciliation, { matched: 0, ambiguous: 0 });
  t.same(db.$client.prepare("select id from recommendations where review_id = 'KEN-1' order by id").pluck().all(), ids, 'the same ids');
  t.same(
    db.$client.prepare("select text from recommendations where review_id = 'KEN-1' and text like '%vis-%' order by id").pluck().all(),
    ['Continue the policy vis-à-vis refugees (Somalia);', 'End discrimination vis-à-vis the Baha’i (Luxembourg);', 'Protect refugees vis-à-vis the law (Niger);'],
  );
  t.equal(count(db, 'recommendation_sources', "recommendation_id like 'KEN-1-%' and match_key like '%vis o vis%'"), 0, 'the readings updated');
  t.same((await run(db, file)).recommendations, { created: 0, updated: 0, unchanged: 5 }, 'and again: nothing changes');
});

t.test('paragraph numbers in every printed shape', async (t) => {
  const cases: [string, string | null, string][] = [
    ['76.1. Ratify CAT (Spain);', '76.1', 'Ratify CAT (Spain);'],
    ['76.1  Ratify CAT (Spain);', '76.1', 'Ratify CAT (Spain);'],
    ['61 1. Commit to ratify (Spain);', '61.1', 'Commit to ratify (Spain);'],
    ['111. 29 Strengthen efforts (Spain);', '111.29', 'Strengthen efforts (Spain);'],
    ['111. Organize elections (Spain);', '111', 'Organize elections (Spain);'],
    ['93.3..2 ratify CRPD (Spain);', '93.3', 'ratify CRPD (Spain);'],
    ['96.1.1  ratify the Protocol (Spain);', '96.1', 'ratify the Protocol (Spain);'],
    ['67.17.2and increase the number (Spain);', '67.17', 'and increase the number (Spain);'],
    ['100.56..1/establish a moratorium (Spain);', '100.56', 'establish a moratorium (Spain);'],
    ['186.132. .Inform the suspects (Spain);', '186.132', 'Inform the suspects (Spain);'],
    ['Ratify CAT (Spain);', null, 'Ratify CAT (Spain);'],
  ];
  for (const [printed, paragraph, text] of cases) t.same(readParagraph(printed), { paragraph, text }, printed);
  t.same(readParagraph('106.40..1 106.41. Consider an Ombudsman (Kyrgyzstan);'), {
    paragraph: '106.41',
    text: 'Consider an Ombudsman (Kyrgyzstan);',
    note: 'paragraph printed "106.40..1 106.41." read as 106.41',
  });
  t.equal(readParagraph('110.43..1110.44.Take actions (Thailand);').paragraph, '110.44');
  t.equal(readParagraph('108.91.1 108.92 Continue (Thailand);').paragraph, '108.92');

  const db = seededDb(t);
  const report = await run(
    db,
    csv([
      ['106.40..1 106.41. Consider an Ombudsman (Kyrgyzstan);', 'denmark', 'consider', 'Kyrgyzstan', '2011', ''],
      ['Ratify CAT (Spain);', 'denmark', 'support', 'Spain', '2011', ''],
    ]),
  );
  t.ok(recommendation(db, 'DNK-1-106.41'));
  t.same(
    report.warnings.map((w) => [w.row, w.message]),
    [
      [2, 'paragraph printed "106.40..1 106.41." read as 106.41'],
      [3, 'no paragraph number at the start of the text'],
    ],
  );
  const unnumbered = recommendationId('DNK-1', null, 'Ratify CAT', false);
  t.match(unnumbered, /^DNK-1-t[0-9a-f]{8}$/);
  t.ok(recommendation(db, unnumbered), 'a text without a number gets an id from its text');
});

t.test('different texts sharing a paragraph stay separate, with deterministic ids', async (t) => {
  const rows = [
    ['111. Organize inclusive national consultations (Niger);', 'mali', 'support', 'Niger', '2013', ''],
    ['111. Guarantee the respect for human rights (France);', 'mali', 'support', 'France', '2013', ''],
    ['111. Guarantee the respect for human rights (Spain);', 'mali', 'support', 'Spain', '2013', ''],
    // A later part of the paragraph continues its sentence (Brunei 2010's 90.14.3, Bhutan 2014's 120.5.1).
    ['111. guarantee the respect for human rights (Italy);', 'mali', 'support', 'Italy', '2013', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  t.equal(report.recommendations.created, 2, 'the second text, made by two states, is one recommendation');
  const consult = recommendationId('MLI-2', '111', 'Organize inclusive national consultations', true);
  const guarantee = recommendationId('MLI-2', '111', 'Guarantee the respect for human rights', true);
  t.match(consult, /^MLI-2-111-[0-9a-f]{8}$/);
  t.not(consult, guarantee);
  t.same(codesOf(db, guarantee), ['ESP', 'FRA', 'ITA'], 'the part printed in lower case is the same recommendation');
  t.equal(
    recommendation(db, guarantee)!.text,
    'Guarantee the respect for human rights (France); Guarantee the respect for human rights (Spain); guarantee the respect for human rights (Italy);',
    'texts differing only in their states are kept, one after the other',
  );
  t.equal(recommendation(db, consult)!.paragraph, '111');
  const reversed = seededDb(t);
  const again = await run(reversed, csv([...rows].reverse()));
  t.equal(again.recommendations.created, 2);
  t.same(codesOf(reversed, guarantee), ['ESP', 'FRA', 'ITA'], 'the same id whichever row comes first');
  t.same((await run(db, csv(rows))).recommendations, { created: 0, updated: 0, unchanged: 2 }, 'ids reproduce');
});

t.test('decisions map to positions, keeping the printed decision when it says more', async (t) => {
  t.same(DECISIONS.implemented, { position: 'supported', label: 'implemented' });
  // "constructor": a name of Object's, looked up in a plain object, gave no position, no label and no warning.
  const decisions = ['support', 'consider', 'reject', 'noted', 'implemented', 'implement', 'unknown', '', 'Partially', 'constructor'];
  const rows = decisions.map((d, i) => [`12.${i + 1} Do something ${i} (France);`, 'albania', d, 'France', '2009', '']);
  rows.push(['12.20 Do it (France);', 'albania', 'support', 'France', '2009', '']);
  rows.push(['12.20 Do it (Spain);', 'albania', 'consider', 'Spain', '2009', '']);
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  const got = db.$client
    .prepare("select paragraph, position, position_label from recommendations where review_id = 'ALB-1' order by paragraph_sort_key")
    .all();
  t.same(got, [
    { paragraph: '12.1', position: 'supported', position_label: null },
    { paragraph: '12.2', position: 'pending', position_label: 'consider' },
    { paragraph: '12.3', position: 'noted', position_label: 'reject' },
    { paragraph: '12.4', position: 'noted', position_label: null },
    { paragraph: '12.5', position: 'supported', position_label: 'implemented' },
    { paragraph: '12.6', position: 'supported', position_label: 'implement' },
    { paragraph: '12.7', position: null, position_label: 'unknown' },
    { paragraph: '12.8', position: null, position_label: null },
    { paragraph: '12.9', position: null, position_label: 'Partially' },
    { paragraph: '12.10', position: null, position_label: 'constructor' },
    { paragraph: '12.20', position: null, position_label: 'support / consider' },
  ]);
  t.same(
    report.warnings.map((w) => w.message),
    [
      'decision "Partially" is not one the importer knows: position left empty',
      'decision "constructor" is not one the importer knows: position left empty',
      'rows 12, 13 give different decisions (support, consider): position left empty',
    ],
  );
});

t.test('state names: aliases resolve; unknown, ambiguous and multi-state names are reported, never guessed', async (t) => {
  const rows = [
    ['64.1 To ratify CRPD (Brazil);', 'Korea', 'support', 'Brazil', '2011', ''],
    ['64.2 To ratify CAT (Brazil);', 'Korea', 'support', 'Brazil', '2011', ''],
    ['5.1 Abolish the death penalty (NA);', 'antiguaandbarbuda', 'consider', 'NA', '2011', ''],
    ['5.2 Declare a moratorium;', 'antiguaandbarbuda', 'consider', 'moratorium', '2011', ''],
    ['5.3 Ratify CEDAW (Ecuador and Spain);', 'antiguaandbarbuda', 'consider', 'Ecuador and Spain', '2011', ''],
    ['5.4 Ratify OP-CAT (Argentina, Chile);', 'antiguaandbarbuda', 'consider', 'Argentina Chile', '2011', ''],
    ['5.5 Ratify ICRMW (NA);', 'Centeral African Republic', 'consider', ' NA', '2011', ''],
    ['5.6 Ratify ICCPR;', 'antiguaandbarbuda', 'support', '', '2011', ''],
    ['5.7 Ratify ICESCR;', 'Atlantis', 'support', 'France', '2011', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  t.equal(report.recommendations.created, 6);
  t.equal(report.skipped, 3);
  t.same(report.unresolvedStatesUnderReview, [
    { name: 'Korea', count: 2, note: 'ambiguous: could be KOR or PRK' },
    { name: 'Atlantis', count: 1, note: 'no state has this name or alias' },
  ]);
  t.same(report.unresolvedRecommenders, [
    { name: 'NA', count: 2, note: 'no state has this name or alias' },
    { name: 'Argentina Chile', count: 1, note: 'several states in one cell (ARG, CHL): not split' },
    { name: 'Ecuador and Spain', count: 1, note: 'several states in one cell (ECU, ESP): not split' },
    { name: 'moratorium', count: 1, note: 'no state has this name or alias' },
  ]);
  t.same(
    report.problems.map((p) => [p.row, p.paragraph, p.message]),
    [
      [2, '64.1', 'state under review "Korea" not resolved: ambiguous: could be KOR or PRK'],
      [3, '64.2', 'state under review "Korea" not resolved: ambiguous: could be KOR or PRK'],
      [10, '5.7', 'state under review "Atlantis" not resolved: no state has this name or alias'],
    ],
  );
  t.same(unresolvedOf(db, 'ATG-1-5.3'), ['Ecuador and Spain'], 'kept as printed');
  t.same(codesOf(db, 'ATG-1-5.3'), []);
  t.same(unresolvedOf(db, 'CAF-1-5.5'), ['NA']);
  t.same(codesOf(db, 'ATG-1-5.6'), []);
  t.same(codesOf(db, 'ATG-1-5.4'), ['ARG', 'CHL'], "a cell naming two states: the text's closing parenthesis names them");
  t.same(unresolvedOf(db, 'ATG-1-5.4'), []);
  t.same(report.warnings.map((w) => [w.row, w.message]), [
    [7, '`From` ("Argentina Chile") does not resolve: recommending states read from the text\'s closing parenthesis (ARG, CHL)'],
    [9, 'no recommending state (`From` is empty)'],
  ]);
});

t.test('an ambiguous state under review is the one candidate the UPR calendar reviews in the year or the year before', async (t) => {
  // 2008data.csv prints the Republic of Korea's first review (session 2, May 2008) as "Korea"; the Democratic
  // People's Republic was first reviewed at session 6 (December 2009), its report in 2010.
  const rows = [
    ['64.1  To work on the implementation of observations of treaty bodies (Brazil);', 'Korea', 'consider', 'Brazil', '2008', ''],
    ['64.2  To ratify CRPD (Brazil);', 'Korea', 'consider', 'Brazil', '2010', ''],
    ['64.3  To ratify CAT (Brazil);', 'Korea', 'consider', 'Brazil', '2011', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  t.same(codesOf(db, 'KOR-1-64.1'), ['BRA']);
  t.equal(db.$client.prepare("select wg_session from reviews where id = 'KOR-1'").pluck().get(), 2);
  t.ok(recommendation(db, 'PRK-1-64.2'), 'the report of December 2009 is of 2010');
  t.same(report.unresolvedStatesUnderReview, [{ name: 'Korea', count: 1, note: 'ambiguous: could be KOR or PRK' }], '2011: neither');
  t.same(report.warnings.filter((w) => w.message.startsWith('state under review')).map((w) => [w.row, w.message]), [
    [2, 'state under review "Korea" (KOR or PRK) read as KOR: the only one the UPR calendar reviews in 2007–2008'],
    [3, 'state under review "Korea" (KOR or PRK) read as PRK: the only one the UPR calendar reviews in 2009–2010'],
  ]);
});

t.test("the text's closing parentheses are the report's attribution: states `From` lacks are recorded, a contradicting `From` is not", async (t) => {
  // As the corpus prints them: KAZ-2 125.8 (two rows, both coded Hungary), LCA-1 89.21 (coded Morocco, as the
  // row before it), SVC-1 76.18..1 (Norway's part inside the text, France's at its end).
  const rows = [
    ['125.8 Ratify CRPD (Hungary,  Spain);', 'kazakhstan', 'implemented', 'Hungary', '2014', ''],
    ['125.8 Ratify CRPD (Hungary,  Spain);', 'kazakhstan', 'implemented', 'Hungary', '2014', ''],
    ['122.2. Ratify CRPD (Spain) (France) (India);', 'kazakhstan', 'support', 'India', '2014', ''],
    ['89.19 Consider becoming a party to ICESCR (Morocco);', 'saintlucia', 'consider', 'Morocco', '2011', ''],
    ['89.21 Sign and ratify the two Optional Protocols to CRC. (Portugal)', 'saintlucia', 'consider', 'Morocco', '2011', ''],
    ['76.18..1 Take legal, educational (Norway) and necessary measures against violence (France);', 'saintlucia', 'support', 'Norway', '2011', ''],
    ['76.19 Ratify OP-CAT (No. 29);', 'saintlucia', 'support', 'Norway', '2011', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  t.same(codesOf(db, 'KAZ-2-125.8'), ['ESP', 'HUN']);
  t.same(codesOf(db, 'KAZ-2-122.2'), ['ESP', 'FRA', 'IND']);
  t.same(codesOf(db, 'LCA-1-89.19'), ['MAR']);
  t.same(codesOf(db, 'LCA-1-89.21'), ['PRT'], 'the text, not the row before it');
  t.same(codesOf(db, 'LCA-1-76.18'), ['FRA', 'NOR'], 'From is named inside the text: both');
  t.same(codesOf(db, 'LCA-1-76.19'), ['NOR'], 'a closing group that names no state: From alone');
  t.same(report.warnings.map((w) => [w.row, w.message]), [
    [2, "recommending states the text names and no row's `From` gives: ESP (recorded)"],
    [4, "recommending states the text names and no row's `From` gives: ESP, FRA (recorded)"],
    [6, '`From` ("Morocco") is not among the states the text names: recommending states read from its closing parenthesis (PRT)'],
    [7, "recommending states the text names and no row's `From` gives: FRA (recorded)"],
  ]);
});

t.test('a row that is only its states is a co-author of the recommendation printed before it in its paragraph', async (t) => {
  // As the corpus prints ARE-2 128.31 and USA-1 92.93.
  const rows = [
    ['128.31. Ratify the Rome Statute of the ICC (Uruguay);', 'unitedarabemirates', 'consider', 'Uruguay', '2013', ''],
    ['128.31..1 (Slovakia);', 'unitedarabemirates', 'consider', 'Slovakia', '2013', ''],
    ['128.32. Ratify the 1951 Convention (Ecuador);', 'unitedarabemirates', 'consider', 'Ecuador', '2013', ''],
    ['128.33..1 (Denmark);', 'unitedarabemirates', 'consider', 'Denmark', '2013', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  t.equal(report.recommendations.created, 3);
  t.same(codesOf(db, 'ARE-2-128.31'), ['SVK', 'URY']);
  t.equal(recommendation(db, 'ARE-2-128.31')!.text, 'Ratify the Rome Statute of the ICC (Uruguay); (Slovakia);');
  t.equal(recommendation(db, 'ARE-2-128.33')!.text, '(Denmark);', 'no recommendation before it in its paragraph: kept as printed');
  t.same(
    report.warnings.filter((w) => w.message.startsWith('the text is only')).map((w) => [w.row, w.message]),
    [[3, 'the text is only its recommending states ("(Slovakia);"): read as a co-author of row 2\'s recommendation']],
  );
});

t.test('a `From` that repeats the state under review: the recommenders the text names, or none', async (t) => {
  // As 2014data.csv prints one CPED recommendation to Macedonia: three rows, each `From` Macedonia.
  const cped = '125.1. Ratify the International Convention for the Protection of All Persons from Enforced Disappearance (CPED) (France, Iraq, Poland);';
  const rows = [
    [cped, 'Macedonia', 'support', 'Macedonia', '2014', ''],
    [cped, 'Macedonia', 'support', 'Macedonia', '2014', ''],
    ['125.2. Protect journalists (Atlantis);', 'Macedonia', 'support', 'Macedonia', '2014', ''],
    ['125.3. Ratify OP-CAT (Macedonia);', 'Macedonia', 'support', 'Macedonia', '2014', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  t.equal(report.recommendations.created, 3);
  t.same(codesOf(db, 'MKD-2-125.1'), ['FRA', 'IRQ', 'POL'], "the report's own attribution, not the state under review");
  t.same(codesOf(db, 'MKD-2-125.2'), [], 'a closing group that does not resolve: none recorded');
  t.same(codesOf(db, 'MKD-2-125.3'), [], 'nor one that names the state under review again');
  t.same(unresolvedOf(db, 'MKD-2-125.2'), []);
  t.same(
    report.warnings.map((w) => [w.row, w.message]),
    [
      [2, '`From` is the state under review ("Macedonia"): recommending states read from the text\'s closing parenthesis (France, Iraq, Poland)'],
      [3, '`From` is the state under review ("Macedonia"): recommending states read from the text\'s closing parenthesis (France, Iraq, Poland)'],
      [4, '`From` is the state under review ("Macedonia"): no recommending state recorded'],
      [5, '`From` is the state under review ("Macedonia"): no recommending state recorded'],
    ],
  );
});

t.test('malformed rows are skipped and reported; a file that is not CSV is refused', async (t) => {
  const db = seededDb(t);
  const report = await run(
    db,
    csv([
      ['1.1 Fine (France);', 'chile', 'support', 'France', '2009', ''],
      ['', '', '', '', '', ''],
      ['1.2 No state;', '', 'support', 'France', '2009', ''],
      ['1.3 Bad year (France);', 'chile', 'support', 'France', '20x9', ''],
      ['1.4 Too early (France);', 'chile', 'support', 'France', '2007', ''],
      ['1.5', 'chile', 'support', 'France', '2009', ''],
      ['1.6 Short row (France);', 'chile', 'support', 'France', '2009'],
      ['1.7 Shorter'],
    ]) + '"1.8 Quoted, then more (France).";,chile,support,France,2009,\r',
  );
  t.equal(recommendation(db, 'CHL-1-1.8')!.text, 'Quoted, then more (France).;');
  t.same(report.warnings.map((w) => [w.row, w.message]), [[10, 'the text was quoted with more after the closing quote: quotes removed']]);
  t.equal(report.rowsRead, 8, 'the blank row is not a row');
  t.equal(report.recommendations.created, 3);
  t.same(
    report.problems.map((p) => [p.row, p.message]),
    [
      [4, 'no state under review (`to` is empty)'],
      [5, 'year "20x9" is not a year of the UPR (2008 or later)'],
      [6, 'year "2007" is not a year of the UPR (2008 or later)'],
      [7, 'no recommendation text'],
      [9, 'no state under review (`to` is empty)'],
    ],
  );
  t.equal(cycleOfYear(2011), 1);
  t.equal(cycleOfYear(2012), 2);
  t.equal(cycleOfYear(2016), 2);
  t.equal(cycleOfYear(2017), 3);
  t.equal(cycleOfYear(2021), 3);
  t.equal(cycleOfYear(2022), 4);

  await t.rejects(run(db, '', { format: 'terman-csv' }), new ImportError('The file is empty: no header row.'));
  await t.rejects(run(db, 'text,to,year\r1,2,3\r', { format: 'terman-csv' }), /lacks "decision", "from"/);
  await t.rejects(run(db, `${csv([])}"1.1 unclosed,chile,support,France,2009,\r`), /Not a readable CSV file/);
  await t.rejects(run(db, 'a,b\nc,d\n'), /Cannot tell the file's format/);
});

t.test('--review imports only that review’s rows; cycles come from the year', async (t) => {
  const rows = [
    ...KGZ_ROWS,
    ['1.1 Ratify CAT (France);', 'albania', 'support', 'France', '2014', ''],
    ['1.1 Ratify CAT (France);', 'albania', 'support', 'France', '2022', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows), { review: 'ALB-2' });
  t.equal(report.rowsRead, 6);
  t.equal(report.rowsNotSelected, 5);
  t.same(report.reviewsCreated, ['ALB-2']);
  t.same(report.recommendations.created, 1);
  t.same(report.notInFile, []);
  const all = await run(db, csv(rows));
  t.same(all.reviewsCreated, ['KGZ-1', 'ALB-4']);
  await t.rejects(run(db, csv(rows), { review: 'KGZ-9' }), /not a review id like KGZ-3/);
});

t.test('a review held late in a year keeps its cycle when its report bears the next year: the calendar, not the year', async (t) => {
  // Tajikistan: session 12, October 2011, the first cycle's last; its report could be dated 2012, a second-cycle year.
  const rows = [
    ['90.1. Ratify the Optional Protocol to CAT (France);', 'tajikistan', 'support', 'France', '2012', ''],
    ['1.1 Ratify CAT (France);', 'tajikistan', 'support', 'France', '2016', ''],
    ['1.1 Ratify CAT (France);', 'albania', 'support', 'France', '2012', ''],
  ];
  const db = seededDb(t);
  const report = await run(db, csv(rows));
  t.same(report.reviewsCreated, ['TJK-1', 'TJK-2', 'ALB-2'], 'TJK-1, not a second-cycle review the calendar does not hold');
  const reviews = db.$client.prepare("select id, cycle, wg_session, report_year from reviews where id in ('TJK-1', 'TJK-2', 'ALB-2') order by id").all();
  t.same(reviews, [
    { id: 'ALB-2', cycle: 2, wg_session: null, report_year: 2012 },
    { id: 'TJK-1', cycle: 1, wg_session: 12, report_year: 2012 },
    { id: 'TJK-2', cycle: 2, wg_session: null, report_year: 2016 },
  ], 'where the calendar knows no review in the year or the year before, the cycle of the year');
  t.equal(recommendation(db, 'TJK-1-90.1')?.text, 'Ratify the Optional Protocol to CAT (France);');
  const selected = await run(seededDb(t), csv(rows), { review: 'TJK-1' });
  t.same([selected.reviewsCreated, selected.rowsNotSelected], [['TJK-1'], 2], '--review selects it by that cycle');
});

t.test('a re-import leaves what the corpus does not carry (themes, SDGs, groups) as curated', async (t) => {
  const db = seededDb(t);
  await run(db, csv(KGZ_ROWS));
  db.$client.prepare("insert into recommendation_themes (recommendation_id, theme_id, label_source) values ('KGZ-1-76.1', 'right-to-education', 'curated')").run();
  db.$client.prepare("insert into recommendation_sdgs values ('KGZ-1-76.1', 16, 'curated')").run();
  db.$client.prepare("insert into recommendation_affected_persons values ('KGZ-1-76.1', 'women', 'curated')").run();
  const again = await run(db, csv(KGZ_ROWS));
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 3 });
  t.equal(count(db, 'recommendation_themes', "recommendation_id = 'KGZ-1-76.1' and label_source is not 'machine'"), 1);
  t.equal(count(db, 'recommendation_sdgs', "recommendation_id = 'KGZ-1-76.1'"), 1);
  t.equal(count(db, 'recommendation_affected_persons', "recommendation_id = 'KGZ-1-76.1'"), 1);
  db.$client.prepare("insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at) values ('KGZ-1-X', 'KGZ-1', '~', 'Curated.', 0, '', '')").run();
  t.same((await run(db, csv(KGZ_ROWS))).notInFile, ['KGZ-1-X'], 'records of the review the file lacks are listed, kept');
});
