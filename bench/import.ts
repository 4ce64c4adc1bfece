import { Session } from 'node:inspector/promises';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exitOnHelpOrUsageError } from '../scripts/command-args.js';
import { openDatabase } from '../src/db/open.js';
import { importFile } from '../src/import/run.js';
import type { ImportOptions } from '../src/import/types.js';
import type { BenchRow } from './row.js';

// `node --import tsx bench/import.ts`: import timings of the import issue, on the real files in
// ../shared/data (skipped when absent): the Slovenia OHCHR matrix, Kyrgyzstan's 2010 review out of
// 2010data.csv, the whole Terman corpus (7 files, 39,191 rows) into a new database file (WAL,
// synchronous=FULL, as the server runs), UPR Info's 4 files (33,082 rows) into a new one, the same corpus
// again (every record unchanged), then UPR Info into the corpus's database (reconciled with it, as issue 10
// asks: both in one process): wall-clock time, the process's CPU time (a fairer figure on a busy machine)
// and its peak RSS so far. Prints a table and writes it as JSON to bench/results/; `npm run bench`
// includes it. `--only upr-info` runs the UPR-Info-into-a-new-database row alone, `--only corpus` the
// corpus's, `--only upr-info-corpus` the reconciled one (the corpus imported first, untimed) (to profile
// one: `node --cpu-prof --import tsx bench/import.ts --only upr-info`); `--phases` adds
// where its CPU went, from a sampling profile of the run (which costs some CPU of its own).

// SHARED_DATA_DIR: where the shared data is when this checkout is not beside it (a git worktree).
const DATA = process.env.SHARED_DATA_DIR ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const MATRIX = join(DATA, 'ohchr-thematic-list/slovenia_upr34_thematic_list.docx');
const CORPUS = [2008, 2009, 2010, 2011, 2012, 2013, 2014].map((y) => join(DATA, `terman-upr-2008-2014/${y}data.csv`));
const UPR_INFO = ['1-5', '6-9', '10-13', '14-17'].map((s) => join(DATA, `upr-info-2008-2013/uprinfo_sessions_${s}.csv`));

/**
 * The main thread's CPU time in ms (Linux: /proc, 10 ms ticks; undefined elsewhere): the process's CPU time
 * counts the relations' worker thread too (src/related/neighbours-thread.ts), which runs beside it.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

async function timed(files: string[], options: Partial<ImportOptions> = {}, dbPath?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'upr-import-bench-'));
  const isNew = !existsSync(dbPath ?? join(dir, 'bench.sqlite'));
  const db = openDatabase(dbPath ?? join(dir, 'bench.sqlite'));
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const mainCpu = mainThreadCpuMs();
    let rows = 0;
    let created = 0;
    let unchanged = 0;
    let matched = 0;
    let ambiguous = 0;
    for (const file of files) {
      // A database file made for the row is the bench's alone: every file of the row is imported into it as the
      // command line imports its one file into a new DATABASE_PATH (newDatabase: a rollback journal, not the WAL).
      const report = await importFile(db, { name: file, chunks: () => createReadStream(file) }, { actor: 'bench', newDatabase: isNew, ...options });
      rows += report.rowsRead - report.rowsNotSelected;
      created += report.recommendations.created;
      unchanged += report.recommendations.unchanged;
      matched += report.reconciliation.matched;
      ambiguous += report.reconciliation.ambiguous;
    }
    const used = process.cpuUsage(cpu);
    const ms = performance.now() - started;
    const mainCpuMs = mainCpu === undefined ? undefined : mainThreadCpuMs()! - mainCpu;
    return { ms, cpuMs: (used.user + used.system) / 1000, mainCpuMs, rows, created, unchanged, matched, ambiguous, rate: Math.round(rows / (ms / 1000)) };
  } finally {
    db.$client.close();
    if (dbPath === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Samples of the main thread waiting for the relations' worker thread: wall time, not CPU. */
const WAITING = 'waiting for the relations thread';

