import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { runImportCli } from '../src/import/cli.js';
import { checkRecommendation } from '../src/import/validate.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';
import { databaseEnv, entryRow, HEADER_ROW, matrixDocx } from './import-helpers.js';
import { type TestSql, testSql } from './support/test-sql.js';

// An import is held to the write API's own schemas, rules and scopes: what the API would refuse is skipped
// with the row and the reason (or the whole file refused when nothing is valid), and the public lists and
// review pages keep answering 200 — the response schemas accept everything the database holds.

const COLUMNS = [
  'id', 'reviewId', 'stateUnderReview', 'cycle', 'session', 'paragraph', 'text', 'verbatim', 'recommendingStates',
  'position', 'positionSource', 'themes', 'themeLabels', 'sources', 'sourceTitles', 'sourcePublishers', 'sourceUrls',
  'sourcePublicationDates', 'version', 'createdAt', 'updatedAt',
] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
let serial = 0;
function csv(...rows: Row[]): string {
  const base = (): Row => ({
    id: `KGZ-3-H${++serial}`, reviewId: 'KGZ-3', stateUnderReview: 'KGZ', cycle: '3', session: '35', paragraph: '',
    text: 'Release all human rights defenders (Finland);', verbatim: 'true', recommendingStates: 'FIN',
  });
  const lines = rows.map((row) => COLUMNS.map((c) => quote({ ...base(), ...row }[c] ?? '')).join(','));
  return `${COLUMNS.join(',')}\r\n${lines.join('\r\n')}\r\n`;
}

function post(app: FastifyInstance, key: string, body: string | Uint8Array, type = 'text/csv') {
  return app.inject({
    method: 'POST',
    url: '/v1/imports',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    payload: Buffer.from(body),
  });
}

/** The public pages answer 200: the response schemas accept everything stored. */
async function publicPagesAnswer(t: Test, app: FastifyInstance) {
  const reviews = (await app.inject({ method: 'GET', url: '/v1/reviews' })).json().data as { id: string }[];
  for (const url of [
    '/v1/recommendations?limit=500',
    '/v1/recommendations?format=csv',
    '/v1/reviews',
    '/v1/stats/recommendations?groupBy=position',
    ...reviews.map((r) => `/v1/reviews/${r.id}`),
    ...reviews.map((r) => `/v1/reviews/${r.id}/summary`),
  ]) {
    t.equal((await app.inject({ method: 'GET', url, headers: { 'cache-control': 'no-cache' } })).statusCode, 200, url);
  }
}

const messages = (report: { problems: { row?: number; message: string }[] }) => report.problems.map((p) => [p.row, p.message]);

