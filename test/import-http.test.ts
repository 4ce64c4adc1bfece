import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { labelsOf } from '../src/import/upr-tracker-csv.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, sqliteOnly } from './helpers.js';
import { bareImportApp, entryRow, HEADER_ROW, importInto, macRoman, matrixDocx, withoutServerFields } from './import-helpers.js';
import { testSql } from './support/test-sql.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const TERMAN = macRoman(
  'text,to,decision,From,year,notes\r' +
    '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\r' +
    '"76.92. Hold open and transparent elections (Tajikistan, Pakistan);",kyrgysztan,support,Tajikistan,2010,\r' +
    '"76.92. Hold open and transparent elections (Tajikistan, Pakistan);",kyrgysztan,support,Pakistan,2010,\r' +
    '111. Organize the State’s inclusive national consultations (Niger);,kyrgysztan,consider,Niger,2010,\r' +
    '111. Guarantee the respect for human rights (NA);,kyrgysztan,reject,NA,2010,\r',
);

const MATRIX = () =>
  matrixDocx([
    HEADER_ROW,
    entryRow({
      text: '121.1 Ratify the Convention; “all persons” (France) (Lithuania);',
      tags: ['- Acceptance of international norms', '- Children: definition; general principles; protection', '- A new UHRI theme', 'SDGs:', '- 16 - PEACE', 'Affected persons:', '- Women', '- A new group'],
    }),
    entryRow({ text: '121.2 -Combat hate speech (Germany);', position: 'Noted' }),
  ]);

function multipart(field: string, filename: string | null, type: string, content: Uint8Array) {
  const boundary = '----upr-tracker-test';
  const disposition = filename === null ? `form-data; name="${field}"` : `form-data; name="${field}"; filename="${filename}"`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${type}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, content, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function post(app: FastifyInstance, key: string | undefined, url: string, payload: Uint8Array | string, type: string) {
  const headers: Record<string, string> = { 'content-type': type };
  if (key) headers.authorization = `Bearer ${key}`;
  return app.inject({ method: 'POST', url, headers, payload: Buffer.from(payload) });
}

t.test('POST /v1/imports needs a key with the write scope', async (t) => {
  const app = await buildTestApp(t);
  const before = await app.dataRevision.current();
  const none = await post(app, undefined, '/v1/imports', TERMAN, 'text/csv');
  t.equal(none.statusCode, 401);
  t.match(none.headers['content-type'], /^application\/problem\+json/);
  t.match(none.headers['www-authenticate'], /^Bearer/);
  const wrong = await post(app, 'uprk_nope_nope', '/v1/imports', TERMAN, 'text/csv');
  t.equal(wrong.statusCode, 401);
  const revoked = mintKey(app, 'write', 'old');
  t.equal(await testSql(app).run("update api_keys set revoked_at = ? where name = 'old'", [new Date().toISOString()]), 1, 'revoked');
  t.equal((await post(app, revoked, '/v1/imports', TERMAN, 'text/csv')).statusCode, 401);
  t.equal(await app.dataRevision.current(), before, 'nothing written');

  const admin = mintKey(app, 'admin', 'an admin');
  t.equal((await post(app, admin, '/v1/imports?dryRun=true', TERMAN, 'text/csv')).statusCode, 200, 'admin includes write');
});

t.test('a raw CSV body is imported and the report returned; the key names the actor', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const key = mintKey(app, 'admin', 'dashboard');
  const dry = await post(app, key, '/v1/imports?dryRun=true', TERMAN, 'text/csv');
  t.equal(dry.statusCode, 200);
  t.match(dry.headers['content-type'], /^application\/json/);
  t.equal(dry.json().dryRun, true);
  t.equal(await sql.count('reviews', "id = 'KGZ-1'"), 0, 'a dry run writes nothing');

  const response = await post(app, key, '/v1/imports?review=KGZ-1', TERMAN, 'text/csv');
  t.equal(response.statusCode, 200);
  const report = response.json();
  t.equal(report.format, 'terman-csv');
  t.same(report.recommendations, { created: 4, updated: 0, unchanged: 0 });
  t.equal(report.encoding.encoding, 'macintosh');
  t.same(report.unresolvedRecommenders, [{ name: 'NA', count: 1, note: 'no state has this name or alias' }]);
  t.equal(report.revision, await app.dataRevision.current());
  t.same(await sql.all("select distinct actor from audit_log where entity = 'recommendations' and revision = ?", [report.revision]), [{ actor: 'dashboard' }]);
  const listed = await app.inject({ method: 'GET', url: '/v1/recommendations?reviewId=KGZ-1' });
  t.equal(listed.json().meta.total, 4, 'the API serves what was imported');
});

