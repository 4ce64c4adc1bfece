import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Test } from 'tap';
import { copyDatabase } from '../../src/db/copy/copy.js';
import { copyTemplateDatabase, sourceHash } from './template-db.js';

// A real PostgreSQL server for the tests: ONE throwaway cluster (scripts/pg-cluster.sh --fast) for a whole tap run
// (and a second, durable one for the crash test that asks for it, started and stopped the same way),
// started by the first test file that asks for it (under a lock file, so parallel jobs share it) and stopped
// and deleted by tap's `after` script (test/support/postgres-after.ts, package.json's tap config) however the
// tests ended. A file run outside tap (or with another `after`) gets its own cluster, stopped when it ends.
// Each test takes a fresh database in it, made with CREATE DATABASE ... TEMPLATE from a database prepared
// once per run (a copy of a SQLite file, keyed by a hash of its contents): no migrating or copying per test.
// Skipped with the reason when no cluster can be had.

const run = promisify(execFile);
export const CLUSTER_SCRIPT = fileURLToPath(new URL('../../scripts/pg-cluster.sh', import.meta.url));
export const AFTER_SCRIPT = fileURLToPath(new URL('./postgres-after.ts', import.meta.url));

export type Cluster = { url: string } | { skip: string };

/** The directory of the tap run's shared cluster (tap runs its `after` script and each test file as its children). */
export function runHome(runnerPid: number): string {
  return join(tmpdir(), `upr-pg-run-${runnerPid}`);
}

