import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openDatabase } from '../src/db/open.js';
import type { CommandFailure } from '../src/common/command-line.js';
import { runImportCli, USAGE } from '../src/import/cli.js';
import { importFile } from '../src/import/run.js';
import { formatReport } from '../src/import/report.js';
import type { ImportReport } from '../src/import/types.js';
import { tempDir } from './helpers.js';
import { bytesSource, entryRow, HEADER_ROW, macRoman, matrixDocx } from './import-helpers.js';
import { TS_NODE_ARGS } from './support/server-process.js';

const CSV = macRoman(
  'text,to,decision,From,year,notes\r' +
    '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\r' +
    '"76.2. Protect the State’s defenders (Norway);",kyrgysztan,consider,Norway;,2010,\r' +
    '64.1 To ratify CRPD (Brazil);,Korea,support,Brazil,2011,\r' +
    '76.3 Abolish it (NA);,kyrgysztan,consider,NA,2010,\r',
);

async function cli(t: Test, args: string[], dbPath?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runImportCli(args, { DATABASE_PATH: dbPath ?? join(tempDir(t), 'db.sqlite') }, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { status, out: out.join(''), err: err.join('') };
}

t.test('the command imports a file into DATABASE_PATH and prints the report', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, '2010data.csv');
  writeFileSync(file, CSV);
  const dbPath = join(dir, 'upr.sqlite');

  const dry = await cli(t, [file, '--dry-run'], dbPath);
  t.equal(dry.status, 0);
  t.match(dry.out, /^Dry run of .*2010data\.csv as terman-csv\n/);
  t.match(dry.out, /Dry run: nothing was written\.\n$/);

  const result = await cli(t, [file], dbPath);
  t.equal(result.status, 0);
  t.equal(result.err, '');
  t.match(result.out, /Encoding: Mac Roman, line endings CR; no characters repaired\n/);
  t.match(result.out, /Rows read: 4\n/);
  t.match(result.out, /Recommendations: 3 created, 0 updated, 0 unchanged; 1 rows skipped\n/);
  t.match(result.out, /Reviews created: 1 \(KGZ-1\)\n/);
  t.match(result.out, /States under review not resolved \(their rows are skipped\):\n {2}"Korea": 1 row; ambiguous: could be KOR or PRK\n/);
  t.match(result.out, /Recommending states not resolved \(kept as printed\):\n {2}"NA": 1 row; no state has this name or alias\n/);
  t.match(result.out, /Not imported:\n {2}row 4, paragraph 64\.1: state under review "Korea" not resolved/);
  t.match(result.out, /Data revision: 2\n$/);

  const json = await cli(t, [file, '--json', '--review', 'KGZ-1'], dbPath);
  t.equal(json.status, 0);
  const report = JSON.parse(json.out) as ImportReport;
  t.same(report.recommendations, { created: 0, updated: 0, unchanged: 3 });
  t.equal(report.rowsNotSelected, 0);

  const db = openDatabase(dbPath);
  t.teardown(() => db.$client.close());
  t.equal(db.$client.prepare("select count(*) from recommendations where review_id = 'KGZ-1'").pluck().get(), 3);
  t.equal(
    db.$client.prepare("select distinct actor from audit_log where entity = 'recommendations'").pluck().get(),
    'import 2010data.csv (command line)',
  );
});

t.test('a reader that closes the pipe (`| head`) costs the command neither its import nor its exit status', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, '2010data.csv');
  writeFileSync(file, CSV);
  const dbPath = join(dir, 'upr.sqlite');
  const child = spawn(process.execPath, [...TS_NODE_ARGS, 'scripts/import.ts', file, '--json'], {
    env: { ...process.env, DATABASE_PATH: dbPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Closed before the command writes its report: the write meets a pipe without a reader (EPIPE).
  child.stdout.destroy();
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  t.same({ code, signal, err }, { code: 0, signal: null, err: '' }, 'exit status 0, no stack trace');
  const db = openDatabase(dbPath);
  t.teardown(() => db.$client.close());
  t.equal(db.$client.prepare("select count(*) from recommendations where text like '%Ratify the Optional Protocol to CAT%'").pluck().get(), 1, 'the import committed');
});

t.test('a database without states (never seeded) refuses an import it would have answered with nothing imported', async (t) => {
  const db = openDatabase(':memory:', { seed: false });
  t.teardown(() => db.$client.close());
  await t.rejects(importFile(db, bytesSource(CSV, '2010data.csv'), { actor: 'test' }), {
    name: 'ImportError',
    status: 422,
    message: /^The database holds no states, so no state the file names can be resolved/,
  });
  t.equal(db.$client.prepare('select count(*) from recommendations').pluck().get(), 0);
});

t.test('a matrix by its detected format; a wrong review stops it with status 1', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'matrix.docx');
  writeFileSync(file, await matrixDocx([HEADER_ROW, entryRow({ text: '121.1 Ratify CED (France);' })]));
  const refused = await cli(t, [file, '--review', 'KGZ-3']);
  t.equal(refused.status, 1);
  t.match(refused.err, /matrix\.docx was not imported \(nothing written\): --review KGZ-3 contradicts the document/);
  const ok = await cli(t, [file, '--format', 'ohchr-matrix']);
  t.equal(ok.status, 0);
  t.match(ok.out, /Recommendations: 1 created/);
});

