import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Test } from 'tap';
import { copyDatabase } from '../../src/db/copy/copy.js';

// A real PostgreSQL server for a test file: one throwaway cluster (scripts/pg-cluster.sh) per file, shared by
// its tests, each of which takes a fresh empty database in it. Skipped with the reason when none can be had.

const run = promisify(execFile);
export const CLUSTER_SCRIPT = fileURLToPath(new URL('../../scripts/pg-cluster.sh', import.meta.url));

export type Cluster = { url: string } | { skip: string };

/**
 * Starts a cluster (installing PostgreSQL first when missing and we are root), stopped and deleted when `t`
 * ends; or the reason it could not start. The first start may install a package: a generous timeout.
 */
export async function startCluster(t: Test, script = CLUSTER_SCRIPT): Promise<Cluster> {
  const parent = mkdtempSync(join(tmpdir(), 'upr-pg-test-'));
  const dir = join(parent, 'cluster');
  t.teardown(async () => {
    await run('bash', [script, 'stop', dir], { timeout: 60_000 }).catch(() => undefined);
    rmSync(parent, { recursive: true, force: true });
  });
  try {
    const { stdout } = await run('bash', [script, 'start', dir], { timeout: 300_000 });
    return { url: stdout.trim() };
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    return { skip: `PostgreSQL could not be started, its tests are skipped: ${(stderr || message).trim()}` };
  }
}

let databases = 0;

/** A new empty database in the cluster, its URL. */
export async function createDatabase(clusterUrl: string): Promise<string> {
  const name = `test_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** A new database in the cluster holding a copy of the SQLite database at `sqlitePath` (npm run db:copy's copy). */
export async function copiedDatabase(clusterUrl: string, sqlitePath: string): Promise<string> {
  const url = await createDatabase(clusterUrl);
  await copyDatabase({ kind: 'sqlite', path: sqlitePath }, { kind: 'postgres', url });
  return url;
}
