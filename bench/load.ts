import { execFile, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';

// The benchmark's load generators. wrk (C, Debian's `wrk`) is the default: autocannon parses every response
// in JavaScript on the same two cores as the server, which for a 73 KB body costs the client more CPU than
// the server spends answering (the cached list measured 0.20× with autocannon and 0.35–0.48× with wrk, against
// the same bare route). autocannon stays as the fallback when wrk cannot be installed, and for runs of a
// fixed number of requests (wrk only runs for a duration).

export type Client = 'wrk' | 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds; wrk needs it, autocannon takes it unless `amount` is given. */
  duration: number;
  /** A fixed number of requests (autocannon only). */
  amount?: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  client: Client;
  requests: { average: number; total: number };
  /** Latency percentiles, in milliseconds. */
  latency: { p50: number; p99: number };
  /** Errors, timeouts and 4xx/5xx responses (a 304 is not one), and what they were. */
  failed: number;
  failures: string;
  /** The client's own CPU time, in seconds. */
  clientCpu: number;
}

/** Whether wrk runs here; installs Debian's package when it is missing and we are root. */
export function ensureWrk(say: (message: string) => void = () => {}): boolean {
  const present = () => spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
  if (present()) return true;
  if (process.getuid?.() !== 0) return false;
  say('installing wrk (apt-get) …');
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore' }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    install();
  }
  return present();
}

const MILLISECONDS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Reads wrk's report (run with --latency); the shell appends the client's CPU ticks (see runWrk). */
export function parseWrk(output: string): Omit<LoadResult, 'client' | 'clientCpu'> {
  const field = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`wrk's report has no ${pattern}:\n${output}`);
    return match;
  };
  const percentile = (p: number) => {
    const [, value, unit] = field(new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    return Math.round(Number(value) * MILLISECONDS[unit!]! * 100) / 100;
  };
  const total = Number(field(/^\s+(\d+) requests in /m)[1]);
  const average = Number(field(/^Requests\/sec:\s+([\d.]+)$/m)[1]);
  const non2xx3xx = Number(/^\s+Non-2xx or 3xx responses: (\d+)$/m.exec(output)?.[1] ?? 0);
  const socket = /^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$/m.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0;
  return {
    requests: { average, total },
    latency: { p50: percentile(50), p99: percentile(99) },
    failed: non2xx3xx + socketErrors,
    failures: [non2xx3xx ? `${non2xx3xx} responses not 2xx or 3xx` : '', socket && socketErrors ? socket[0].trim() : '']
      .filter(Boolean)
      .join('; '),
  };
}

function runWrk(options: LoadOptions): Promise<LoadResult> {
  const headers = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const wrk = ['wrk', '-t1', `-c${options.connections}`, `-d${options.duration}s`, '--latency', ...headers, options.url];
  // The shell waits for wrk, then prints its own /proc stat, whose cutime and cstime are wrk's CPU ticks.
  const script = '"$@" && echo "client-ticks $(cut -d" " -f16,17 /proc/$$/stat)"';
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script, 'sh', ...wrk], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) return reject(new Error(`wrk ${options.url}: ${error.message}`));
      const ticks = /^client-ticks (\d+) (\d+)$/m.exec(stdout);
      resolve({ client: 'wrk', clientCpu: ticks ? (Number(ticks[1]) + Number(ticks[2])) / 100 : NaN, ...parseWrk(stdout) });
    });
  });
}

async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const before = process.cpuUsage();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
    headers: options.headers ?? {},
  });
  const cpu = process.cpuUsage(before);
  // autocannon counts a 304 among the non-2xx responses: only errors, timeouts, 4xx and 5xx are failures.
  const failed = result.errors + result.timeouts + result['4xx'] + result['5xx'];
  return {
    client: 'autocannon',
    requests: { average: result.requests.average, total: result.requests.total },
    latency: { p50: result.latency.p50, p99: result.latency.p99 },
    failed,
    failures: failed ? JSON.stringify(result.statusCodeStats) : '',
    clientCpu: (cpu.user + cpu.system) / 1e6,
  };
}

/** One load run with the given client; a fixed `amount` always runs with autocannon. */
export function load(client: Client, options: LoadOptions): Promise<LoadResult> {
  return client === 'wrk' && !options.amount ? runWrk(options) : runAutocannon(options);
}
