import type { FastifyInstance } from 'fastify';
import { ConfigError, configFromEnv, loadEnv } from './config.js';
import { redactUrl } from './db/pg/url.js';

// Reads the environment, starts the service, and shuts it down gracefully on SIGTERM/SIGINT/SIGHUP: it stops
// accepting connections, lets the requests in flight (exports included) finish within SHUTDOWN_GRACE_MS,
// closes the database and exits 0. Requests still running when the grace period ends are cut off, and the
// exit code is then 1. The app's modules are loaded once the environment is read: a wrong one is said at once.
let env;
try {
  env = loadEnv(process.env);
} catch (error) {
  console.error((error as ConfigError).message);
  process.exit(1);
}

const config = configFromEnv(env);
const { buildApp } = await import('./app.js');
let app: FastifyInstance;
try {
  app = await buildApp(config);
} catch (error) {
  if (config.databaseUrl === undefined) {
    // A file SQLite cannot serve (a directory, not a database, damaged), or the write lock held by another process.
    const failure = (await import('./db/open.js')).databaseFailure(error);
    if (failure === undefined) throw error;
    console.error(`DATABASE_PATH (${config.databasePath}): could not serve from SQLite: ${failure}`);
    process.exit(1);
  }
  // drizzle wraps the driver's error ("Failed query: …"): its cause says what went wrong (ECONNREFUSED, …).
  const { cause, message } = error as Error;
  console.error(`DATABASE_URL (${redactUrl(config.databaseUrl)}): could not serve from PostgreSQL: ${(cause as Error | undefined)?.message ?? message}`);
  process.exit(1);
}

async function shutDown(signal: NodeJS.Signals): Promise<void> {
  app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: finishing the requests in flight');
  let cutOff = false;
  const deadline = setTimeout(() => {
    cutOff = true;
    app.log.error({ graceMs: config.shutdownGraceMs }, 'grace period over: closing the connections still open');
    app.server.closeAllConnections();
  }, config.shutdownGraceMs);
  deadline.unref();
  // server.close() only closes the keep-alive connections idle at that moment: one whose request (a long
  // export, say) finishes later would hold the process until its keep-alive timeout. Close those too.
  const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
  idleSweep.unref();
  const failure = await app.close().then(() => undefined, (error: unknown) => error);
  clearInterval(idleSweep);
  clearTimeout(deadline);
  // The connections cut off close after the server does: their requests' lines (request-log.ts) come first.
  if (cutOff) await app.requestsClosed();
  const clean = !cutOff && failure === undefined;
  app.log[clean ? 'info' : 'error']({ clean, err: failure }, 'stopped');
  process.exit(clean ? 0 : 1);
}

// What the service runs with, once its database is open (DATABASE_URL without its password).
const { logStream: _stream, databaseUrl, databasePath, ...settings } = config;
app.log.info(
  {
    config: { ...(databaseUrl === undefined ? { databasePath } : { databaseUrl: redactUrl(databaseUrl) }), ...settings, host: env.HOST, port: env.PORT },
  },
  `configuration in effect: ${databaseUrl === undefined ? 'SQLite' : 'PostgreSQL'}, log level ${config.logLevel}`,
);

// SIGHUP too: a terminal or SSH session closed under `npm start` killed the service at once, cutting an export mid-row.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, (name) => void shutDown(name));

try {
  await app.listen({ port: env.PORT, host: env.HOST });
} catch (error) {
  app.log.error({ err: error }, 'could not start');
  await app.close();
  process.exit(1);
}
