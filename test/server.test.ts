import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { openDatabase } from '../src/db/open.js';
import { HRW_SOURCE, TS_NODE_ARGS } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';
import { compiledServerArgs, untilOutput, untilRefused } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

// The real server, as `npm start` runs it, in a child process: start-up, and graceful shutdown.

interface Server {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  output: () => string;
}

async function startServer(t: Test, env: Record<string, string>, nodeArgs = [...TS_NODE_ARGS, 'src/server.ts']): Promise<Server> {
  const child = spawn(process.execPath, nodeArgs, {
    // Load shedding off: on a busy machine the request in flight would be answered 503 before it began.
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  // A start under load can take minutes (over two were seen with 8 test runs on 2 cores): the bound only
  // turns a start that never comes into a failure that shows the output, well within tap's timeout.
  const deadline = Date.now() + 600_000;
  for (;;) {
    const listening = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    if (listening) return { child, port: Number(listening[1]), exited, output: () => output };
    if (child.exitCode !== null || Date.now() > deadline) return { child, port: 0, exited, output: () => output };
    await sleep(25);
  }
}

/** A copy of the migrated and seeded template (migrating and seeding a new file costs ~0.3 s of CPU), with a key. */
function databaseWithKey(t: Test): { databasePath: string; key: string } {
  const databasePath = join(tempDir(t), 'server.sqlite');
  copyTemplateDatabase(databasePath);
  const db = openDatabase(databasePath);
  const { key } = createApiKey(db, 'server-test', 'write');
  db.$client.close();
  return { databasePath, key };
}

const ASSESSMENT = JSON.stringify({
  recommendationId: 'KGZ-3-FIN-1',
  status: 'not_implemented',
  assessedOn: '2021-06-01',
  rationale: 'Still no investigation.',
  sources: [HRW_SOURCE],
});

/**
 * A POST whose body is sent in two parts, the second when `finish` is called. `started` resolves once the
 * server has the request (its `100 Continue`, sent when it has read the headers and begun the request).
 */
function slowPost(port: number, key: string) {
  const handle = {
    finish: () => {},
    started: undefined as unknown as Promise<void>,
    response: undefined as unknown as Promise<{ status: number; body: string }>,
  };
  let started = () => {};
  handle.started = new Promise((resolve) => (started = resolve));
  handle.response = new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/assessments',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          expect: '100-continue',
        },
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.on('continue', started);
    req.write(ASSESSMENT.slice(0, 40));
    handle.finish = () => req.end(ASSESSMENT.slice(40));
  });
  // Observed from the start: a rejection before the test awaits it is not an unhandled one.
  handle.response.catch(() => {});
  return handle;
}

t.test('SIGTERM: stops accepting, finishes the request in flight, closes the database, exits 0', async (t) => {
  const { databasePath, key } = databaseWithKey(t);
  // Compiled (as npm start runs it; a start from the sources costs seconds of CPU): the lines of a shutdown
  // are the sources' in the test of the grace period below, which runs them all.
  const server = await startServer(t, { DATABASE_PATH: databasePath, SHUTDOWN_GRACE_MS: '600000' }, await compiledServerArgs());
  t.ok(server.port > 0, server.output());
  const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
  t.equal(ready.status, 200);

  const inFlight = slowPost(server.port, key);
  await inFlight.started;
  server.child.kill('SIGTERM');
  await untilOutput(server.output, /shutting down/);
  await untilRefused(`http://127.0.0.1:${server.port}/healthz`);
  t.pass('it accepts no new connection');
  t.equal(server.child.exitCode, null, 'the server waits for the request in flight');
  inFlight.finish();
  const answered = await inFlight.response;
  t.equal(answered.status, 201, 'the request in flight is answered in full');
  t.equal(JSON.parse(answered.body).recommendationId, 'KGZ-3-FIN-1');
  t.equal(await server.exited, 0);
  t.match(server.output(), /shutting down/);
  t.match(server.output(), /"clean":true/);

  const db = openDatabase(databasePath, { seed: false });
  t.equal(db.$client.prepare('select count(*) from assessments where assessed_on = ?').pluck().get('2021-06-01'), 1, 'its write is durable');
  t.equal(db.$client.pragma('integrity_check', { simple: true }), 'ok');
  db.$client.close();
});

