import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { openDatabase } from '../src/db/open.js';
import { walBytes } from '../src/db/wal.js';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';
import { startServer, stopServer } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

// backendNeutral: false — the bundle under test serves a SQLite file, and the in-process app beside it is
// there to compare the tagger's labels, not a backend: npm test's PostgreSQL pass (test/support/suites.mjs)
// leaves this file out rather than build and start the bundle a second time.

// What `npm start` runs: `npm run build` (scripts/build.mjs: esbuild, one file at dist/src/server.js), then
// that bundle. Every other test runs the sources; this one checks what the build changes: Swagger UI bundled
// with its assets served from its package's folder, the OpenAPI document built on first use, the tagger's
// model loaded by the first write that tags (from models/, relative to the bundle), and the bundle written
// as ASCII (regular expressions with non-ASCII characters escaped) — the same labels as the sources give — and
// the import thread's and the checkpoint thread's workers, bundled beside it.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const RECOMMENDATION = {
  reviewId: 'KGZ-3',
  paragraph: '121.77',
  // ’s (a non-ASCII character in the tagger's normalising expression) and a dash, as UN texts write them.
  text: 'Abolish the death penalty in the State’s law – and ratify the Second Optional Protocol to the ICCPR.',
  verbatim: true,
  recommendingStates: ['FIN'],
  sources: [HRW_SOURCE],
};

const machineThemes = (body: { themes: { id: string; source: string; confidence: number | null }[] }) =>
  body.themes.filter((theme) => theme.source === 'machine');

