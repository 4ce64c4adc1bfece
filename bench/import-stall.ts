import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../src/auth/keys.js';
import { openDatabase } from '../src/db/open.js';
import { type ServerProcess, startServer, stopServer } from '../test/support/server-process.js';
import type { BenchRow } from './row.js';

// The service while it imports over HTTP (POST /v1/imports): a Terman CSV of the shared data (2010, 2.3 MB) as
// a dry run, three times, while a client asks for /healthz every 10 ms; the slowest answer during the second and
// third imports (the first starts the import thread and loads the tagger's model), with the import in its
// worker thread (IMPORT_THREAD_MIN_BYTES, the default) and, for comparison, in the request's thread (a limit
// above the file's size). Skipped without ../shared/data.

const DATA = process.env.SHARED_DATA_DIR ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const FILE = join(DATA, 'terman-upr-2008-2014/2010data.csv');

interface Stall {
  /** The slowest /healthz answer during the measured imports (ms). */
  worst: number;
  /** /healthz answers per second of import. */
  rate: number;
  /** How long each measured import took (ms). */
  imports: number[];
}

async function stall(server: ServerProcess, key: string, file: Buffer): Promise<Stall> {
  let worst = 0;
  let answered = 0;
  let measuring = false;
  let done = false;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      await (await fetch(`${server.baseUrl}/healthz`)).arrayBuffer();
      if (measuring) {
        worst = Math.max(worst, performance.now() - started);
        answered += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const imports: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      measuring = i > 0;
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}/v1/imports?dryRun=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
        body: new Uint8Array(file),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`import: ${response.status}`);
      if (i > 0) imports.push(performance.now() - started);
    }
  } finally {
    done = true;
    await probe;
  }
  const seconds = imports.reduce((a, b) => a + b, 0) / 1000;
  return { worst, rate: answered / seconds, imports };
}

export async function importStallBench(dir: string, nodeArgs: string[], env: Record<string, string>, progress: (line: string) => void): Promise<BenchRow[]> {
  if (!existsSync(FILE)) return [];
  progress('the service while it imports …');
  const file = readFileSync(FILE);
  const seeded = join(dir, 'import-stall.sqlite');
  // A seeded database and a key (the server migrates and seeds a new file at its first start).
  const first = await startServer(seeded, env, nodeArgs);
  await stopServer(first);
  const db = openDatabase(seeded);
  const { key } = createApiKey(db, 'bench', 'admin');
  db.$client.close();
  const measured: Record<'thread' | 'inline', Stall> = {} as never;
  for (const [name, minBytes] of [['thread', '65536'], ['inline', String(file.length + 1)]] as const) {
    const path = join(dir, `import-stall-${name}.sqlite`);
    copyFileSync(seeded, path);
    const server = await startServer(path, { ...env, IMPORT_THREAD_MIN_BYTES: minBytes }, nodeArgs);
    try {
      measured[name] = await stall(server, key, file);
    } finally {
      await stopServer(server);
    }
  }
  const { thread, inline } = measured;
  const ms = (values: number[]) => values.map((v) => Math.round(v)).join(' / ');
  return [
    {
      name: 'import over HTTP (2.3 MB CSV): slowest /healthz meanwhile',
      value: Math.round(thread.worst),
      unit: 'ms',
      target: '≤ 100 ms (the service answers while it imports)',
      met: thread.worst <= 100,
      detail:
        `import thread: ${thread.rate.toFixed(0)} /healthz answered per second of import (asked every 10 ms), imports ${ms(thread.imports)} ms; ` +
        `in the request's thread instead: slowest ${Math.round(inline.worst)} ms, ${inline.rate.toFixed(0)} answered per second, imports ${ms(inline.imports)} ms`,
    },
  ];
}
