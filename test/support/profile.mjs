import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Where a shard's time goes (UPR_TEST_PROFILE=<file> npm test): per test file, its wall time, this process's
// CPU (user + system), its children's (servers, Chromium, tsc, pg_restore: reaped children, /proc's cutime and
// cstime) and the PostgreSQL server's CPU for the file's databases: the backends serving `test_<pid>_<n>` (this
// shard's databases, test/support/postgres.ts), sampled every 200 ms from /proc (a backend that ends between two
// samples loses its last 200 ms; the connections to the cluster's `postgres` database — CREATE DATABASE — count
// for no file). One JSON line per file, appended to the file. Linux only; off unless asked.

const TICK_MS = 10; // /proc's clock ticks: 100 a second (getconf CLK_TCK)

/** utime, stime, cutime, cstime of a process, in ms (undefined when it has gone). */
function times(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).map((ticks) => Number(ticks) * TICK_MS);
}

export function profiler(output) {
  const marker = `test_${process.pid}_`;
  const seen = new Map(); // backend pid -> its CPU so far
  let pgMs = 0;
  const sample = () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let cmdline;
      try {
        cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmdline.startsWith('postgres: ') || !cmdline.includes(marker)) continue;
      const cpu = times(entry);
      if (cpu === undefined) continue;
      const total = cpu[0] + cpu[1];
      pgMs += total - (seen.get(entry) ?? 0);
      seen.set(entry, total);
    }
  };
  const timer = setInterval(sample, 200);
  timer.unref();
  return async (name, run) => {
    sample();
    const [pg0, cpu0, self0, wall0] = [pgMs, process.cpuUsage(), times(process.pid), performance.now()];
    try {
      return await run();
    } finally {
      sample();
      const cpu = process.cpuUsage(cpu0);
      const self = times(process.pid);
      appendFileSync(
        output,
        `${JSON.stringify({
          file: name,
          wallS: (performance.now() - wall0) / 1000,
          cpuS: (cpu.user + cpu.system) / 1e6,
          childrenS: (self[2] + self[3] - self0[2] - self0[3]) / 1000,
          pgS: (pgMs - pg0) / 1000,
        })}\n`,
      );
    }
  };
}
