import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { copyTemplateDatabase } from '../test/support/template-db.js';

// The CPU of a full-text developments export of --matches matches (SQLite): the seeded database with that many
// developments more whose summary says "custody", exported as CSV and NDJSON --n times each through inject().
// `node --import tsx bench/development-fulltext-export.ts [--matches 2500] [--n 3]`

const { values } = parseArgs({ options: { matches: { type: 'string', default: '2500' }, n: { type: 'string', default: '3' } } });
const dir = mkdtempSync(join(tmpdir(), 'upr-tracker-devbench-'));
try {
  const path = join(dir, 'bench.sqlite');
  copyTemplateDatabase(path);
  const client = new Database(path);
  const insert = client.prepare(`insert into developments (id, state_code, review_id, title, summary, date, date_precision,
      period_start, period_end, direction, created_at, updated_at)
    values (?, 'KGZ', 'KGZ-3', ?, ?, ?, 'day', ?, ?, 'setback', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`);
  client.transaction(() => {
    for (let i = 0; i < Number(values.matches); i++) {
      const day = `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`;
      insert.run(`bench-dev-${i}`, `Detention report ${i}`, `A defender held in custody, case ${i}.`, day, day, day);
    }
    client.prepare("update meta set value = cast(value as integer) + 1 where key = 'revision'").run();
  })();
  client.close();
  const app = await buildApp({ databasePath: path, logLevel: 'warn', rateLimitMax: 1e9, rateLimitExportMax: 1e9, maxEventLoopDelayMs: 0 } as never);
  for (const format of ['csv', 'ndjson']) {
    const url = `/v1/developments?q=custody&format=${format}`;
    const cpu = process.cpuUsage();
    let lines = 0;
    for (let i = 0; i < Number(values.n); i++) {
      const response = await app.inject({ url, headers: { 'cache-control': 'no-cache' } });
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
      lines = response.body.trimEnd().split('\n').length;
    }
    const used = process.cpuUsage(cpu);
    console.log(`${url}: ${lines} lines, ${Math.round((used.user + used.system) / 1000 / Number(values.n))} ms CPU per export`);
  }
  await app.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
