import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { mintKey } from '../test/curation-helpers.js';
import { buildTestApp } from '../test/helpers.js';
import { databaseEnv } from '../test/import-helpers.js';
import { judgeMutant, postImport } from '../test/support/import-mutant-check.js';
import { mutant, type SeedFile } from '../test/support/import-mutants.js';
import { sharedDataDir } from '../test/support/shared-data.js';
import { testSql } from '../test/support/test-sql.js';

// test/import-mutation-fuzz.test.ts on the real data (../shared/data), bigger: slices of every Terman and UPR
// Info file (from a line end, a few hundred rows) and the Slovenia matrix whole, each mutated PER_SEED times and
// sent through POST /v1/imports one of eight ways (raw or multipart, dry run or real, in the request's thread or
// the import thread), then a sample through `npm run import`. Prints the answers counted, every failure (seed and
// index make it again), the slowest import per KiB and the process's peak RSS. Not in `npm test`:
//   npx tap --disable-coverage -t 0 bench/import-fuzz.ts                      (SQLite)
//   TEST_BACKEND=postgres npx tap --disable-coverage -t 0 bench/import-fuzz.ts  (PostgreSQL)
// FUZZ_SEED (42), FUZZ_PER_SEED (60), FUZZ_CLI (2 per seed file), FUZZ_ONLY (a part of the seed files' names)
// change the run.

const DATA = sharedDataDir();
const SEED = Number(process.env.FUZZ_SEED ?? 42);
const PER_SEED = Number(process.env.FUZZ_PER_SEED ?? 60);
const CLI_PER_SEED = Number(process.env.FUZZ_CLI ?? 2);

/** `bytes` lines from a line end at `at` of the way through: the header, then about `size` bytes of rows. */
function slice(bytes: Buffer, at: number, size: number): Uint8Array {
  const headerEnd = bytes.indexOf(0x0d) + 1;
  const lineEnd = (from: number) => {
    const i = bytes.indexOf(0x0d, from);
    return i < 0 ? bytes.length : i + (bytes[i + 1] === 0x0a ? 2 : 1);
  };
  const start = lineEnd(Math.floor(bytes.length * at));
  return Uint8Array.from(Buffer.concat([bytes.subarray(0, headerEnd), bytes.subarray(start, lineEnd(start + size))]));
}

function seedFiles(): SeedFile[] {
  const csv = (folder: string, file: string, at: number, size: number): SeedFile => ({
    name: `${file}@${at}+${size}`,
    kind: 'csv',
    bytes: slice(readFileSync(join(DATA!, folder, file)), at, size),
  });
  const terman = ['2008', '2009', '2010', '2011', '2012', '2013', '2014'].map((year, i) =>
    csv('terman-upr-2008-2014', `${year}data.csv`, 0.1 * i, i % 3 === 2 ? 100_000 : 20_000),
  );
  const uprInfo = ['1-5', '6-9', '10-13', '14-17'].map((s, i) => csv('upr-info-2008-2013', `uprinfo_sessions_${s}.csv`, 0.2 * i, i === 3 ? 100_000 : 20_000));
  const matrix: SeedFile = { name: 'slovenia.docx', kind: 'docx', bytes: readFileSync(join(DATA!, 'ohchr-thematic-list/slovenia_upr34_thematic_list.docx')) };
  return [...terman, ...uprInfo, matrix].filter((file) => file.name.includes(process.env.FUZZ_ONLY ?? ''));
}