t.test('usage errors', async (t) => {
  const help = await cli(t, ['--help']);
  t.equal(help.status, 0);
  t.equal(help.out, `${USAGE}\n`);
  const none = await cli(t, []);
  t.equal(none.status, 2);
  t.match(none.err, /^Give exactly one file to import; none was given\.\nUsage: /);
  t.match(await cli(t, ['a.csv', 'b.csv']), { status: 2, err: /^Give exactly one file to import; given 2: "a\.csv", "b\.csv"\.\n/ });
  const unknown = await cli(t, ['a.csv', '--force']);
  t.equal(unknown.status, 2);
  t.match(unknown.err, /Unknown option '--force'/);
  const format = await cli(t, ['a.csv', '--format', 'xlsx']);
  t.equal(format.status, 2);
  t.match(format.err, /Unknown format "xlsx": use ohchr-matrix, terman-csv, upr-info, upr-tracker-csv/);
  const missing = await cli(t, [join(tempDir(t), 'missing.csv')]);
  t.equal(missing.status, 1);
  t.match(missing.err, /^Cannot read .*missing\.csv: no such file/);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'other.csv'), 'a,b\n1,2\n');
  const unknownFormat = await cli(t, [join(dir, 'other.csv')]);
  t.equal(unknownFormat.status, 1);
  t.match(unknownFormat.err, /Cannot tell the file's format .*: pass --format ohchr-matrix\|terman-csv\|upr-info\|upr-tracker-csv\./);

  // With --json, each failure is one JSON object on stdout, where the report would be (it was on stderr, and
  // before that the text and the usage); the message is on stderr for whoever watches.
  const errorOf = async (args: string[], env: NodeJS.ProcessEnv = { DATABASE_PATH: join(dir, 'db.sqlite') }) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runImportCli([...args, '--json'], env, { out: (s) => out.push(s), err: (s) => err.push(s) });
    t.equal(out.length, 1, 'one document on stdout');
    const failure = JSON.parse(out[0]!) as CommandFailure;
    t.equal(err.join('').split('\n')[0], failure.error.message.split('\n')[0], 'the message on stderr');
    return { status, ...failure };
  };
  t.same(await errorOf(['a.csv', '--force']), {
    status: 2,
    error: { kind: 'usage', message: "Unknown option '--force'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--force\"", exitStatus: 2 },
  });
  t.same(await errorOf([]), { status: 2, error: { kind: 'usage', message: 'Give exactly one file to import; none was given.', exitStatus: 2 } });
  t.match(await errorOf([join(dir, 'missing.csv')]), { status: 1, error: { kind: 'file', message: /^Cannot read .*missing\.csv: no such file/, exitStatus: 1 } });
  // A directory was opened as the database first, then failed as "Error: EISDIR: illegal operation on a directory, read".
  t.same(await errorOf([dir]), { status: 1, error: { kind: 'file', message: `Cannot read ${dir}: it is a directory, not a file.`, exitStatus: 1 } });
  t.match(await errorOf([join(dir, 'other.csv')]), { status: 1, error: { kind: 'failed', message: /other\.csv was not imported \(nothing written\): Cannot tell/, exitStatus: 1 } });
  // An invalid environment is a failure (1) as in every other command; it was 2, wrong usage.
  t.same(await errorOf([join(dir, 'other.csv')], { LOG_LEVEL: 'loud' }), {
    status: 1,
    error: {
      kind: 'environment',
      message: 'Invalid environment:\n  LOG_LEVEL: Not accepted: expected one of "fatal", "error", "warn", "info", "debug", "trace" or "silent", given "loud"',
      exitStatus: 1,
    },
  });
  // After `--` an argument is a file, --json included: the answer is prose.
  const literal = await cli(t, ['--', '--json']);
  t.same([literal.status, literal.out], [1, '']);
  t.match(literal.err, /^Cannot read --json: no such file/);
});