t.test('a .docx as the raw body or as the file of a multipart form', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'dashboard');
  const docx = await MATRIX();
  const raw = await post(app, key, '/v1/imports?format=ohchr-matrix', docx, DOCX);
  t.equal(raw.statusCode, 200);
  t.same(raw.json().recommendations, { created: 2, updated: 0, unchanged: 0 });
  const form = multipart('file', 'slovenia.docx', DOCX, docx);
  const viaForm = await app.inject({ method: 'POST', url: '/v1/imports', headers: { ...form.headers, authorization: `Bearer ${key}` }, payload: form.payload });
  t.equal(viaForm.statusCode, 200);
  t.same(viaForm.json().recommendations, { created: 0, updated: 0, unchanged: 2 });
  const octet = await post(app, key, '/v1/imports', docx, 'application/octet-stream');
  t.same(octet.json().recommendations.unchanged, 2);
});

t.test('requests the endpoint refuses', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'dashboard');
  const json = await app.inject({
    method: 'POST',
    url: '/v1/imports',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: '{"text": "x"}',
  });
  t.equal(json.statusCode, 415, 'a JSON body is not a file');
  const empty = await post(app, key, '/v1/imports', '', 'text/csv');
  t.equal(empty.statusCode, 400);
  t.match(empty.json().detail, /The file is empty/);
  const noBody = await app.inject({ method: 'POST', url: '/v1/imports', headers: { authorization: `Bearer ${key}` } });
  t.equal(noBody.statusCode, 400);
  const unknown = await post(app, key, '/v1/imports', 'a,b\n1,2\n', 'text/csv');
  t.equal(unknown.statusCode, 422);
  t.match(unknown.json().detail, /Cannot tell the file's format/);
  // What an HTTP caller can give: the query parameter, not the command line's --format.
  t.match(unknown.json().detail, /: pass the query parameter format=ohchr-matrix\|terman-csv\|upr-info\|upr-tracker-csv\.$/);
  t.notMatch(unknown.json().detail, /--format/);
  const noReview = await post(app, key, '/v1/imports', await matrixDocx([HEADER_ROW, entryRow({ text: '1.1 Do (France);' })], { header: null }), DOCX);
  t.equal(noReview.statusCode, 422);
  t.match(noReview.json().detail, /Cannot tell which review this matrix is about: .*\. Pass the query parameter review=<ISO code>-<cycle>, e\.g\. SVN-3\.$/);
  const badReview = await post(app, key, '/v1/imports?review=Kyrgyzstan', TERMAN, 'text/csv');
  t.equal(badReview.statusCode, 400);
  t.same(badReview.json().errors.map((e: { name: string }) => e.name), ['review']);
  const noFile = multipart('note', null, 'text/plain', Buffer.from('just a field'));
  const formWithoutFile = await app.inject({ method: 'POST', url: '/v1/imports', headers: { ...noFile.headers, authorization: `Bearer ${key}` }, payload: noFile.payload });
  t.equal(formWithoutFile.statusCode, 400);
  t.match(formWithoutFile.json().detail, /has no file/);
});

t.test('files larger than the limit are refused with 413, raw or in a form', async (t) => {
  // The limit is the route plugin's, met before any backend is: mounted here on a bare app over SQLite.
  if (sqliteOnly(t, 'the route plugin on a bare app over SQLite (the body limit comes before the backend)')) return;
  const { app, key } = await bareImportApp(t, { bodyLimit: 1000 });
  const big = new Uint8Array(1001).fill(0x61);
  const raw = await post(app, key, '/v1/imports', big, 'text/csv');
  t.equal(raw.statusCode, 413);
  t.match(raw.headers['content-type'], /^application\/problem\+json/);
  const tooLarge =
    'The file is larger than 1000 bytes, the most an import over HTTP accepts (its IMPORT_BODY_LIMIT_BYTES setting): ' +
    'import a larger file with the command line, `npm run import -- FILE`, which has no such limit.';
  t.equal(raw.json().detail, tooLarge, 'the limit and what to do (was "Request body is too large")');
  const form = multipart('file', 'big.csv', 'text/csv', big);
  const viaForm = await app.inject({ method: 'POST', url: '/v1/imports', headers: { ...form.headers, authorization: `Bearer ${key}` }, payload: form.payload });
  t.equal(viaForm.statusCode, 413);
  t.equal(viaForm.json().detail, tooLarge, 'a form too (was "request file too large")');
  const small = await post(app, key, '/v1/imports?dryRun=true', TERMAN, 'text/csv');
  t.equal(small.statusCode, 200, 'within the limit');
});

