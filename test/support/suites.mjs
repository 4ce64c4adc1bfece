import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// `npm test`'s tests: every file on SQLite (the postgres-* files on a real PostgreSQL), and the backend-neutral
// files a second time with their apps on PostgreSQL (TEST_BACKEND=postgres: issue 12, the suite runs on both
// backends). A backend-neutral file builds its apps with buildTestApp and is not marked `sqliteOnly(t, …)` as
// a whole, nor with a line `// backendNeutral: false — why` (a file whose apps are there for something else
// than the backend, e.g. bundle.test.ts's comparison of the build with the sources); the postgres-* files
// already run on PostgreSQL.
// Both run in one tap run, in shards (test/support/shard.mjs): as many processes as tap runs at once, each
// running file after file from one queue, instead of a process per file. One run means one PostgreSQL cluster,
// one coverage report, and no shard idle while another finishes a pass. The run ends with tap's summary line.
// Given tap's arguments (a file, say), tap runs as asked: a process per file, on the backend TEST_BACKEND says.
// Usage: node test/support/suites.mjs [tap's arguments]

const args = process.argv.slice(2);
const tap = (tapArgs, env) =>
  new Promise((resolve) => {
    const child = spawn('tap', tapArgs, { stdio: 'inherit', env: { ...process.env, ...env }, shell: false });
    child.on('close', (code) => resolve(code ?? 1));
  });

const { jobs: JOBS, timeout: FILE_TIMEOUT } = JSON.parse(readFileSync('package.json', 'utf8')).tap;

/** Every test file of the suite (tap's `include`). */
function testFiles() {
  return readdirSync('test')
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `test/${name}`);
}

/** The files whose apps run on either backend. */
function backendNeutralFiles() {
  return testFiles()
    .filter((file) => !/^test\/(postgres-|crash-postgres)/.test(file))
    .filter((file) => {
      const source = readFileSync(file, 'utf8');
      // A file building its apps through a helper of its own (which calls buildTestApp) says so with a line
      // `// backendNeutral: true — how`.
      const builds = source.includes('buildTestApp(') || /^\/\/ backendNeutral: true\b/m.test(source);
      return builds && !/^sqliteOnly\(t,/m.test(source) && !/^\/\/ backendNeutral: false\b/m.test(source);
    });
}

/** Whether a PostgreSQL cluster can be had: installed, or installable (scripts/pg-cluster.sh installs it as root). */
function postgresAvailable() {
  if (process.getuid?.() === 0) return true;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  if (versions.some((version) => existsSync(`/usr/lib/postgresql/${version}/bin/initdb`))) return true;
  return spawnSync('sh', ['-c', 'command -v initdb || command -v pg_config'], { stdio: 'ignore' }).status === 0;
}

// Files that start servers, a PostgreSQL cluster or large fixtures go first, so that no shard is left with one
// long file at the end; the rest follow, the largest first.
const SLOW_FIRST = /^test\/(postgres|crash-|server|import-shared-data|mirror-sync|stats-aggregates|shutdown-|backup|export-|dashboard|auth)/;
const weight = ({ file, backend }) => [Number(SLOW_FIRST.test(file)), Number(backend === 'postgres'), statSync(file).size];
const heavierFirst = (a, b) => {
  const [x, y] = [weight(a), weight(b)];
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
};

// Files that share a large fixture built once under a lock (the large-export database's PostgreSQL template:
// restored from its dump, ~10 s of the server's, or copied when no dump is kept, ~30 s) would otherwise start
// side by side and the second shard wait idle for the first to build it: the first of them goes first, the
// others at the end of the slow group, when it is long built.
const SHARED_FIXTURES = [{ backend: 'postgres', file: /^test\/export-(stream|limits)\.test\.ts$/ }];

/** `queue` (sorted by heavierFirst) with the files of each shared fixture apart (SHARED_FIXTURES). */
function fixturesApart(queue) {
  let ordered = [...queue];
  for (const fixture of SHARED_FIXTURES) {
    const sharing = ordered.filter((entry) => entry.backend === fixture.backend && fixture.file.test(entry.file));
    if (sharing.length < 2) continue;
    const [first, ...others] = sharing;
    const rest = ordered.filter((entry) => !sharing.includes(entry));
    const slowEnd = rest.findIndex((entry) => !SLOW_FIRST.test(entry.file));
    const at = slowEnd === -1 ? rest.length : slowEnd;
    ordered = [first, ...rest.slice(0, at), ...others, ...rest.slice(at)];
  }
  return ordered;
}

/** The shard files (shard.mjs) that run `entries` ({ file, backend }) from one queue: as many as tap runs at once. */
function shards(entries) {
  const dir = resolve('node_modules/.cache/upr-test-shards');
  rmSync(dir, { recursive: true, force: true }); // an earlier run's queue
  mkdirSync(dir, { recursive: true });
  const queue = fixturesApart([...entries].sort(heavierFirst));
  // tap's timeout (package.json) bounds each file, as it bounded each file's process; a shard runs half the
  // suite, so tap's own bound on the shard's process is lifted (--timeout=0 below).
  writeFileSync(join(dir, 'queue.json'), JSON.stringify({ fileTimeoutSeconds: FILE_TIMEOUT, queue }));
  const runner = new URL('./shard.mjs', import.meta.url).href;
  return Array.from({ length: Math.min(JOBS, queue.length) }, (_, index) => {
    const file = join(dir, `shard-${index + 1}.mjs`);
    writeFileSync(file, `import { runQueue } from '${runner}';\nawait runQueue(${JSON.stringify(dir)});\n`);
    return file;
  });
}

if (args.length > 0) {
  process.exitCode = await tap(args, {});
} else {
  const entries = testFiles().map((file) => ({ file, backend: 'sqlite' }));
  if (postgresAvailable()) {
    entries.push(...backendNeutralFiles().map((file) => ({ file, backend: 'postgres' })));
  } else {
    process.stdout.write('# the PostgreSQL pass is skipped: PostgreSQL is not installed and we are not root to install it\n');
  }
  process.exitCode = await tap(['--timeout=0', ...shards(entries)], { UPR_TEST_SHARD: '1' });
}
