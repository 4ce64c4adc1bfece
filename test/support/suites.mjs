import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

// `npm test`'s tests. First tap over every file: on SQLite, the postgres-* files on a real PostgreSQL. Then, when
// the whole suite was asked for (no arguments), the backend-neutral files again with their apps on PostgreSQL
// (TEST_BACKEND=postgres: issue 12, the suite runs on both backends). A backend-neutral file builds its apps
// with buildTestApp and is not marked `sqliteOnly(t, …)` as a whole, nor with a line `// backendNeutral:
// false — why` (a file whose apps are there for something else than the backend, e.g. bundle.test.ts's
// comparison of the build with the sources); the postgres-* files already ran on PostgreSQL. Each pass ends
// with tap's summary line; the exit status is the first failure's.
// Usage: node test/support/suites.mjs [tap's arguments]

const args = process.argv.slice(2);
const tap = (tapArgs, env) =>
  new Promise((resolve) => {
    const child = spawn('tap', tapArgs, { stdio: 'inherit', env: { ...process.env, ...env }, shell: false });
    child.on('close', (code) => resolve(code ?? 1));
  });

/** The files whose apps run on either backend. */
function backendNeutralFiles() {
  return readdirSync('test')
    .filter((name) => name.endsWith('.test.ts') && !/^(postgres-|crash-postgres)/.test(name))
    .map((name) => `test/${name}`)
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

let status = await tap(args, {});
if (args.length === 0) {
  if (postgresAvailable()) {
    const postgres = await tap(['--disable-coverage', ...backendNeutralFiles()], { TEST_BACKEND: 'postgres' });
    if (status === 0) status = postgres;
  } else {
    process.stdout.write('# the PostgreSQL pass is skipped: PostgreSQL is not installed and we are not root to install it\n');
  }
}
process.exitCode = status;