t.test('IMPORT_BODY_LIMIT_BYTES sets the limit of a whole service (it was a fixed 20 MiB), and its documents say it', async (t) => {
  const app = await buildTestApp(t, { importBodyLimitBytes: 2000 });
  const key = mintKey(app, 'write');
  const big = new Uint8Array(2001).fill(0x61);
  const raw = await post(app, key, '/v1/imports', big, 'text/csv');
  t.equal(raw.statusCode, 413);
  t.match(raw.json().detail, /^The file is larger than 2000 bytes, the most an import over HTTP accepts \(its IMPORT_BODY_LIMIT_BYTES setting\)/);
  const form = multipart('file', 'big.csv', 'text/csv', big);
  const viaForm = await app.inject({ method: 'POST', url: '/v1/imports', headers: { ...form.headers, authorization: `Bearer ${key}` }, payload: form.payload });
  t.equal(viaForm.statusCode, 413);
  t.equal(viaForm.json().detail, raw.json().detail, 'a form too');
  t.equal(app.initialConfig.bodyLimit, 1_048_576, 'the limit of other bodies is not changed');
  const operation = (await app.inject({ url: '/openapi.json' })).json().paths['/v1/imports'].post;
  t.match(operation.description, /files up to 2000 bytes\./, 'the served document says the limit');
  t.equal(operation.requestBody.content['text/csv'].schema.maxLength, 2000);
  const defaults = (await (await buildTestApp(t)).inject({ url: '/openapi.json' })).json().paths['/v1/imports'].post;
  t.match(defaults.description, /files up to 20 MiB\./, 'a whole number of MiB in MiB');
  t.equal(defaults.requestBody.content['text/csv'].schema.maxLength, 20 * 1024 * 1024);
});

