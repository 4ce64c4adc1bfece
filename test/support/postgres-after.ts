import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// tap's `after` script (package.json): stops and deletes the PostgreSQL clusters the run's test files shared,
// whether they passed or failed. It runs as the tap runner's child, as the test files did. It does what
// postgres.ts's stopCluster(runHome(process.ppid)) does with Node's own modules only: importing postgres.ts
// (pg, the database copier, the template builder) cost each tap run about 2 s of CPU, at every run, even a
// run without a cluster (then there is nothing to do).
const home = join(tmpdir(), `upr-pg-run-${process.ppid}`);
/** utime, stime, cutime, cstime of a process, in ms (undefined when it has gone), and its parent. */
function times(pid: string): { cpu: number[]; parent: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpu: fields.slice(11, 15).map((ticks) => Number(ticks) * 10), parent: fields[1]! };
  } catch {
    return undefined;
  }
}

/**
 * With UPR_TEST_PROFILE (test/support/profile.mjs), a line per cluster before it stops: all the CPU its server
 * spent in the run (the postmaster, the backends it reaped and those still running), where the files' lines
 * count only the backends serving their own databases (not CREATE DATABASE, the templates' making, checkpoints).
 */
function profileClusters(profile: string): void {
  const processes = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  for (const kind of ['cluster', 'durable']) {
    const pidFile = join(home, kind, 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) continue;
    const postmaster = readFileSync(pidFile, 'utf8').split('\n')[0]!;
    const own = times(postmaster);
    if (own === undefined) continue;
    let ms = own.cpu.reduce((a, b) => a + b, 0);
    for (const pid of processes) {
      const child = times(pid);
      if (child?.parent === postmaster) ms += child.cpu[0]! + child.cpu[1]!;
    }
    appendFileSync(resolve(profile), `${JSON.stringify({ cluster: kind, cpuS: ms / 1000 })}\n`);
  }
}

if (existsSync(home)) {
  if (process.env.UPR_TEST_PROFILE) profileClusters(process.env.UPR_TEST_PROFILE);
  const script = fileURLToPath(new URL('../../scripts/pg-cluster.sh', import.meta.url));
  // Its files (every test's database: gigabytes) are deleted by a detached process, not before the run ends. The
  // crash test's durable cluster, when one was started, is stopped too (else it outlived the run, its files gone).
  await Promise.all(
    ['cluster', 'durable'].map(
      (kind) => new Promise((resolve) => execFile('bash', [script, 'stop', join(home, kind), '--delete-in-background'], { timeout: 60_000 }, resolve)),
    ),
  );
  rmSync(home, { recursive: true, force: true });
}
