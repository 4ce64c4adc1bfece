import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// tap's `after` script (package.json): stops and deletes the PostgreSQL clusters the run's test files shared,
// whether they passed or failed. It runs as the tap runner's child, as the test files did. It does what
// postgres.ts's stopCluster(runHome(process.ppid)) does with Node's own modules only: importing postgres.ts
// (pg, the database copier, the template builder) cost each tap run about 2 s of CPU, at every run, even a
// run without a cluster (then there is nothing to do).
const home = join(tmpdir(), `upr-pg-run-${process.ppid}`);
if (existsSync(home)) {
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