t.test('the bundle npm start runs: built, started on a fresh database, the same answers as the sources', async (t) => {
  // Built and run in a checkout whose path has a space and an é (a copy of what the build and the start read,
  // 7 MB; node_modules linked): the build took a file URL's percent-encoded path for a file's, and Swagger UI's
  // routes lost their folder (its CSS and logo answered 404).
  const checkout = join(tempDir(t), 'upr tracker é');
  mkdirSync(checkout);
  const inputs = ['src', 'seed', 'scripts', 'migrations', 'models', 'package.json', 'package-lock.json', 'tsconfig.json'];
  for (const input of inputs) cpSync(join(ROOT, input), join(checkout, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
  const build = (...args: string[]) => promisify(execFile)(process.execPath, ['scripts/build.mjs', ...args], { cwd: checkout });
  // The repository's own script, in the same checkout: the coverage counts it, not the copy.
  const buildIfChanged = () => promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-changed'], { cwd: checkout });
  const bundlePath = join(checkout, 'dist', 'src', 'server.js');
  const inputsPath = join(checkout, 'dist', 'src', 'server.inputs.json');
  await build();
  const built = statSync(bundlePath).mtimeMs;
  const bundle = readFileSync(bundlePath);
  t.equal(bundle.findIndex((byte) => byte > 0x7f), -1, 'ASCII only');

  // npm start's prestart (--if-changed) keeps a current bundle, and builds again once an input is newer
  // than the last build (here: the last build said to begin before every file's modification time).
  await buildIfChanged();
  t.equal(statSync(bundlePath).mtimeMs, built, 'a current bundle is kept');
  const last = JSON.parse(readFileSync(inputsPath, 'utf8')) as { began: number; inputs: string[] };
  t.ok(last.inputs.includes('src/server.ts'), 'the inputs recorded are the files bundled');
  writeFileSync(inputsPath, JSON.stringify({ ...last, began: 0 }));
  await build('--if-changed');
  t.not(statSync(bundlePath).mtimeMs, built, 'built again when an input changed');

  // A write key in the database first (a copy of the migrated and seeded template, as a first start leaves
  // it; the bundle checks it against its migrations folder).
  const databasePath = join(tempDir(t), 'bundle.sqlite');
  copyTemplateDatabase(databasePath);
  const db = openDatabase(databasePath);
  const { key } = createApiKey(db, 'bundle-test', 'write');
  db.$client.close();
  const server = await startServer(databasePath, { MAX_EVENT_LOOP_DELAY_MS: '0', IMPORT_THREAD_MIN_BYTES: '0' }, [bundlePath]);
  t.teardown(() => stopServer(server));
  const health = await fetch(`${server.baseUrl}/healthz`);
  t.equal(health.status, 200);

  for (const asset of ['/docs/static/index.html', '/docs/static/swagger-ui.css', '/docs/static/logo.svg']) {
    const response = await fetch(`${server.baseUrl}${asset}`);
    t.equal(response.status, 200, `${asset}: from @fastify/swagger-ui's folder`);
    t.ok((await response.arrayBuffer()).byteLength > 0);
  }

  const document = (await (await fetch(`${server.baseUrl}/docs/json`)).json()) as {
    paths: Record<string, { get: { parameters: { name: string; schema: { type: string; items: { enum?: string[] } } }[] } }>;
  };
  const position = document.paths['/v1/recommendations']!.get.parameters.find((p) => p.name === 'position')!;
  t.equal(position.schema.type, 'array', 'a list parameter as an array of its items');
  t.ok(position.schema.items.enum?.includes('supported'));

  // The same write through the sources (in process) and through the bundle: the same machine labels.
  const app = await buildTestApp(t);
  const expected = await send(app, 'POST', '/v1/recommendations', { key: mintKey(app), body: RECOMMENDATION });
  t.equal(expected.response.statusCode, 201);
  t.ok(machineThemes(expected.body).length > 0, 'the sources tag the text');

  const created = await fetch(`${server.baseUrl}/v1/recommendations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(RECOMMENDATION),
  });
  t.equal(created.status, 201);
  t.same(machineThemes((await created.json()) as Parameters<typeof machineThemes>[0]), machineThemes(expected.body));

  // An import in the import thread (IMPORT_THREAD_MIN_BYTES=0: every file), whose worker is a bundle of its own
  // (dist/src/import-worker.js): a review's export imported back, every record unchanged.
  const exported = await (await fetch(`${server.baseUrl}/v1/recommendations?reviewId=KGZ-3&format=csv`)).text();
  const imported = await fetch(`${server.baseUrl}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    body: exported,
  });
  t.equal(imported.status, 200);
  const report = (await imported.json()) as { format: string; recommendations: { created: number; updated: number; unchanged: number } };
  t.equal(report.format, 'upr-tracker-csv');
  t.match(report.recommendations, { created: 0, updated: 0 });
  t.equal(report.recommendations.unchanged, exported.trimEnd().split('\r\n').length - 1, 'every record exported, unchanged');

  // The checkpoint thread, whose worker is a bundle of its own too (dist/src/wal-worker.js): another connection
  // leaves 8 MiB of log (no checkpoint of its own), then a write of the server's: the thread copies and truncates it.
  const other = openDatabase(databasePath);
  other.$client.pragma('wal_autocheckpoint = 0');
  other.$client.exec('create table filler (b blob)');
  const fill = other.$client.prepare('insert into filler values (randomblob(1048576))');
  other.$client.transaction(() => {
    for (let i = 0; i < 8; i++) fill.run();
  })();
  other.$client.close();
  t.ok(walBytes(databasePath) > 8 * 1024 * 1024, 'the other connection left its log');
  const recreated = await fetch(`${server.baseUrl}/v1/recommendations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...RECOMMENDATION, paragraph: '121.78' }),
  });
  t.equal(recreated.status, 201);
  // The thread is asked after the response: polled until the -wal is 0, at most 2,400 times (2 minutes; generous: a
  // worker's start in a child process on a loaded machine), so that a truncate that never comes fails the test
  // instead of holding the file until tap's timeout.
  let polls = 0;
  for (; walBytes(databasePath) > 0 && polls < 2400; polls++) await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(walBytes(databasePath), 0, `the thread copied the log and truncated the -wal (${polls} polls)`, { output: server.output().slice(-2000) });
  t.notMatch(server.output(), /checkpoint thread stopped/, 'in the thread, not on the event loop');

  t.equal((await stopServer(server)).code, 0, 'stops cleanly');
});