t.test('the real data mutated', { skip: DATA === undefined ? 'no shared/data (SHARED_DATA_DIR)' : false }, async (t) => {
  const inRequest = await buildTestApp(t);
  const inThread = await buildTestApp(t, { importThreadMinBytes: 0 });
  const apps = [inRequest, inThread].map((app) => ({ app, sql: testSql(app), key: mintKey(app, 'admin') }));
  const answers = new Map<string, number>();
  const failures: string[] = [];
  let slowest = { msPerKiB: 0, what: '' };
  let peakRss = 0;
  let biggestRise = { mb: 0, what: '' };
  let longest = { ms: 0, what: '' };
  let bytesSent = 0;
  let mutants = 0;
  const seeds = seedFiles();
  // Warmed up first: an app's first import starts the import thread and loads the tagger's model (seconds).
  for (const { app, key } of apps) await postImport(app, key, seeds[0]!.bytes, { multipart: false, dryRun: true });
  const started = performance.now();
  for (const file of seeds) {
    for (let index = 0; index < PER_SEED; index++) {
      const { what, bytes } = await mutant(file, SEED, index);
      const { app, sql, key } = apps[index % 2]!;
      const path = { multipart: (index >> 1) % 2 === 1, dryRun: (index >> 2) % 2 === 1 };
      const begun = performance.now();
      const verdict = await judgeMutant(app, sql, key, bytes, path);
      const ms = performance.now() - begun;
      mutants++;
      bytesSent += bytes.length;
      const rss = process.memoryUsage().rss;
      if (rss > peakRss && peakRss > 0 && (rss - peakRss) / 1024 / 1024 > biggestRise.mb) biggestRise = { mb: (rss - peakRss) / 1024 / 1024, what };
      peakRss = Math.max(peakRss, rss);
      const how = `${what} (seed ${SEED}, ${index % 2 ? 'import thread' : "request's thread"}, ${path.multipart ? 'multipart' : 'raw'}${path.dryRun ? ', dry run' : ''}, ${bytes.length} bytes)`;
      if (ms > longest.ms) longest = { ms, what: how };
      // (Per KiB only from 16 KiB: below, an import's fixed cost is most of it.)
      if (bytes.length >= 16 * 1024 && ms / (bytes.length / 1024) > slowest.msPerKiB) slowest = { msPerKiB: ms / (bytes.length / 1024), what: `${how}: ${Math.round(ms)} ms` };
      if (!verdict.ok) failures.push(`${how}: ${verdict.why}`);
      else answers.set(String(verdict.status), (answers.get(String(verdict.status)) ?? 0) + 1);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`${mutants} mutants of ${seeds.length} files (${(bytesSent / 1024 / 1024).toFixed(1)} MiB) in ${seconds.toFixed(0)} s: ${JSON.stringify(Object.fromEntries(answers))}`);
  console.log(`longest: ${Math.round(longest.ms)} ms, ${longest.what}`);
  console.log(`slowest per KiB: ${slowest.msPerKiB.toFixed(2)} ms/KiB, ${slowest.what}`);
  console.log(`peak RSS of the process (both apps, the import thread): ${Math.round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1024 / 1024)} MB; its biggest rise after one mutant ${Math.round(biggestRise.mb)} MB (${biggestRise.what})`);
  for (const failure of failures) console.log(`FAILED ${failure}`);
  t.same(failures, [], 'no mutant failed');

  // A sample through the command: exit 0 or 1, and one line on stderr without a stack trace.
  const cliFailures: string[] = [];
  const exits = new Map<number, number>();
  const env = { ...process.env, ...databaseEnv(inRequest), LOG_LEVEL: 'silent' };
  for (const file of seeds) {
    for (let index = 0; index < CLI_PER_SEED; index++) {
      const { what, bytes } = await mutant(file, SEED, index);
      const path = join(tmpdir(), `mut42-cli-${process.pid}-${index}`);
      writeFileSync(path, bytes);
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import.ts', path, ...(index % 2 ? ['--dry-run'] : [])], { env, encoding: 'utf8' });
      rmSync(path);
      exits.set(child.status ?? -1, (exits.get(child.status ?? -1) ?? 0) + 1);
      const lines = child.stderr.trim().split('\n').filter((line) => line !== '');
      if (child.status === 1) console.log(`  ${what}: ${lines[0]?.slice(0, 160)}`);
      if ((child.status !== 0 && child.status !== 1) || / at .*:\d+:\d+\)?$/m.test(child.stderr) || (child.status === 1 && lines.length !== 1)) {
        cliFailures.push(`${what}: exit ${child.status}, stderr ${JSON.stringify(child.stderr.slice(0, 600))}`);
      }
    }
  }
  console.log(`npm run import: ${JSON.stringify(Object.fromEntries(exits))} (exit status: files)`);
  for (const failure of cliFailures) console.log(`FAILED ${failure}`);
  t.same(cliFailures, [], 'the command: one line, no stack trace');
});
