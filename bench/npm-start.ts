import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/server-process.js';

// The cold start as a user sees it: `npm start` (npm, the prestart build, then the bundle) from spawn to
// the first 200 from /healthz. npm runs the server through a shell and does not pass SIGTERM on, so the
// whole process group is stopped, and the next start waits until the port is free again.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** npm's CLI: the one running this script (`npm run bench`), else the one installed beside node. */
const NPM_CLI = process.env.npm_execpath ?? join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

const answers = (url: string) => fetch(url).then((r) => r.ok, () => false);

/** Milliseconds from spawning `npm start` to the first 200 from /healthz. */
export async function npmStart(databasePath: string, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/healthz`;
  const started = performance.now();
  const npm = spawn(process.execPath, [NPM_CLI, 'start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: databasePath },
    stdio: 'ignore',
    detached: true,
  });
  let exited = false;
  npm.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error('npm start exited before answering /healthz');
      if (performance.now() - started > 120_000) throw new Error('npm start did not answer /healthz within 120 s');
      if (await answers(url)) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    try {
      process.kill(-npm.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    while (await answers(url)) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