t.test('the text report lists everything, long lists cut short', async (t) => {
  const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  const report: ImportReport = {
    format: 'terman-csv',
    dryRun: false,
    encoding: { encoding: 'windows-1252', lineEndings: 'mixed', repairSteps: 2, repairs: 4, repaired: { 'Í → ’': 3, 'î → ”': 1 } },
    rowsRead: 100,
    rowsNotSelected: 40,
    recommendations: { created: 1, updated: 55, unchanged: 2 },
    reconciliation: { matched: 3, ambiguous: 1 },
    skipped: 1,
    updated: many(55, (i) => ({ id: `X-1-${i}`, fields: ['text'] })),
    kept: [{ id: 'X-1-2', field: 'text', value: 'A curator\'s wording.', offered: 'x'.repeat(100) }],
    reviewsCreated: many(25, (i) => `R${i}-1`),
    reviewsUpdated: ['SVN-3'],
    sourcesCreated: ['terman-uprs-2008-2014'],
    themesCreated: ['new-theme'],
    affectedPersonsCreated: ['new-group'],
    notInFile: ['X-1-old'],
    problems: [{ message: 'a problem without a place' }],
    warnings: [{ row: 3, paragraph: null, message: 'no paragraph number at the start of the text' }],
    unresolvedRecommenders: [{ name: 'NA', count: 2, note: 'no state has this name or alias' }],
    unresolvedStatesUnderReview: [],
    unmappedLabels: [
      { kind: 'theme', label: 'Death penalty', count: 2 },
      { kind: 'affected-persons group', label: 'sailors', count: 1 },
    ],
    uhriIdsLearned: [
      { id: 'racial-discrimination', uhriId: 'B32' },
      { id: 'death-penalty', uhriId: 'D11' },
    ],
    revision: 7,
  };
  const text = formatReport(report, 'f.csv');
  t.match(text, /^Imported f\.csv as terman-csv\n/);
  t.match(text, /Encoding: Windows-1252, line endings mixed; 4 mis-encoded characters repaired \(2 steps: Í → ’ ×3, î → ” ×1\)\n/);
  t.match(text, /Rows read: 100 \(40 of them outside the selected review, not imported\)\n/);
  t.match(text, /Merged with records of other sources: 3; ambiguous \(kept apart, see below\): 1\n/);
  t.match(text, /Reviews created: 25 \(R0-1, .*, R19-1, …\)\n/);
  t.match(text, /Reviews completed \(session, report symbol or report year filled in\): 1 \(SVN-3\)\n/);
  t.match(text, /Sources created: 1 \(terman-uprs-2008-2014\)\nThemes added: 1 \(new-theme\)\nAffected-persons groups added: 1 \(new-group\)\n/);
  t.match(text, / {2}X-1-49: text\n {2}… and 5 more updates \(--json lists them all\)\n/);
  t.notMatch(text, /X-1-50/);
  t.match(text, /Kept, a curator's \(the file's value not written; PATCH the field with it to hand it back\):\n {2}X-1-2 text: "A curator's wording\.", the file gives "x{79}\n/);
  t.notMatch(formatReport({ ...report, kept: [] }, 'f.csv'), /Kept, a curator's/);
  t.match(text, /Not imported:\n {2}a problem without a place\n/);
  t.match(text, /Imported, to check:\n {2}row 3: no paragraph number at the start of the text\n/);
  t.match(text, /"NA": 2 rows; no state/);
  t.match(text, /file does not contain \(kept\): 1\n {2}X-1-old\n/);
  t.notMatch(text, /States under review/);
  t.match(
    text,
    /Labels not in the vocabulary \(added as printed, to check\):\n {2}theme "Death penalty": 2 entries\n {2}affected-persons group "sailors": 1 entry\n/,
  );
  t.notMatch(formatReport({ ...report, unmappedLabels: [] }, 'f.csv'), /Labels not in/);
  t.match(text, /UHRI codes learned: B32 → racial-discrimination, D11 → death-penalty\n/);
  t.notMatch(formatReport({ ...report, uhriIdsLearned: [] }, 'f.csv'), /UHRI codes/);
  const oneStep = formatReport({ ...report, encoding: { ...report.encoding!, repairSteps: 1 } }, 'f.csv');
  t.match(oneStep, /\(1 step: /);
});
