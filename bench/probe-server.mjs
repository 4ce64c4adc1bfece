// What the by-hand probes of a built server share (bench/memory-ceiling.mjs, bench/scale-probe.mjs): their
// `--name value` options, and the built server started with the caller's environment, the rate limits and the
// connections per address raised and load shedding off so that every request reaches its route.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);

/** The value after `--name` on the command line, or `fallback`. */
export function opt(name, fallback) {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
}

/** dist/src/server.js on 127.0.0.1:port, with `nodeArgs` before it; `stdio` as child_process.spawn takes it. */
export function spawnServer(port, { nodeArgs = [], stdio }) {
  return spawn(process.execPath, [...nodeArgs, 'dist/src/server.js'], {
    env: {
      RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_KEY_MAX: '1000000',
      RATE_LIMIT_EXPORT_MAX: '1000000',
      // One client drives every request: 256 connections of one address would be its bound (session 39).
      MAX_CONNECTIONS_PER_ADDRESS: '1000000',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      LOG_LEVEL: 'warn',
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio,
  });
}
