import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// The real server as a child process (`src/server.ts`, as `npm start` runs it) on a given database file.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node arguments to run a TypeScript entry point (the server, a script) in a child process, loaded the way
 * this test process is: under tap, with tap's loader, so that the child's coverage merges with the tests'
 * (a child transpiled by another loader maps its coverage onto different code); else with tsx, as npm does.
 */
export const TS_NODE_ARGS = process.execArgv.length > 0 ? process.execArgv : ['--import', 'tsx'];

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
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: databasePath },
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
  for (const started = Date.now(); ; ) {
    if (gone) throw new Error(`server exited before listening:\n${output}`);
    if (Date.now() - started > 120_000) throw new Error(`server did not start:\n${output}`);
    const ready = await fetch(`${baseUrl}${readyPath}`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
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
