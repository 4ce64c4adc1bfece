import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { copyDatabase } from '../src/db/copy/copy.js';
import { CLUSTER_SCRIPT } from '../test/support/postgres.js';
import type { BenchRow } from './row.js';

// The benchmark's PostgreSQL (`npm run bench -- --backend postgres`): a cluster of scripts/pg-cluster.sh (a
// throwaway one in the run's directory, or --pg-cluster DIR kept and reused), a database in it holding a copy
// of the synthetic SQLite database (db:copy's copy; kept in a reused cluster, under the SQLite file's size and
// time, so the next run skips the copy), and the CPU its processes use.

const run = promisify(execFile);

export interface PgTarget {
  url: string;
  /** The cluster's postmaster: its CPU and its children's are the database server's. */
  postmaster: number;
  stop(): Promise<void>;
}

/** The cluster in `dir` (started by scripts/pg-cluster.sh): its URL and postmaster, from postmaster.pid. */
function clusterOf(dir: string): { url: string; postmaster: number } {
  const lines = readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n');
  return { url: `postgres://upr@127.0.0.1:${lines[3]}/postgres`, postmaster: Number(lines[0]) };
}

/** CPU time (user + system, microseconds) of a process and of its children, reaped ones included. */
export function pgCpuMicros(postmaster: number): number {
  const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const own = stat(postmaster);
  // utime, stime, then cutime, cstime (the children it has waited for): fields 14–17 of proc(5).
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = stat(Number(entry));
      if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10_000; // clock ticks of 10 ms
}

/**
 * A PostgreSQL database holding a copy of the SQLite database at `sqlitePath`, in a new cluster under `dir`
 * (stopped by stop()) or in the running cluster `reuse` (kept, its copy reused when the SQLite file is the same).
 */
export async function pgTarget(
  dir: string,
  sqlitePath: string,
  reuse: string | undefined,
  progress: (message: string) => void,
  addRow: (row: BenchRow) => void,
): Promise<PgTarget> {
  const clusterDir = reuse ?? join(dir, 'pg-cluster');
  if (reuse === undefined || !existsSync(join(reuse, 'data', 'postmaster.pid'))) {
    progress('starting a PostgreSQL cluster …');
    await run('bash', [CLUSTER_SCRIPT, 'start', clusterDir], { timeout: 300_000 });
  }
  const cluster = clusterOf(clusterDir);
  const stop = async () => {
    if (reuse === undefined) await run('bash', [CLUSTER_SCRIPT, 'stop', clusterDir], { timeout: 60_000 });
  };
  try {
    // One database per SQLite file's size and time: a reused cluster copies a given file once.
    const { size, mtimeMs } = statSync(sqlitePath);
    const name = `bench_${size}_${Math.round(mtimeMs)}`;
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    let exists: boolean;
    try {
      exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
      if (!exists) await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const url = cluster.url.replace(/\/postgres$/, `/${name}`);
    if (!exists) {
      progress('copying the SQLite database into PostgreSQL (db:copy) …');
      const started = performance.now();
      const report = await copyDatabase({ kind: 'sqlite', path: sqlitePath }, { kind: 'postgres', url }, {
        onProgress: (table, copied) => progress(`db:copy: ${table} ${copied.toLocaleString('en')} rows …`),
      });
      const seconds = (performance.now() - started) / 1000;
      const total = Object.values(report).reduce((sum, n) => sum + n, 0);
      addRow({
        name: 'db:copy the synthetic database into PostgreSQL',
        value: Math.round(total / seconds),
        unit: 'rows/s',
        detail: `${total.toLocaleString('en')} rows in ${Object.keys(report).length} tables in ${seconds.toFixed(1)} s`,
      });
    }
    return { url, postmaster: cluster.postmaster, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
