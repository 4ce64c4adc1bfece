import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/open.js';
import { importFile } from '../src/import/run.js';

// `node --import tsx bench/import-tables.ts OUT [files…]`: the check that a change to the importer leaves what it
// writes as it was. Imports the files (by default UPR Info's 4, as bench/import.ts does; `terman` stands for the
// corpus's 2008 and 2009 files, `upr-info` for UPR Info's 4) one after the other into a new database, with a fixed
// `now`, then writes every table's rows to OUT (each value with its SQLite type, rows ordered by every column;
// timestamps of the run itself, which the audit log and documents take from the clock, masked), OUT.summary (rows
// and a hash per table) and OUT.reports (the import reports). Run it on the code before and after, then
// `diff BEFORE.summary AFTER.summary` (the database is this script's own: imported as newDatabase, as the command line
// imports into a new DATABASE_PATH): sqlite_stat4 differs from run to run (SQLite's samples), and a migration
// adds its row to __drizzle_migrations (and sqlite_stat1 counts it).

const DATA = process.env.SHARED_DATA_DIR ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const NAMED: Record<string, string[]> = {
  'upr-info': ['1-5', '6-9', '10-13', '14-17'].map((s) => join(DATA, `upr-info-2008-2013/uprinfo_sessions_${s}.csv`)),
  terman: [2008, 2009].map((y) => join(DATA, `terman-upr-2008-2014/${y}data.csv`)),
};

const [out, ...given] = process.argv.slice(2);
if (out === undefined) {
  console.error('usage: node --import tsx bench/import-tables.ts OUT [upr-info | terman | FILE]…');
  process.exit(2);
}
const files = (given.length > 0 ? given : ['upr-info']).flatMap((name) => NAMED[name] ?? [name]);

const dir = mkdtempSync(join(tmpdir(), 'upr-import-tables-'));
const db = openDatabase(join(dir, 'tables.sqlite'));
try {
  const started = new Date().toISOString().slice(0, 10);
  const reports = [];
  for (const file of files) {
    reports.push(await importFile(db, { name: file, chunks: () => createReadStream(file) }, { actor: 'tables', now: '2026-01-01T00:00:00.000Z', newDatabase: true }));
  }
  const today = new Date().toISOString().slice(0, 10);
  const clock = new RegExp(`(?:${started}|${today})T\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z`, 'g');
  const shown = (v: unknown) => (Buffer.isBuffer(v) ? `blob:${v.toString('hex')}` : typeof v === 'string' ? v.replace(clock, '<now>') : v);
  const client = db.$client;
  const tables = client.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all() as string[];
  const lines: string[] = [];
  const summary: string[] = [];
  for (const table of tables) {
    const columns = client
      .prepare(`select * from "${table}" limit 0`)
      .columns()
      .map((c) => `"${c.name}"`);
    const rows = client
      .prepare(`select ${columns.map((c) => `typeof(${c}), ${c}`).join(', ')} from "${table}" order by ${columns.map((_, i) => 2 * i + 2).join(', ')}`)
      .raw()
      .all() as unknown[][];
    const hash = createHash('sha256');
    lines.push(`## ${table} (${columns.join(', ')}) ${rows.length} rows`);
    for (const row of rows) {
      const line = JSON.stringify(row.map(shown));
      hash.update(`${line}\n`);
      lines.push(line);
    }
    summary.push(`${table}\t${rows.length}\t${hash.digest('hex').slice(0, 16)}`);
  }
  writeFileSync(out, `${lines.join('\n')}\n`);
  writeFileSync(`${out}.summary`, `${summary.join('\n')}\n`);
  writeFileSync(`${out}.reports`, `${JSON.stringify(reports, null, 1)}\n`);
  console.log(summary.join('\n'));
} finally {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