/** Stops the clusters kept in `home` (the shared one and the durable one, if any) and deletes `home`. */
export async function stopCluster(home: string, script = CLUSTER_SCRIPT): Promise<void> {
  await Promise.all(
    ['cluster', 'durable'].map((kind) => run('bash', [script, 'stop', join(home, kind)], { timeout: 60_000 }).catch(() => undefined)),
  );
  rmSync(home, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `work` holding `home`'s lock file (waiting for another process to release it, or to die holding it). */
async function locked<T>(home: string, name: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(home, { recursive: true });
  const lock = join(home, name);
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = 0;
      try {
        holder = Number(readFileSync(lock, 'utf8'));
      } catch {
        continue;
      }
      if (holder > 0 && !alive(holder)) rmSync(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

const ownHomes = new Map<string, string>();

export interface ClusterOptions {
  /**
   * A cluster of its own with PostgreSQL's durable defaults (fsync, synchronous commit, full-page writes),
   * for a test of what survives a crash; the run's shared cluster trades them for CPU (pg-cluster.sh --fast).
   */
  durable?: boolean;
  script?: string;
}

/**
 * The run's cluster (started now when it is the first to ask; installing PostgreSQL first when missing and we
 * are root), or the reason it could not start. The first start may install a package: a generous timeout.
 */
export async function startCluster(t: Test, { durable = false, script = CLUSTER_SCRIPT }: ClusterOptions = {}): Promise<Cluster> {
  const kind = durable ? 'durable' : 'cluster';
  const shared = resolve(process.env.TAP_AFTER ?? '') === AFTER_SCRIPT && script === CLUSTER_SCRIPT;
  let home = shared ? runHome(process.ppid) : ownHomes.get(`${kind} ${script}`);
  if (home === undefined) {
    // This process's own cluster, stopped when its root test ends (after every test that used it).
    const ownHome = mkdtempSync(join(tmpdir(), 'upr-pg-test-'));
    ownHomes.set(`${kind} ${script}`, ownHome);
    let root = t as { parent?: unknown };
    while (root.parent !== undefined) root = root.parent as { parent?: unknown };
    (root as Test).teardown(() => stopCluster(ownHome, script));
    home = ownHome;
  }
  const cluster = await locked(home, `${kind}.lock`, async (): Promise<Cluster> => {
    const urlFile = join(home, `${kind}.url`);
    const skipFile = join(home, `${kind}.skip`);
    if (existsSync(urlFile)) return { url: readFileSync(urlFile, 'utf8') };
    if (existsSync(skipFile)) return { skip: readFileSync(skipFile, 'utf8') };
    const started = await startIn(home, kind, durable, script);
    writeFileSync('url' in started ? urlFile : skipFile, 'url' in started ? started.url : started.skip);
    return started;
  });
  if ('url' in cluster) homes.set(cluster.url, { home, kind });
  return cluster;
}

/** Starts a cluster in `home`/`kind` (pg-cluster.sh), or says why it could not. */
async function startIn(home: string, kind: string, durable: boolean, script: string): Promise<Cluster> {
  try {
    const args = [script, 'start', join(home, kind), durable ? '--durable' : '--fast'];
    const { stdout } = await run('bash', args, { timeout: 300_000 });
    return { url: stdout.trim() };
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    return { skip: `PostgreSQL could not be started, its tests are skipped: ${(stderr || message).trim()}` };
  }
}

/**
 * A cluster of `t`'s own (settings as the run's shared one), stopped and deleted when `t` ends: for a test that
 * changes what the whole cluster does (its pg_hba.conf reloaded), which the files sharing the run's cluster at the
 * same time must never see.
 */
export async function privateCluster(t: Test, script = CLUSTER_SCRIPT): Promise<Cluster> {
  const home = mkdtempSync(join(tmpdir(), 'upr-pg-private-'));
  t.teardown(() => stopCluster(home, script));
  const cluster = await startIn(home, 'cluster', false, script);
  if ('url' in cluster) homes.set(cluster.url, { home, kind: 'cluster' });
  return cluster;
}

/** Each cluster's directory and kind, by URL: where its template lock lives. */
const homes = new Map<string, { home: string; kind: string }>();
let databases = 0;

async function admin<T>(clusterUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(clusterUrl: string, name: string): string {
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/**
 * A new database in the cluster (empty, or a copy of the database `template`), its URL. A copy is made by
 * copying the template's files (STRATEGY FILE_COPY): about half the server's CPU of writing every page of it
 * to the WAL (PostgreSQL 15's default), measured on the seeded and the 1,500-record templates.
 */
export async function createDatabase(clusterUrl: string, template?: string): Promise<string> {
  const name = `test_${process.pid}_${++databases}`;
  await admin(clusterUrl, (client) =>
    client.query(`create database ${name}${template === undefined ? '' : ` template ${template} strategy file_copy`}`),
  );
  return databaseUrl(clusterUrl, name);
}

/** The name of the template templateOf makes of the SQLite file at `path` (without a key): its contents' hash. */
export function templateNameOf(path: string): string {
  return `tpl_${fileHash(path)}`;
}

function fileHash(path: string): string {
  const hash = createHash('sha256').update(readFileSync(path));
  // A SQLite file still open elsewhere may hold committed pages in its WAL: they are part of what is copied.
  if (existsSync(`${path}-wal`)) hash.update(readFileSync(`${path}-wal`));
  return hash.digest('hex').slice(0, 24);
}

export interface CopiedOptions {
  /**
   * Keep the template's pg_dump across runs (in the temporary directory, named after the SQLite file's contents,
   * the sources and the server's version) and make the template by restoring it when there: for a large
   * database that does not change between runs (test/support/template-db.ts's), whose copy costs the server
   * far more than a restore (it inserts every row through the triggers and indexes, which a restore builds
   * once at the end). The same tables, rows and sequences either way.
   */
  keepDump?: boolean;
  /**
   * With keepDump, what the kept dump holds whatever its contents (e.g. 'large-export'): part of its file name, so
   * that making a new one (the contents, the sources or the server changed) removes the family's stale ones.
   */
  family?: string;
  /**
   * What the SQLite file holds, when its name already says it (a template of test/support/template-db.ts,
   * named after everything that makes it): the template is named after this instead of a hash of the file's
   * bytes (the large-export database's 264 MB cost ~2.3 s of CPU to read and hash at each test that asked).
   */
  key?: string;
}

/** The cluster's own pg_dump or pg_restore (the server's BINDIR), and the server's version. */
async function serverTools(clusterUrl: string): Promise<{ bindir: string; version: string }> {
  return admin(clusterUrl, async (client) => {
    const { rows } = await client.query<{ bindir: string; version: string }>(
      `select (select setting from pg_config where name = 'BINDIR') as bindir, current_setting('server_version_num') as version`,
    );
    return rows[0]!;
  });
}

const DUMP_PREFIX = 'upr-tracker-test-pg-';

/**
 * A kept dump not used for this long is stale: another of this family's is in use, or was made after it (every
 * use refreshes a dump's modification time; a checkout running other sources keeps its own while it runs).
 */
export const STALE_DUMP_MS = 30 * 60_000;

/**
 * Removes `family`'s kept dumps in `dir` other than `keep` that were not used for STALE_DUMP_MS, and the
 * half-written ones of processes that have gone: only files with our names (this family's, and the dumps
 * named after their template alone, before dumps had a family: the large-export template's, the only one
 * kept), regular files of our own user. Returns the names removed.
 */
export function removeStaleDumps(dir: string, family: string, keep: string, now = Date.now()): string[] {
  const dumps = new RegExp(`^${DUMP_PREFIX}(${family}-)?tpl_[0-9a-f]{24}-[0-9a-f]{16}-[0-9]+\\.dump(\\.([0-9]+)\\.tmp)?$`);
  const removed: string[] = [];
  for (const file of readdirSync(dir)) {
    const match = dumps.exec(file);
    if (match === null || join(dir, file) === keep) continue;
    const path = join(dir, file);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile() || stat.uid !== process.getuid?.()) continue;
    const stale = match[3] === undefined ? now - stat.mtimeMs > STALE_DUMP_MS : !alive(Number(match[3]));
    if (!stale) continue;
    rmSync(path, { force: true });
    removed.push(file);
  }
  return removed;
}

/**
 * Fills the empty database at `url` from a dump of the template named `name` of `family`, kept across runs (made
 * now when missing; the family's stale dumps removed).
 */
async function fillFromDump(clusterUrl: string, url: string, name: string, family: string, sqlitePath: () => string): Promise<void> {
  const { bindir, version } = await serverTools(clusterUrl);
  const dump = join(tmpdir(), `${DUMP_PREFIX}${family}-${name}-${sourceHash()}-${version}.dump`);
  if (existsSync(dump)) {
    const now = new Date();
    utimesSync(dump, now, now); // in use
    await run(join(bindir, 'pg_restore'), ['--exit-on-error', '--jobs=2', `--dbname=${url}`, dump], { timeout: 600_000 });
  } else {
    await copyDatabase({ kind: 'sqlite', path: sqlitePath() }, { kind: 'postgres', url });
    // Written under another name and renamed when whole: a process killed half-way leaves no broken dump.
    const building = `${dump}.${process.pid}.tmp`;
    await run(join(bindir, 'pg_dump'), ['--format=custom', '--compress=0', `--file=${building}`, url], { timeout: 600_000 });
    renameSync(building, dump);
  }
  removeStaleDumps(tmpdir(), family, dump);
}

/** A SQLite file's path, or a function giving it: called only when the file is read (a template is made from it). */
export type SqliteSource = string | (() => string);

/**
 * The name of a template database holding a copy of the SQLite database at `sqlite` (npm run db:copy's copy),
 * made on first use in this cluster; processes wanting the same one wait for the first to make it (and only they).
 */
async function templateOf(clusterUrl: string, sqlite: SqliteSource, { keepDump = false, family = 'template', key }: CopiedOptions = {}): Promise<string> {
  let path: string | undefined;
  const sqlitePath = () => (path ??= typeof sqlite === 'string' ? sqlite : sqlite());
  const name = key === undefined ? templateNameOf(sqlitePath()) : `tpl_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
  const cluster = homes.get(clusterUrl);
  if (cluster === undefined) throw new Error(`${clusterUrl} is not a cluster startCluster gave`);
  // A lock per template: a process making a small template (the seeded one) does not wait for another making a
  // large one (the large-export database's: 20-30 s), which left a shard idle at the start of the PostgreSQL pass.
  return locked(cluster.home, `${cluster.kind}.${name}.lock`, async () => {
    const exists = await admin(clusterUrl, (client) =>
      client.query('select 1 from pg_database where datname = $1', [name]),
    );
    if (exists.rowCount === 0) {
      // Made under another name and renamed when whole: a process killed half-way leaves no broken template.
      const building = await createDatabase(clusterUrl);
      if (keepDump) await fillFromDump(clusterUrl, building, name, family, sqlitePath);
      else await copyDatabase({ kind: 'sqlite', path: sqlitePath() }, { kind: 'postgres', url: building });
      // The test cluster runs no autovacuum: the planner's statistics are gathered here, once, and every
      // database made from the template starts with them.
      await admin(building, (client) => client.query('analyze'));
      await admin(clusterUrl, (client) => client.query(`alter database ${new URL(building).pathname.slice(1)} rename to ${name}`));
    }
    return name;
  });
}

/** A new database in the cluster holding a copy of the SQLite database at `sqlite` (npm run db:copy's copy). */
export async function copiedDatabase(clusterUrl: string, sqlite: SqliteSource, options: CopiedOptions = {}): Promise<string> {
  return createDatabase(clusterUrl, await templateOf(clusterUrl, sqlite, options));
}

let seededTemplate: Promise<string> | undefined;

/** A new database in the cluster, migrated and seeded as on a first start (the same rows as SQLite's template). */
export async function seededDatabase(clusterUrl: string): Promise<string> {
  seededTemplate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upr-pg-seeded-'));
    try {
      copyTemplateDatabase(join(dir, 'seeded.sqlite'));
      return await templateOf(clusterUrl, join(dir, 'seeded.sqlite'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return createDatabase(clusterUrl, await seededTemplate);
}
