import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { configFromEnv, loadEnv } from '../src/config.js';
import { pgCpuMicros } from './postgres.js';

// The CPU one request costs on PostgreSQL, in process (no socket, no load generator sharing the cores): node's
// (process.cpuUsage) and the database server's (its postmaster and backends, /proc, 10 ms ticks), per request
// over --n requests of each path made one after another through inject(), after --warm of each.
// `node --import tsx bench/pg-read-cost.ts --url postgres://… --cluster DIR [--n 500] PATH…`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    cluster: { type: 'string' },
    n: { type: 'string', default: '500' },
    warm: { type: 'string', default: '20' },
    header: { type: 'string', multiple: true, default: ['cache-control: no-cache'] },
  },
});
const postmaster = Number(readFileSync(join(values.cluster!, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
const app = await buildApp(configFromEnv(loadEnv({ ...process.env, DATABASE_URL: values.url, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000' })));
const headers = Object.fromEntries(values.header.map((h) => h.split(/:\s*/, 2) as [string, string]));
const n = Number(values.n);
for (const path of positionals) {
  for (let i = 0; i < Number(values.warm); i++) await app.inject({ url: path, headers });
  const db = pgCpuMicros(postmaster);
  const node = process.cpuUsage();
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const response = await app.inject({ url: path, headers });
    if (response.statusCode >= 400) throw new Error(`${path}: ${response.statusCode} ${response.body}`);
    bytes += response.rawPayload.length;
  }
  const used = process.cpuUsage(node);
  console.log(
    `${path}: node ${Math.round((used.user + used.system) / n)} µs, PostgreSQL ${Math.round((pgCpuMicros(postmaster) - db) / n)} µs per request (${Math.round(bytes / n)} bytes)`,
  );
}
await app.close();