/** The phase a sample's stack (leaf first) belongs to: the innermost frame that names one. */
function phaseOf(stack: ProfileNode['callFrame'][]): string {
  for (const [i, { functionName: name, url }] of stack.entries()) {
    if (name === '(garbage collector)') return 'garbage collection';
    if (name === 'sqliteTransaction' && i === 0) return 'BEGIN/COMMIT (WAL writes, checkpoint)';
    if (name === 'take' && url.endsWith('related/neighbours-thread.ts')) return WAITING;
    if (url.endsWith('related/refresh.ts')) return 'relations (src/related, this thread)';
    if (name === 'materializeStale') return 'documents and CSV rows (read model)';
    if (name === 'bumpRevision') return 'stats flush (revision trigger)';
    if (name === 'tagRecommendations' || name === 'machineTagger') return 'machine tagging';
    if (name === 'reconcile') return 'reconciliation';
    if (url.endsWith('import/bulk-insert.ts')) return 'inserting records, links, citations';
    if (name === 'diffRecords' || (url.endsWith('db/audit.ts') && i === 0)) return 'audit entries';
    if (['checkRecommendation', 'checkReview', 'checkSource', 'checkLabel'].includes(name)) return 'validating records';
    if (name === 'readImport' || url.includes('/node_modules/csv-parse/')) return 'reading, decoding, parsing';
    if (/\/src\/import\/(?:csv|csv-file|encoding|upr-info|states|limits)\.ts$/.test(url)) return 'reading, decoding, parsing';
    if (name === 'applyImport') return 'building records (the rest of applyImport)';
  }
  return 'other (opening the database, loading modules, …)';
}

