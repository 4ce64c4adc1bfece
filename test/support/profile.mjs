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
  // What each process seen is, read once: reading every process's command line at every sample cost ~5 ms
  // of this process's CPU (~300 processes during npm test), charged to the file it ran beside. A backend is
  // forked as the postmaster, so only a process found to be another program is taken as never ours. A pid
  // whose process has gone is forgotten (it could be reused).
  const others = new Set();
  let pgMs = 0;
  const sample = () => {
    const present = new Set();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      present.add(entry);
      if (others.has(entry)) continue;
      if (!seen.has(entry)) {
        let cmdline;
        try {
          cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        if (!cmdline.startsWith('postgres: ') || !cmdline.includes(marker)) {
          if (!/^(\/\S*\/)?postgres(\0|$)/.test(cmdline)) others.add(entry);
          continue;
        }
      }
      const cpu = times(entry);
      if (cpu === undefined) continue;
      const total = cpu[0] + cpu[1];
      pgMs += total - (seen.get(entry) ?? 0);
      seen.set(entry, total);
    }
    for (const entry of others) if (!present.has(entry)) others.delete(entry);
    for (const entry of seen.keys()) if (!present.has(entry)) seen.delete(entry); // counted up to its last sample
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