t.test('rows the write API would refuse are skipped with their row and reason; the rest is imported', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const admin = mintKey(app, 'admin', 'admin');
  const file = csv(
    { id: 'KGZ-3-OK', version: '1e308', createdAt: '1999-01-01T00:00:00.000Z', updatedAt: '3000-01-01T00:00:00.000Z' },
    { id: 'SVN-3-1', reviewId: 'SVN-3', stateUnderReview: 'SVN', session: '100000' },
    { text: 'x'.repeat(15_000) }, // longer than the API takes, within the reader's row limit (IMPORT_MAX_CELL_CHARS)
    { position: 'supported' },
    { sources: 'js', sourceTitles: 'Evil', sourcePublishers: 'Someone', sourceUrls: 'javascript:alert(1)' },
    { sources: 'nodate', sourceTitles: 'Report', sourcePublishers: 'Someone', sourceUrls: 'https://example.org/r', sourcePublicationDates: 'yesterday' },
    { sources: '<b>', sourceTitles: 'Report', sourcePublishers: 'Someone', sourceUrls: 'https://example.org/b' },
    { recommendingStates: 'KGZ' },
    { id: 'A'.repeat(250) },
    { themes: 'a-long-label', themeLabels: 'L'.repeat(600) },
    { sources: 'future', sourceTitles: 'Report', sourcePublishers: 'Someone', sourceUrls: 'https://example.org/f', sourcePublicationDates: '2999-01-01' },
    // A date known to the month: stored so, not as its first day.
    { sources: 'march', sourceTitles: 'Report', sourcePublishers: 'Someone', sourceUrls: 'https://example.org/m', sourcePublicationDates: '2020-03' },
  );
  const response = await post(app, admin, file);
  t.equal(response.statusCode, 200);
  const report = response.json();
  t.same(report.recommendations, { created: 3, updated: 0, unchanged: 0 });
  t.equal(report.skipped, 9);
  t.same(messages(report), [
    [3, 'review SVN-3 cannot be stored: session: Too big: expected at most 999, given 100000'],
    [4, `text: Too long: expected at most 10,000 characters, given 15,000 characters ("${'x'.repeat(60)}…")`],
    [5, 'positionSource: A position needs the source that records it (positions are never guessed)'],
    [6, 'source js cannot be stored: url: Expected an http(s) URL'],
    [7, 'source nodate cannot be stored: publishedOn: Expected a day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY) that exists'],
    [8, 'source <b> cannot be stored: id "<b>": Use letters, digits, ".", "_", "~" and "-", starting with a letter or a digit'],
    [9, 'recommendingStates: KGZ is the state under review in KGZ-3'],
    [10, `id "${'A'.repeat(80)}": Too long: expected at most 200 characters, given 250 characters ("${'A'.repeat(60)}…")`],
    [12, 'source future cannot be stored: publishedOn: "2999-01-01" is in the future'],
  ]);
  t.match(report.warnings.map((w: { message: string }) => w.message), [
    /^theme "a-long-label" not added: label: Too long: expected at most 500 characters, given 600 characters \("L{60}…"\)$/,
    'unknown theme "a-long-label": left out',
  ]);
  const stored = await sql.get(
    "select version, case when created_at = updated_at and created_at > '2026' then 1 else 0 end as now from recommendations where id = 'KGZ-3-OK'",
  );
  t.same(stored, { version: 1, now: 1 }, 'version and timestamps are the server’s, never the file’s');
  t.equal(await sql.count('reviews', "id = 'SVN-3'"), 0);
  t.equal(await sql.count('sources', "id in ('js', 'nodate', '<b>', 'future')"), 0);
  t.same(await sql.get("select published_on, published_on_precision from sources where id = 'march'"), { published_on: '2020-03', published_on_precision: 'month' });
  await publicPagesAnswer(t, app);
});

t.test('a file with nothing valid is refused whole (422), with reasons; nothing is written', async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin', 'admin');
  const before = await app.dataRevision.current();
  const markup = '<img src=x onerror=alert(1)>';
  const rows = [
    { reviewId: markup, stateUnderReview: 'SVN' },
    { reviewId: 'SVN-3', stateUnderReview: 'SVN', session: '1000' },
    ...Array.from({ length: 5 }, () => ({ text: 'y'.repeat(10_001) })),
  ];
  const response = await post(app, admin, csv(...rows));
  t.equal(response.statusCode, 422);
  t.match(response.headers['content-type'], /^application\/problem\+json/);
  const detail = response.json().detail as string;
  t.match(detail, /^No record of the file can be stored as the write API would store it: /);
  t.match(detail, `row 2: review ${markup} cannot be stored: id: a review's id is its state and cycle (SVN-3)`);
  t.match(detail, 'row 3: review SVN-3 cannot be stored: session: Too big');
  t.match(detail, /; and 2 more\.$/);
  t.equal(await app.dataRevision.current(), before, 'nothing written');
  t.equal(await testSql(app).count('reviews'), 1, 'only the seed’s review');

  // The .docx page header names the review: a session no review can have refuses the matrix.
  const docx = await matrixDocx([HEADER_ROW, entryRow({ text: '121.1 Ratify the Convention (France);' })], {
    header: 'UPR of Slovenia (3rd Cycle - 100000th Session)',
  });
  const matrix = await post(app, admin, docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  t.equal(matrix.statusCode, 422);
  t.match(matrix.json().detail, 'row 2: review SVN-3 cannot be stored: session: Too big: expected at most 999, given 100000');
  t.equal(await app.dataRevision.current(), before, 'nothing written');
  await publicPagesAnswer(t, app);
});

