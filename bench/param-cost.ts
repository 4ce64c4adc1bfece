import { buildApp } from '../src/app.js';
import { configFromEnv, loadEnv } from '../src/config.js';

// Server CPU of one request (process.cpuUsage around inject(), median of N) and its wall time (on PostgreSQL, the
// database's time is in it) as one input grows.
// `DATABASE_PATH=… node --import tsx bench/param-cost.ts CASEFILE.mjs` where CASEFILE exports
// `cases: { name, sizes, make(n) => inject options }[]`.
const file = process.argv[2]!;
const { cases } = await import(file);
const app = await buildApp(configFromEnv(loadEnv({ ...process.env, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000000', RATE_LIMIT_EXPORT_MAX: '1000000000', MAX_EVENT_LOOP_DELAY_MS: '0' })));
const n = Number(process.env.N ?? 3);
for (const c of cases) {
  const cells: string[] = [];
  for (const size of c.sizes) {
    const options = c.make(size);
    options.headers = { 'cache-control': 'no-cache', ...(options.headers ?? {}) };
    const times: number[] = [];
    const walls: number[] = [];
    let status = 0;
    let bytes = 0;
    let detail = '';
    for (let i = 0; i < n; i++) {
      const before = process.cpuUsage();
      const started = performance.now();
      const response = await app.inject(options);
      walls.push(performance.now() - started);
      const used = process.cpuUsage(before);
      times.push((used.user + used.system) / 1000);
      status = response.statusCode;
      bytes = response.rawPayload.length;
      if (status >= 400) detail = response.body.slice(0, 160);
    }
    times.sort((a, b) => a - b);
    walls.sort((a, b) => a - b);
    cells.push(`${size}:${times[Math.floor(n / 2)]!.toFixed(1)}ms(wall ${walls[Math.floor(n / 2)]!.toFixed(0)})/${status}/${bytes}B`);
    if (status >= 500 || (status >= 400 && !c.expect4xx)) cells.push(`[${detail}]`);
  }
  console.log(`${c.name}\t${cells.join('  ')}`);
}
await app.close();
