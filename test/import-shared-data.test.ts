import { createReadStream, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { importFile } from '../src/import/run.js';
import type { ImportReport, NameCount } from '../src/import/types.js';
import { buildTestApp } from './helpers.js';
import { count, seededDb, withoutServerFields } from './import-helpers.js';

// The real inputs in ../shared/data (present in CI): the exact counts the import issue asks for.

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const MATRIX = `${DATA}ohchr-thematic-list/slovenia_upr34_thematic_list.docx`;
const CORPUS = (year: number) => `${DATA}terman-upr-2008-2014/${year}data.csv`;
const sourceOf = (path: string) => ({ name: path, chunks: () => createReadStream(path) });

const skip = existsSync(DATA) ? false : `shared data not found at ${DATA}: the real-data import tests are skipped`;

t.test('the Slovenia matrix: 215 recommendations, 182 supported and 33 noted, every state resolved', { skip }, async (t) => {
  const db = seededDb(t);
  const report = await importFile(db, sourceOf(MATRIX), { actor: 'test' });
  t.equal(report.format, 'ohchr-matrix');
  t.same(report.recommendations, { created: 215, updated: 0, unchanged: 0 });
  t.same(report.reviewsCreated, ['SVN-3']);
  t.same(report.problems, []);
  t.same(report.warnings, []);
  t.same(report.unresolvedRecommenders, []);
  t.same(report.themesCreated, [], 'the vocabulary already has every label of this matrix');
  t.same(report.affectedPersonsCreated, []);
  const byPosition = db.$client
    .prepare("select position, count(*) as n from recommendations where review_id = 'SVN-3' group by 1 order by 1")
    .all();
  t.same(byPosition, [
    { position: 'noted', n: 33 },
    { position: 'supported', n: 182 },
  ]);
  t.equal(
    count(db, 'recommendations r', "review_id = 'SVN-3' and not exists (select 1 from recommendation_states s where s.recommendation_id = r.id)"),
    0,
    'every recommendation has its recommending states',
  );
  t.equal(count(db, 'recommendation_unresolved_states', "recommendation_id like 'SVN-3-%'"), 0);
  t.same(db.$client.prepare("select wg_session, report_symbol from reviews where id = 'SVN-3'").get(), {
    wg_session: 34,
    report_symbol: 'A/HRC/43/15',
  });
  t.equal(db.$client.prepare("select position_source from recommendations where id = 'SVN-3-121.1'").pluck().get(), 'A/HRC/43/15 - Para 121');
  const again = await importFile(db, sourceOf(MATRIX), { actor: 'test' });
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 215 });
});

t.test("Kyrgyzstan's 2010 review: 170 rows → 168 recommendations, 129 rows support and 41 consider", { skip }, async (t) => {
  const db = seededDb(t);
  const report = await importFile(db, sourceOf(CORPUS(2010)), { actor: 'test', review: 'KGZ-1' });
  t.equal(report.rowsRead - report.rowsNotSelected, 170);
  t.same(report.recommendations, { created: 168, updated: 0, unchanged: 0 });
  t.same(report.problems, []);
  // Each row adds one recommending state to its recommendation: rows per position = states per position.
  const rows = db.$client
    .prepare(`select r.position, count(*) as n from recommendations r join recommendation_states s on s.recommendation_id = r.id
      where r.review_id = 'KGZ-1' group by 1 order by 1`)
    .all();
  t.same(rows, [
    { position: 'pending', n: 41 },
    { position: 'supported', n: 129 },
  ]);
  const joint = db.$client
    .prepare(`select recommendation_id as id, group_concat(state_code, ' ') as states from
      (select * from recommendation_states where recommendation_id like 'KGZ-1-%' order by state_code)
      group by 1 having count(*) > 1 order by 1`)
    .all();
  t.same(joint.map((j: any) => j.id), ['KGZ-1-76.116', 'KGZ-1-76.92'], 'the two joint recommendations');
});

t.test('the whole corpus: 39,191 rows, every name resolved or reported', { skip }, async (t) => {
  const db = seededDb(t);
  const reports: ImportReport[] = [];
  for (let year = 2008; year <= 2014; year++) reports.push(await importFile(db, sourceOf(CORPUS(year)), { actor: 'test' }));
  const sum = (f: (r: ImportReport) => number) => reports.reduce((total, r) => total + f(r), 0);
  t.equal(sum((r) => r.rowsRead), 39191);
  // 45 rows of "Korea" (ambiguous), and 3 rows of the 2014 file (paragraph 101.2 of MKD-2) that name the state
  // under review as its own recommender, which the write API refuses.
  t.equal(sum((r) => r.skipped), 48, 'only the rows of "Korea" and three self-recommendations');
  t.same(
    reports.flatMap((r) => r.problems).filter((p) => !/Korea/.test(p.message)).map((p) => [p.row, p.paragraph, p.message]),
    [5322, 5323, 5324].map((row) => [row, '101.2', 'recommendingStates: MKD is the state under review in MKD-2']),
  );
  t.equal(sum((r) => r.recommendations.created), 38034);
  t.equal(count(db, 'recommendations', "source_id = 'terman-uprs-2008-2014'"), 38034);
  const names = (pick: (r: ImportReport) => NameCount[]) => {
    const totals: Record<string, number> = {};
    for (const r of reports) for (const n of pick(r)) totals[n.name] = (totals[n.name] ?? 0) + n.count;
    return totals;
  };
  t.same(names((r) => r.unresolvedStatesUnderReview), { Korea: 45 });
  t.same(names((r) => r.unresolvedRecommenders), { NA: 12, moratorium: 1, 'Argentina Chile': 1, 'Ecuador and Spain': 1 });
  t.same(
    reports.map((r) => [r.encoding!.encoding, r.encoding!.lineEndings, r.encoding!.repairSteps]),
    [
      ['macintosh', 'CR', 1],
      ['macintosh', 'CRLF', 0],
      ['macintosh', 'mixed', 2],
      ['macintosh', 'CRLF', 0],
      ['macintosh', 'CR', 1],
      ['macintosh', 'CR', 1],
      ['macintosh', 'CR', 1],
    ],
  );
  t.equal(reports[2]!.encoding!.repaired['Í → ’'], 311);
  t.equal(count(db, 'recommendations', "text like '%Õ%' or text like '%Í%'"), 0, 'no mis-encoded apostrophe left');
  const again = await importFile(db, sourceOf(CORPUS(2011)), { actor: 'test' });
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 8485 });
});

t.test('the real imports survive the round trip through our own CSV export', { skip }, async (t) => {
  const source = await buildTestApp(t);
  await importFile(source.db, { ...sourceOf(MATRIX) }, { actor: 'test' });
  await importFile(source.db, { ...sourceOf(CORPUS(2010)) }, { actor: 'test', review: 'KGZ-1' });
  const url = '/v1/recommendations?reviewId=SVN-3,KGZ-1&format=csv';
  const exported = (await source.inject({ method: 'GET', url })).body;
  const copy = await buildTestApp(t);
  const report = await importFile(
    copy.db,
    { name: 'export.csv', chunks: async function* () { yield new TextEncoder().encode(exported); } },
    { actor: 'test' },
  );
  t.equal(report.format, 'upr-tracker-csv');
  t.same(report.recommendations, { created: 383, updated: 0, unchanged: 0 });
  t.same(report.problems, []);
  const again = (await copy.inject({ method: 'GET', url })).body;
  t.equal(withoutServerFields(again), withoutServerFields(exported), 'the same file but for versions and timestamps');
});
