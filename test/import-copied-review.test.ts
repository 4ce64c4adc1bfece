import t from 'tap';
import { COPY_MIN_PARAGRAPHS } from '../src/import/copied-reviews.js';
import { ImportError } from '../src/import/types.js';
import { buildTestApp } from './helpers.js';
import { count, importInto, run, seededDb, termanFile } from './import-helpers.js';

// A review a data set prints again under a later year (the Terman corpus's 2014 file holds Guinea's 2010
// review: src/import/copied-reviews.ts) is not a second review of the state.

const guinea = (year: string, paragraphs = COPY_MIN_PARAGRAPHS, from = 1) =>
  Array.from({ length: paragraphs }, (_, i) => [
    `71.${from + i}. Strengthen the rule of law, step ${from + i} (Pakistan);`,
    'guinea',
    i % 3 === 0 ? 'consider' : 'support',
    'Pakistan',
    year,
    '',
  ]);
const chile2014 = [['121.1. Ratify the Optional Protocol to CAT (France);', 'chile', 'support', 'France', '2014', '']];
const reviews = (db: ReturnType<typeof seededDb>) =>
  db.$client.prepare("select id from reviews where state_code = 'GIN' order by id").pluck().all();

t.test('a later year that prints an earlier review again: its rows are reported, not a review of their own', async (t) => {
  const db = seededDb(t);
  await run(db, termanFile(guinea('2010')));
  const report = await run(db, termanFile([...guinea('2014'), ...chile2014]));
  t.same(reviews(db), ['GIN-1'], 'no GIN-2');
  t.same(report.reviewsCreated, ['CHL-2'], 'the file’s other reviews are imported');
  t.same(report.recommendations, { created: 1, updated: 0, unchanged: 0 });
  t.equal(report.skipped, COPY_MIN_PARAGRAPHS);
  t.same(report.problems.map((p) => p.row), Array.from({ length: COPY_MIN_PARAGRAPHS }, (_, i) => i + 2), 'every row of the copy');
  t.match(
    report.problems[0]!.message,
    /^review GIN-2 repeats review GIN-1 word for word \(10 of its 10 numbered recommendations, with the same numbers and texts\): a copy of the earlier review, not a review of its own: not imported$/,
  );
  t.same(report.notInFile, [], 'the copy’s review is not the file’s');
  t.equal(count(db, 'recommendations', "review_id = 'GIN-1'"), COPY_MIN_PARAGRAPHS);

  await t.rejects(run(db, termanFile(guinea('2014'))), ImportError, 'a file of copies alone is refused, as any file with no record to store');
  await t.rejects(run(db, termanFile(guinea('2014'))), /No record of the file can be stored.*row 2: review GIN-2 repeats review GIN-1/);
});

t.test('both reviews in one file: the later one is the copy', async (t) => {
  const db = seededDb(t);
  const report = await run(db, termanFile([...guinea('2014'), ...guinea('2010')]));
  t.same(reviews(db), ['GIN-1']);
  t.same(report.reviewsCreated, ['GIN-1']);
  t.equal(report.skipped, COPY_MIN_PARAGRAPHS);
  t.same(report.warnings, []);
});

t.test('a copy stored first (the later file imported before): kept, and named by a warning', async (t) => {
  const db = seededDb(t);
  await run(db, termanFile(guinea('2014')));
  const report = await run(db, termanFile(guinea('2010')));
  t.same(reviews(db), ['GIN-1', 'GIN-2']);
  t.same(report.warnings.map((w) => w.message), [
    'review GIN-2 repeats review GIN-1 word for word (10 of its 10 numbered recommendations, with the same numbers ' +
      'and texts): a copy of the earlier review, not a review of its own: its 10 stored recommendations are kept; delete them',
  ]);
  t.equal(report.skipped, 0);
  // Imported again, the later file's rows are copies of the review now stored: reported; the stored copy still named.
  const again = await run(db, termanFile([...guinea('2014'), ...chile2014]));
  t.equal(again.skipped, COPY_MIN_PARAGRAPHS);
  t.equal(again.warnings.length, 1);
  t.match(again.warnings[0]!.message, /its 10 stored recommendations are kept/);
});

t.test('too few numbered recommendations, or too few the same: not a copy', async (t) => {
  const db = seededDb(t);
  await run(db, termanFile(guinea('2010', COPY_MIN_PARAGRAPHS - 1)));
  const few = await run(db, termanFile(guinea('2014', COPY_MIN_PARAGRAPHS - 1)));
  t.same(few.reviewsCreated, ['GIN-2'], `fewer than ${COPY_MIN_PARAGRAPHS} can coincide`);
  t.equal(few.skipped, 0);

  const other = seededDb(t);
  await run(other, termanFile(guinea('2010', 20)));
  // 17 of 20 the same (0.85): not a copy; 18 of 20 (0.9): a copy.
  const mostly = await run(other, termanFile([...guinea('2014', 17), ...guinea('2014', 3, 101)]));
  t.same(mostly.reviewsCreated, ['GIN-2']);
  t.equal(mostly.skipped, 0);
  const third = seededDb(t);
  await run(third, termanFile(guinea('2010', 20)));
  const copy = await run(third, termanFile([...guinea('2014', 18), ...guinea('2014', 2, 101), ...chile2014]));
  t.same(copy.reviewsCreated, ['CHL-2']);
  t.equal(copy.skipped, 20);
});

t.test('records without a number are not compared; a review of another state is not a copy', async (t) => {
  const db = seededDb(t);
  const unnumbered = (year: string) => guinea(year).map(([text, ...rest]) => [text!.replace(/^71\.\d+\. /, ''), ...rest]);
  await run(db, termanFile(unnumbered('2010')));
  const report = await run(db, termanFile(unnumbered('2014')));
  t.same(report.reviewsCreated, ['GIN-2']);
  const senegal = await run(db, termanFile(guinea('2014').map(([text, , ...rest]) => [text!, 'senegal', ...rest])));
  t.same(senegal.reviewsCreated, ['SEN-2']);
});

t.test('on the service’s backend (PostgreSQL too): the earlier review is read where it is stored', async (t) => {
  const app = await buildTestApp(t);
  await importInto(app, termanFile(guinea('2010')));
  const report = await importInto(app, termanFile([...guinea('2014'), ...chile2014]));
  t.equal(report.skipped, COPY_MIN_PARAGRAPHS);
  const listed = await app.inject('/v1/reviews?stateUnderReview=GIN');
  t.same(listed.json().data.map((r: { id: string }) => r.id), ['GIN-1']);
  const recurring = await app.inject('/v1/recommendations?stateUnderReview=GIN&recurring=true');
  t.equal(recurring.json().meta.total, 0, 'no record recurs from its own copy');
});