/** CPU ms per phase from a V8 CPU profile. */
function phases(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOfNode = new Map<number, string>();
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    let phase = phaseOfNode.get(id);
    if (phase === undefined) {
      const stack: ProfileNode['callFrame'][] = [];
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) stack.push(byId.get(n)!.callFrame);
      phaseOfNode.set(id, (phase = phaseOf(stack)));
    }
    if (byId.get(id)!.callFrame.functionName !== '(idle)') totals.set(phase, (totals.get(phase) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** The process's peak resident set size so far, in MiB. */
const peakRss = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** The main thread's share of a run's CPU time, when known. */
const mainCpuOf = (run: { mainCpuMs?: number }) => (run.mainCpuMs === undefined ? '' : ` (main thread ${run.mainCpuMs} ms)`);

/** A row of a whole-corpus import, against the issue's "a few seconds": time, rows/s, CPU and peak RSS. */
function fewSecondsRow(name: string, run: Awaited<ReturnType<typeof timed>>, more = ''): BenchRow {
  return {
    name,
    value: Math.round(run.ms),
    unit: 'ms',
    target: '≤ 5000 ms ("a few seconds")',
    met: run.ms <= 5000,
    detail:
      `${run.rows} rows → ${run.created} recommendations, ${run.rate} rows/s; ` +
      `CPU ${Math.round(run.cpuMs)} ms${mainCpuOf(run)}; peak RSS ${peakRss()} MiB${more}`,
  };
}

/** A row of files imported into a new database (with where its CPU went, when `profile`). */
async function newDatabaseRow(name: string, files: string[], profile = false): Promise<BenchRow> {
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const run = await timed(files);
  let breakdown = '';
  if (session) {
    const { profile: cpu } = await session.post('Profiler.stop');
    session.disconnect();
    // The samples' shares of the CPU time measured (their time deltas are wall time, longer on a busy machine).
    // The profile is the main thread's: its shares apply to the main thread's CPU time; the worker thread's is the rest.
    const all = phases(cpu as unknown as Parameters<typeof phases>[0]);
    const sampled = all.filter(([phase]) => phase !== WAITING);
    const waited = all.find(([phase]) => phase === WAITING)?.[1] ?? 0;
    const main = run.mainCpuMs ?? run.cpuMs;
    const sum = sampled.reduce((total, [, ms]) => total + ms, 0);
    breakdown = `; main thread's CPU by phase (shares of the samples): ${sampled
      .map(([phase, ms]) => `${phase} ${Math.round((main * ms) / sum)} ms`)
      .join(', ')}; the relations' worker thread ${Math.round(run.cpuMs - main)} ms of CPU; ` +
      `the main thread waited for it ${Math.round(waited)} ms (wall)`;
  }
  return fewSecondsRow(name, run, breakdown);
}

/** UPR Info's 4 files imported into the database of the corpus at `path` (reconciled with it). */
async function reconciledRow(path: string): Promise<BenchRow> {
  const both = await timed(UPR_INFO, {}, path);
  return {
    name: 'import: UPR Info into the corpus database (reconciled)',
    value: Math.round(both.ms),
    unit: 'ms',
    target: '≤ 5000 ms ("a few seconds")',
    met: both.ms <= 5000,
    detail:
      `${both.rows} rows: ${both.matched} merged into the corpus's records, ${both.created} created, ${both.ambiguous} ambiguous; ` +
      `${both.rate} rows/s; CPU ${Math.round(both.cpuMs)} ms${mainCpuOf(both)}; peak RSS ${peakRss()} MiB`,
  };
}

const UPR_INFO_ROW = 'import: UPR Info, sessions 1–17 (4 files) into a new database';
const CORPUS_ROW = 'import: Terman corpus, 7 files into a new database';

export async function runImportBench(
  progress: (message: string) => void = () => {},
  only?: 'upr-info' | 'corpus' | 'upr-info-corpus',
  profile = false,
): Promise<BenchRow[]> {
  if (!existsSync(DATA)) {
    console.log(`import bench skipped: no shared data at ${DATA}`);
    return [];
  }
  if (only === 'upr-info') {
    progress('import: UPR Info …');
    return [await newDatabaseRow(UPR_INFO_ROW, UPR_INFO, profile)];
  }
  if (only === 'corpus') {
    progress('import: the Terman corpus …');
    return [await newDatabaseRow(CORPUS_ROW, CORPUS, profile)];
  }
  if (only === 'upr-info-corpus') {
    const dir = mkdtempSync(join(tmpdir(), 'upr-import-bench-'));
    try {
      progress('import: the Terman corpus (untimed) …');
      await timed(CORPUS, {}, join(dir, 'corpus.sqlite'));
      progress('import: UPR Info into the corpus …');
      return [await reconciledRow(join(dir, 'corpus.sqlite'))];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const rows: BenchRow[] = [];
  progress('import: Slovenia matrix …');
  const matrix = await timed([MATRIX]);
  rows.push({
    name: 'import: Slovenia OHCHR matrix (.docx)',
    value: Math.round(matrix.ms),
    unit: 'ms',
    detail: `${matrix.created} recommendations; CPU ${Math.round(matrix.cpuMs)} ms`,
  });
  progress('import: Kyrgyzstan 2010 …');
  const kgz = await timed([CORPUS[2]!], { review: 'KGZ-1' });
  rows.push({
    name: 'import: Kyrgyzstan 2010 (2010data.csv --review KGZ-1)',
    value: Math.round(kgz.ms),
    unit: 'ms',
    detail: `${kgz.rows} rows → ${kgz.created} recommendations (the whole 6,044-row file is read); CPU ${Math.round(kgz.cpuMs)} ms`,
  });

  const dir = mkdtempSync(join(tmpdir(), 'upr-import-bench-'));
  try {
    const path = join(dir, 'corpus.sqlite');
    progress('import: the Terman corpus …');
    const corpus = await timed(CORPUS, {}, path);
    rows.push(fewSecondsRow(CORPUS_ROW, corpus));
    progress('import: UPR Info …');
    rows.push(await newDatabaseRow(UPR_INFO_ROW, UPR_INFO));
    progress('import: the corpus again …');
    const again = await timed(CORPUS, {}, path);
    rows.push({
      name: 'import: the corpus again (nothing changes)',
      value: Math.round(again.ms),
      unit: 'ms',
      detail: `${again.unchanged} recommendations unchanged; CPU ${Math.round(again.cpuMs)} ms`,
    });
    progress('import: UPR Info into the corpus …');
    rows.push(await reconciledRow(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  exitOnHelpOrUsageError(
    { only: { type: 'string' }, phases: { type: 'boolean' } },
    'Usage: npm run bench:import [-- --only upr-info|corpus|upr-info-corpus] [--phases]\n  Times the imports of the real files (needs ../shared/data or SHARED_DATA_DIR; minutes).\n  --only    one of the imports\n  --phases  where the import\'s CPU goes',
  );
  const at = process.argv.indexOf('--only');
  const only = at === -1 ? undefined : process.argv[at + 1];
  if (only !== undefined && only !== 'upr-info' && only !== 'corpus' && only !== 'upr-info-corpus') {
    console.error(
      `--only takes upr-info (UPR Info's 4 files into a new database), corpus (the Terman corpus's 7) or upr-info-corpus ` +
        `(UPR Info into the corpus's database, reconciled), not ${only}`,
    );
    process.exit(2);
  }
  const rows = await runImportBench(undefined, only, process.argv.includes('--phases'));
  for (const row of rows) {
    const target = row.target ? `  target ${row.target}: ${row.met ? 'met' : 'NOT met'}` : '';
    console.log(`${row.name.padEnd(56)} ${String(row.value).padStart(7)} ${row.unit}${target}  (${row.detail})`);
  }
  if (rows.length > 0) {
    const results = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(results, { recursive: true });
    const file = join(results, `import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ node: process.version, rows }, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
}