t.test('our own CSV export imports back unchanged: export → import into an empty database → export again', async (t) => {
  const source = await buildTestApp(t);
  await importInto(source, TERMAN);
  await importInto(source, await MATRIX());
  const url = '/v1/recommendations?reviewId=KGZ-1,SVN-3&format=csv';
  const exported = await source.inject({ method: 'GET', url });
  t.equal(exported.statusCode, 200);
  t.match(exported.body, /"'-Combat hate speech \(Germany\);"|'-Combat hate speech/, 'a text a spreadsheet would run is escaped');

  const copy = await buildTestApp(t);
  const key = mintKey(copy, 'admin', 'mirror');
  const imported = await post(copy, key, '/v1/imports', exported.body, 'text/csv');
  t.equal(imported.statusCode, 200);
  const report = imported.json();
  t.equal(report.format, 'upr-tracker-csv', 'detected from the header');
  t.same(report.recommendations, { created: 6, updated: 0, unchanged: 0 });
  t.same(report.problems, []);
  t.same(report.warnings, []);
  t.same(report.sourcesCreated, ['terman-uprs-2008-2014', 'report-a-hrc-43-15'], "the data set and the matrix's report");
  t.same(report.themesCreated, ['a-new-uhri-theme']);
  t.same(report.affectedPersonsCreated, ['a-new-group']);
  t.same(await testSql(copy).get("select text from recommendations where id = 'SVN-3-121.2'"), { text: '-Combat hate speech (Germany);' });
  const again = await copy.inject({ method: 'GET', url });
  t.equal(withoutServerFields(again.body), withoutServerFields(exported.body), 'the second export is the first but for versions and timestamps');

  const twice = await post(copy, key, '/v1/imports', exported.body, 'text/csv');
  t.same(twice.json().recommendations, { created: 0, updated: 0, unchanged: 6 });
  const home = await importInto(source, exported.body);
  t.same(home.recommendations, { created: 0, updated: 0, unchanged: 6 }, 'and into the database it came from');
});

t.test('our own CSV: labels containing "; ", escaped cells, and rows it cannot take', async (t) => {
  t.same(
    [...labelsOf(['children-definition-general-principles-protection', 'women'], 'Children: definition; general principles; protection; Women')],
    [
      ['children-definition-general-principles-protection', 'Children: definition; general principles; protection'],
      ['women', 'Women'],
    ],
  );
  t.same([...labelsOf(['a', 'b'], 'A; B')], [['a', 'A'], ['b', 'B']]);
  t.same([...labelsOf(['x-y', 'zzz'], 'X; Y; nothing')], [['x-y', 'X; Y']], 'an id without its label is absent');

  const header = 'id,reviewId,stateUnderReview,cycle,session,paragraph,text,verbatim,recommendingStates,position,positionSource,themes,themeLabels,sdgs,affectedPersons,sources,sourceTitles,sourcePublishers,sourceUrls,sourcePublicationDates,version,createdAt,updatedAt';
  const relabelled = await importInto(
    await buildTestApp(t),
    `${header}\r\nSVN-3-1,SVN-3,SVN,3,34,1,Ratify (France);,true,FRA,,,health-rights,Right to health,,,,,,,,,,\r\n`,
  );
  t.same(relabelled.warnings.map((w) => w.message), [
    'label "Right to health" is stored as right-to-health, not health-rights: not added',
    'unknown theme "health-rights": left out',
  ]);
  const rows = [
    `SVN-3-1,SVN-3,SVN,3,34,1,'=Ratify CAT (France);,true,FRA; XXX,supported,A/HRC/43/15 - Para 121,unknown-theme,,16; 18,women,src-1,A source,Someone,https://example.org/a,2020-01-01,3,2020-01-01T00:00:00.000Z,2020-02-01T00:00:00.000Z`,
    `SVN-3-2,SVN-3,SVN,3,34,2,Ratify CED (France);,maybe,FRA,accepted,,,,,,src-2,,,,,x,,`,
    `SVN-3-3,SVN-3,SVN,3,34,3,Ratify it (France);,false,FRA,,,,,,,gone,,,,,,,`,
    `SVN-3-4,SVN-3,SVN,3,34,4,Same URL (France);,false,FRA,,,,,,,src-3,Another,Someone,https://example.org/a,,,,`,
    `bad id!,SVN-3,SVN,3,34,5,Text,true,FRA,,,,,,,,,,,,,,`,
    `SVN-3-6,SVN-3,XXX,3,34,6,Text,true,FRA,,,,,,,,,,,,,,`,
    `SVN-3-7,SVN-3,SVN,9,34,7,Text,true,FRA,,,,,,,,,,,,,,`,
    `SVN-3-8,,SVN,3,34,8,Text,true,FRA,,,,,,,,,,,,,,`,
    `SVN-3-9,SVN-3,SVN,2,34,9,Text,true,FRA,,,,,,,,,,,,,,`,
    `SVN-3-10,SVN-3,SVN,3,34,10, ,true,FRA,,,,,,,,,,,,,,`,
    `,SVN-3,SVN,3,34,11,Text,true,FRA,,,,,,,,,,,,,,`,
    `KGZ-3-X,KGZ-3,KGZ,3,35,,Only with --review,true,FRA,,,,,,,,,,,,,,`,
    ',,,,,,,,,,,,,,,,,,,,,,',
  ];
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const report = await importInto(app, `${header}\r\n${rows.join('\r\n')}\r\n`, { review: 'SVN-3' });
  t.equal(report.rowsRead, 12);
  t.equal(report.rowsNotSelected, 1);
  t.same(report.recommendations, { created: 4, updated: 0, unchanged: 0 });
  const first = await sql.get(
    "select text, version, case when created_at = updated_at and created_at > '2026' then 1 else 0 end as now, source_id from recommendations where id = 'SVN-3-1'",
  );
  t.same(first, { text: '=Ratify CAT (France);', version: 1, now: 1, source_id: 'src-1' }, 'version and timestamps are the server’s, not the file’s');
  t.same(await sql.all("select goal from recommendation_sdgs where recommendation_id = 'SVN-3-1'"), [{ goal: 16 }]);
  t.equal(await sql.count('recommendation_themes', "recommendation_id = 'SVN-3-1' and label_source is distinct from 'machine'"), 0);
  t.same(await sql.get("select source_id from recommendations where id = 'SVN-3-4'"), { source_id: 'src-1' }, 'same URL, same source');
  t.same(await sql.get("select source_id from recommendations where id = 'SVN-3-2'"), { source_id: null });
  t.same(
    report.problems.map((p) => [p.row, p.message]),
    [
      [6, 'id "bad id!" is not a record id (letters, digits, ".", "_", "~", "-")'],
      [7, 'stateUnderReview "XXX" is not a state code'],
      [8, 'cycle "9" is not a UPR cycle (1–4)'],
      [9, 'no reviewId'],
      [10, 'review SVN-3 is SVN cycle 3 in an earlier row, SVN cycle 2 here'],
      [11, 'no text'],
      [12, 'no id'],
    ],
  );
  t.same(
    report.warnings.map((w) => [w.row, w.message]),
    [
      [undefined, 'source src-3 is stored as src-1 (same URL https://example.org/a): linked to src-1'],
      [2, 'recommending state "XXX" is not a state code: left out'],
      [2, 'SDG "18" is not a goal 1–17: left out'],
      [2, 'unknown theme "unknown-theme": left out'],
      [3, 'verbatim "maybe" is neither true nor false: left as stored'],
      [3, 'position "accepted" is not one of supported, partially_supported, noted, pending: left as stored'],
      [3, 'unknown source "src-2": left empty'],
      [4, 'unknown source "gone": left empty'],
    ],
  );
  await t.rejects(
    importInto(app, `${header}\r\nKGZ-3-X,KGZ-3,KGZ,2,,,Text,true,FRA,,,,,,,,,,,,,,\r\n`),
    /No record of the file can be stored as the write API would store it: row 2: review KGZ-3 cannot be stored: id: a review's id is its state and cycle \(KGZ-2\), not "KGZ-3"\./,
  );
  await t.rejects(importInto(app, 'id,reviewId,text\r\n', { format: 'upr-tracker-csv' }), /lacks "stateUnderReview", "cycle", "paragraph"/);
  await t.rejects(importInto(app, '', { format: 'upr-tracker-csv' }), /The file is empty/);
  await t.rejects(importInto(app, new Uint8Array([0x69, 0x64, 0xff, 0x0a]), { format: 'upr-tracker-csv' }), /Not UTF-8/);
  await t.rejects(importInto(app, `${header}\r\n"unclosed`, { format: 'upr-tracker-csv' }), /Not a readable CSV file/);
});

t.test('a form whose parts busboy skips (no Content-Disposition, not form-data) is a prompt 400, not a hang', async (t) => {
  // A skipped part larger than a part's buffer (16 KiB) that ended the form paused the parser for good:
  // request.file() never settled (src/import/routes.ts, fileHwm). inject sends the form in one chunk, as a
  // socket does a small one.
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'dashboard');
  const boundary = 'B';
  const form = (head: string, size: number) =>
    Buffer.from(`--${boundary}\r\n${head}\r\n\r\n${'a,b\r\n'.repeat(size / 5)}\r\n--${boundary}--\r\n`);
  const cases = [
    ['no Content-Disposition, 3 bytes', form('Content-Type: text/csv', 5)],
    ['no Content-Disposition, 20 KB', form('Content-Type: text/csv', 20_000)],
    ['no Content-Disposition, 300 KB', form('Content-Type: text/csv', 300_000)],
    ['not form-data, 300 KB', form('Content-Disposition: attachment; name="file"; filename="a.csv"', 300_000)],
  ] as const;
  for (const [what, payload] of cases) {
    const answer = app.inject({
      method: 'POST',
      url: '/v1/imports?dryRun=true',
      headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    // A hang fails here rather than at tap's timeout for the whole file.
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 30_000)));
    const response = await Promise.race([answer, hung]);
    clearTimeout(timer);
    if (response === 'hung') {
      t.fail(`${what}: no answer in 30 s`);
      continue;
    }
    t.equal(response.statusCode, 400, what);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.match(response.json().detail, /The multipart form has no file/, what);
  }
});