t.test('a host in another time zone and language gives the same bytes; SIGINT on an idle server exits 0 at once', async (t) => {
  const { databasePath } = databaseWithKey(t);
  // A grace period longer than the test's timeout: an idle server that waited for it would fail the test.
  // Compiled, as above. UTC+14 and Czech, whose collation sorts "ch" after "h": this process's answers are the reference.
  const host = { TZ: 'Pacific/Kiritimati', LANG: 'cs_CZ.UTF-8', LC_ALL: 'cs_CZ.UTF-8', PUBLIC_URL: 'https://upr.example.org' };
  const server = await startServer(t, { DATABASE_PATH: databasePath, SHUTDOWN_GRACE_MS: '3600000', ...host }, await compiledServerArgs());
  t.ok(server.port > 0, server.output());
  const reference = await buildTestApp(t, { databasePath, publicUrl: host.PUBLIC_URL });
  for (const url of [
    '/v1/recommendations?recommendingState=CXE', // did you mean CHE (Switzerland), CZE (Czechia)? (CZE first in Czech)
    '/v1/recommendations?stateUnderReview=KGZ&format=csv',
    '/v1/developments?from=2020-07&to=2020-07&format=ndjson',
    '/v1/stats/developments?groupBy=direction,year',
    '/v1/reviews/KGZ-3/summary',
    '/v1/changes?since=2020-07-25&limit=20',
  ]) {
    const there = await fetch(`http://127.0.0.1:${server.port}${url}`, { headers: { 'accept-encoding': 'identity' } });
    const here = await reference.inject({ method: 'GET', url, headers: { 'accept-encoding': 'identity' } });
    t.equal(there.status, here.statusCode, url);
    t.equal(there.headers.get('etag'), here.headers.etag ?? null, `${url}: ETag`);
    t.equal(await there.text(), here.body, `${url}: body`);
  }
  server.child.kill('SIGINT');
  t.equal(await server.exited, 0);
  t.match(server.output(), /"clean":true/);
});

t.test('SIGHUP (a closed terminal) shuts down as SIGTERM does: a request still running when the grace period ends is cut off, and the exit code says so', async (t) => {
  const { databasePath, key } = databaseWithKey(t);
  // From the sources (src/server.ts is covered by this file's children): this shutdown runs every line of one.
  const server = await startServer(t, { DATABASE_PATH: databasePath, SHUTDOWN_GRACE_MS: '300' });
  t.ok(server.port > 0, server.output());
  const stuck = slowPost(server.port, key);
  await stuck.started;
  server.child.kill('SIGHUP'); // it killed the process at once (exit by signal, the request cut without a word)
  await t.rejects(stuck.response, 'the client sees its connection closed');
  t.equal(await server.exited, 1);
  t.match(server.output(), /grace period over/);
  // Which request was cut off: it was in no line.
  t.match(server.output(), /"url":"\/v1\/assessments".*"msg":"request cut off: the connection closed before the answer was sent whole"/);
  t.match(server.output(), /"databasePath":"[^"]+server\.sqlite".*"msg":"configuration in effect: SQLite, log level info"/, 'the start says what it runs with');
});

t.test('start-up failures exit 1 with a message', async (t) => {
  const { databasePath } = databaseWithKey(t);
  const badEnv = await startServer(t, { DATABASE_PATH: databasePath, PORT: 'eighty' });
  t.equal(await badEnv.exited, 1);
  t.match(badEnv.output(), /PORT/);
  const badLimit = await startServer(t, { DATABASE_PATH: databasePath, IMPORT_BODY_LIMIT_BYTES: '20MiB' });
  t.equal(await badLimit.exited, 1);
  t.match(badLimit.output(), /Invalid environment:\n {2}IMPORT_BODY_LIMIT_BYTES: expected a whole number \(digits 0-9\)/);

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const taken = await startServer(t, { DATABASE_PATH: databasePath, PORT: String(port) });
  t.equal(await taken.exited, 1);
  t.match(taken.output(), /could not start/);
});
