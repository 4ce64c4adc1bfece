import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sourceHash } from './template-db.js';

// The real server as a child process (`src/server.ts`, as `npm start` runs it) on a given database file.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node arguments to run a TypeScript entry point (the server, a script) in a child process, loaded the way
 * this test process is: under tap, with tap's loader, so that the child's coverage merges with the tests'
 * (a child transpiled by another loader maps its coverage onto different code); else with tsx, as npm does.
 */
export const TS_NODE_ARGS = process.execArgv.length > 0 ? process.execArgv : ['--import', 'tsx'];

let bundle: Promise<string> | undefined;

/**
 * Node arguments to run the server compiled, as `npm start` does (scripts/build.mjs's bundle): for tests of
 * what the server does under load or at a signal, whose children would otherwise each spend seconds of CPU
 * loading the TypeScript sources (src/server.ts itself is covered by server.test.ts, which runs the sources).
 * Built once per version of the sources into dist/test-<hash>/, beside dist/src/ (which `npm run build`
 * rewrites): each process builds into a folder of its own, renamed into place; the first rename
 * wins and the others' folders are dropped.
 */
export async function compiledServerArgs(): Promise<string[]> {
  bundle ??= (async () => {
    const key = createHash('sha256')
      .update(sourceHash())
      .update(readFileSync(join(ROOT, 'package-lock.json')))
      .update(readFileSync(join(ROOT, 'scripts/build.mjs')))
      .digest('hex')
      .slice(0, 12);
    const folder = `test-${key}`;
    const path = join(ROOT, 'dist', folder, 'server.js');
    if (!existsSync(path)) {
      const own = `${folder}-${process.pid}`;
      await promisify(execFile)(process.execPath, ['scripts/build.mjs', `--outfile=dist/${own}/server.js`], { cwd: ROOT });
      try {
        renameSync(join(ROOT, 'dist', own), join(ROOT, 'dist', folder));
      } catch {
        rmSync(join(ROOT, 'dist', own), { recursive: true, force: true }); // built meanwhile by another process
      }
      // Bundles of earlier sources.
      for (const name of readdirSync(join(ROOT, 'dist'))) {
        if (/^test-[0-9a-f]{12}$/.test(name) && name !== folder) rmSync(join(ROOT, 'dist', name), { recursive: true, force: true });
      }
    }
    return path;
  })();
  return [await bundle];
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the server (or, with `nodeArgs`, another entry point) and waits until /readyz answers 200. */
export async function startServer(
  databasePath: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [...TS_NODE_ARGS, 'src/server.ts'],
  readyPath = '/readyz',
): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    // Load shedding off unless `env` turns it on: a start on a busy machine delays the event loop past the
    // default bound, and the server would answer the test's first requests with 503.
    env: { ...process.env, LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0', ...env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: databasePath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  // Polled every 10 ms at first, then less often (up to every 100 ms): a refused fetch costs half a
  // millisecond of CPU, and a start on a loaded machine takes seconds.
  for (let started = Date.now(), interval = 10; ; interval = Math.min(100, interval * 1.5)) {
    if (gone) throw new Error(`server exited before listening:\n${output}`);
    // Generous: a start on a loaded machine took over two minutes; this only says why a start never came.
    if (Date.now() - started > 600_000) throw new Error(`server did not start:\n${output}`);
    const ready = await fetch(`${baseUrl}${readyPath}`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  return { child, baseUrl, output: () => output, exited };
}

/** SIGTERM, and the exit that follows (at once when the process has already gone). */
export async function stopServer(server: ServerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  return server.exited;
}

/** Resolves once `pattern` appears in a child's output (a log line), polled until the test's timeout. */
export async function untilOutput(output: () => string, pattern: RegExp): Promise<void> {
  while (!pattern.test(output())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * Resolves once a new connection to `url` is refused, as after a server has begun shutting down. Until its
 * listener closes, a closing server answers a new request with a 503: any other answer is an error.
 */
export async function untilRefused(url: string): Promise<void> {
  for (;;) {
    const status = await fetch(url).then((response) => response.status, () => 'refused' as const);
    if (status === 'refused') return;
    if (status !== 503) throw new Error(`${url} answered ${status} while the server was shutting down`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