t.test('creating a review needs the admin scope, as in the API; a write key imports into stored reviews', async (t) => {
  const app = await buildTestApp(t);
  const write = mintKey(app, 'write', 'writer');
  const admin = mintKey(app, 'admin', 'admin');
  const before = await app.dataRevision.current();
  const newReview = csv({ reviewId: 'SVN-3', stateUnderReview: 'SVN', session: '' }, {});
  const refused = await post(app, write, newReview);
  t.equal(refused.statusCode, 403);
  t.match(refused.json().detail, /needs review SVN-3, not stored: creating a review needs a key with the admin scope/);
  t.equal(await app.dataRevision.current(), before, 'nothing written');

  const stored = await post(app, write, csv({ id: 'KGZ-3-W' }));
  t.equal(stored.statusCode, 200, 'a stored review takes recommendations from a write key');
  t.equal(stored.json().recommendations.created, 1);

  t.equal((await post(app, admin, newReview)).statusCode, 200, 'an admin key creates the review');
  const completed = (await post(app, write, csv({ reviewId: 'SVN-3', stateUnderReview: 'SVN', session: '34' }))).json();
  t.match(completed.warnings, [{ message: 'review SVN-3: session not filled in (changing a review needs the admin scope)' }]);
  t.same(await testSql(app).get("select wg_session from reviews where id = 'SVN-3'"), { wg_session: null });

  // Nor does a write key's import cite its source on a stored review (that was a new version of the review, by the write key).
  const review = async () => {
    const { version, sources } = (await app.inject({ method: 'GET', url: '/v1/reviews/KGZ-3' })).json() as { version: number; sources: { url: string }[] };
    return { version, sources };
  };
  const reviewBefore = await review();
  const cited = { sources: 'example-report', sourceTitles: 'A report', sourcePublishers: 'An NGO', sourceUrls: 'https://example.org/report' };
  const byWriter = (await post(app, write, csv({ id: 'KGZ-3-W2', ...cited }))).json();
  t.equal(byWriter.recommendations.created, 1);
  t.match(byWriter.warnings, [{ message: 'review KGZ-3: its source https://example.org/report not cited (changing a review needs the admin scope)' }]);
  t.same(await review(), reviewBefore, 'the review as it was');
  const recommendation = (await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-W2' })).json() as { sources: { url: string }[] };
  t.same(recommendation.sources.map((x) => x.url), ['https://example.org/report'], 'the recommendation cites it');
  t.equal((await post(app, admin, csv({ id: 'KGZ-3-W3', ...cited }))).statusCode, 200);
  const reviewAfter = await review();
  t.equal(reviewAfter.version, reviewBefore.version + 1, "an admin key's import cites it on the review: a new version");
  t.ok(reviewAfter.sources.some((x) => x.url === 'https://example.org/report'));
  await publicPagesAnswer(t, app);
});

t.test('the command line reports invalid rows, and refuses a file with nothing valid (exit 1)', async (t) => {
  const dir = tempDir(t);
  const env = databaseEnv(await buildTestApp(t));
  const io = () => {
    const out: string[] = [];
    return { out, io: { out: (s: string) => out.push(s), err: (s: string) => out.push(s) } };
  };
  const partial = join(dir, 'partial.csv');
  writeFileSync(partial, csv({ id: 'KGZ-3-CLI' }, { text: 'z'.repeat(10_001) }));
  const first = io();
  t.equal(await runImportCli([partial], env, first.io), 0);
  t.match(first.out.join(''), /Not imported:\n {2}row 3: text: Too long: expected at most 10,000 characters, given 10,001 characters \("z{60}…"\)\n/);

  const hopeless = join(dir, 'hopeless.csv');
  writeFileSync(hopeless, csv({ sources: 'js', sourceTitles: 'T', sourcePublishers: 'P', sourceUrls: 'javascript:alert(1)' }));
  const second = io();
  t.equal(await runImportCli([hopeless], env, second.io), 1);
  t.match(second.out.join(''), /was not imported \(nothing written\): No record of the file can be stored .* row 2: source js cannot be stored: url: Expected an http\(s\) URL\./);
});

t.test('a record whose review is not stored is refused with the API’s reason', async (t) => {
  const record = {
    reviewId: 'XYZ-1', paragraph: null, text: 'Text', verbatim: true, recommendingStates: [], unresolvedRecommenders: [],
    position: null, positionLabel: null, positionSource: null, sourceId: null, themes: [], sdgs: [], affectedPersons: [],
    actionCategory: null,
  };
  t.same(checkRecommendation('XYZ-1-1', record, undefined), { problems: ['reviewId: Unknown review id "XYZ-1"'] });
  t.same(checkRecommendation('XYZ-1-1', { ...record, text: '  Text  ' }, 'XYZ').value?.text, 'Text', 'trimmed as the API trims');
});

/** The statement is refused by the named CHECK constraint (SQLite's words, or PostgreSQL's). */
async function rejects(t: Test, db: TestSql, statement: string, check: string) {
  await t.rejects(db.run(statement), new RegExp(`CHECK constraint failed: ${check}|violates check constraint "${check}"`), check);
}

t.test('CHECK constraints refuse what no write may store, on insert and on update', async (t) => {
  const db = testSql(await buildTestApp(t));
  // A version past 2^53 - 1: SQLite stores 1e308 as a real for the check to refuse; PostgreSQL's bigint refuses
  // it before any check, so there the check meets the first integer past the range.
  const huge = db.backend === 'sqlite' ? '1e308' : '9007199254740992';
  if (db.backend === 'postgres') await t.rejects(db.run("update reviews set version = 1e308 where id = 'KGZ-3'"), /bigint out of range/);
  const review = (id: string, values: string) =>
    `insert into reviews (id, state_code, cycle, wg_session, dialogue_date, adoption_date, adoption_date_precision, report_symbol, created_at, updated_at) values ('${id}', 'SVN', 3, ${values}, 'x', 'x')`;
  await rejects(t, db, review('SVN-3', "100000, null, null, null, null"), 'reviews_wg_session_range');
  await rejects(t, db, review('<b>SVN</b>', 'null, null, null, null, null'), 'reviews_id_state_and_cycle');
  await rejects(t, db, review('SVN-3', "null, 'soon', null, null, null"), 'reviews_dialogue_date_shape');
  await rejects(t, db, review('SVN-3', "null, null, '2020-09', null, null"), 'reviews_adoption_date_precision');
  await rejects(t, db, review('SVN-3', "null, null, '2020-09', 'day', null"), 'reviews_adoption_date_shape');
  await rejects(t, db, review('SVN-3', `null, null, null, null, '${'A'.repeat(101)}'`), 'reviews_report_symbol_length');
  await rejects(t, db, "update reviews set report_year = 2007 where id = 'KGZ-3'", 'reviews_report_year_range');
  const withYear = "insert into reviews (id, state_code, cycle, report_year, created_at, updated_at) values ('SVN-3', 'SVN', 3, 2101, 'x', 'x')";
  await rejects(t, db, withYear, 'reviews_report_year_range');
  await rejects(t, db, `update reviews set version = ${huge} where id = 'KGZ-3'`, 'reviews_version_range');

  const recommendation = (id: string, text: string, extra = '') =>
    `insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at${extra ? ', position, version' : ''})
      values ('${id}', 'KGZ-3', 'x', '${text}', false, 'x', 'x'${extra})`;
  await rejects(t, db, recommendation('KGZ-3-X', 'x'.repeat(10_001)), 'recommendations_text_length');
  await rejects(t, db, recommendation('<script>', 'Text'), 'recommendations_id_shape');
  await rejects(t, db, recommendation('KGZ-3-X', 'Text', ", 'supported', 1"), 'recommendations_position_needs_source');
  // With its source: only the value is wrong (PostgreSQL names one failed check, whichever it tried first).
  const maybe = `insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at, position, position_source)
    values ('KGZ-3-X', 'KGZ-3', 'x', 'Text', false, 'x', 'x', 'maybe', 'A/HRC/43/15 - Para 121')`;
  await rejects(t, db, maybe, 'recommendations_position_value');
  await rejects(t, db, recommendation('KGZ-3-X', 'Text', `, null, ${huge}`), 'recommendations_version_range');
  await rejects(t, db, "update recommendations set position_source = null where position is not null", 'recommendations_position_needs_source');
  await rejects(t, db, "update recommendations set version = 0", 'recommendations_version_range');

  const source = (url: string, publishedOn = 'null', precision = 'null') =>
    `insert into sources (id, title, publisher, url, published_on, published_on_precision)
      values ('s-1', 'Title', 'Publisher', '${url}', ${publishedOn}, ${precision})`;
  await rejects(t, db, source('javascript:alert(1)'), 'sources_url_http');
  await rejects(t, db, source('https://example.org', "'yesterday'", "'day'"), 'sources_published_on_to_precision');
  await rejects(t, db, source('https://example.org', "'2020-03'", "'day'"), 'sources_published_on_to_precision');
  await rejects(t, db, source('https://example.org', "'2020-03'"), 'sources_published_on_precision');
  await rejects(t, db, source('https://example.org', 'null', "'year'"), 'sources_published_on_precision');
  await rejects(t, db, "update sources set title = ''", 'sources_title_length');
  await rejects(t, db, "insert into themes (id, label, uhri) values ('t', '', false)", 'themes_label_length');
  await rejects(t, db, "update states set version = 0 where code = 'KGZ'", 'states_version_range');
  // Real data's columns and table (migration real_data).
  const categorised = `insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at, action_category)
    values ('KGZ-3-X', 'KGZ-3', 'x', 'Text', false, 'x', 'x', 6)`;
  await rejects(t, db, categorised, 'recommendations_action_category_value');
  await rejects(t, db, "update recommendations set action_category = 0", 'recommendations_action_category_value');
  await rejects(t, db, "insert into themes (id, label, uhri, scheme) values ('t', 'T', false, 'mine')", 'themes_scheme_value');
  await rejects(t, db, "update themes set scheme = 'mine'", 'themes_scheme_value');
  for (const table of ['recommendation_themes', 'recommendation_sdgs', 'recommendation_affected_persons']) {
    const [column, value] = table === 'recommendation_themes' ? ['theme_id', "'t'"] : table === 'recommendation_sdgs' ? ['goal', '1'] : ['group_id', "'g'"];
    await rejects(t, db, `insert into ${table} (recommendation_id, ${column}, label_source) values ('KGZ-3-FIN-1', ${value}, 'guess')`, `${table}_label_source_value`);
  }
  const cite = (values: string) =>
    `insert into recommendation_sources (recommendation_id, source_id, paragraph, position, position_label, position_source, match_key) values ('KGZ-3-FIN-1', 'hrw', ${values}, 'k')`;
  await rejects(t, db, cite("'', null, null, null"), 'recommendation_sources_paragraph_length');
  await rejects(t, db, cite("null, 'maybe', null, null"), 'recommendation_sources_position_value');
  await rejects(t, db, cite(`null, null, '${'x'.repeat(1001)}', null`), 'recommendation_sources_position_label_length');
  await rejects(t, db, cite(`null, null, null, ''`), 'recommendation_sources_position_source_length');
  t.equal(await db.run(source('HTTPS://example.org/upper-case-scheme', "'2020-01-31'", "'day'")), 1);
  await db.run("delete from sources where id = 's-1'");
  t.equal(await db.run(source('https://example.org/a-month', "'2020-03'", "'month'")), 1);
  t.pass('a valid row is stored');
});
