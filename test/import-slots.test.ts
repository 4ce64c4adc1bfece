import { once } from 'node:events';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import type { RunImport } from '../src/import/run.js';
import { ImportSlots } from '../src/import/slots.js';
import { ImportError } from '../src/import/types.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, postgresSide, sqliteOnly } from './helpers.js';
import { bareImportApp } from './import-helpers.js';

// MAX_CONCURRENT_IMPORTS: one import more than that is a prompt 503 with Retry-After, and a slot is freed on every
// path (src/import/slots.ts). Deterministic: an import is held in its slot by a body the test has not finished
// sending, or by a run the test has not let finish; the slots say when one is taken or freed ('change').

const TERMAN =
  'text,to,decision,From,year,notes\r' +
  '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\r';

/** Resolves once `slots` has `active` slots taken (at once if it has). */
async function until(slots: ImportSlots, active: number): Promise<void> {
  while (slots.active !== active) await once(slots, 'change');
}

function post(app: FastifyInstance, key: string, payload: string | PassThrough, type = 'text/csv') {
  return app.inject({
    method: 'POST',
    url: '/v1/imports?dryRun=true',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    payload,
  });
}

t.test('one import more than MAX_CONCURRENT_IMPORTS is a prompt 503 with Retry-After; the slot is freed after', async (t) => {
  const app = await buildTestApp(t, { maxConcurrentImports: 1, pressureRetryAfterSeconds: 7 });
  const key = mintKey(app, 'admin', 'dashboard');
  const slots = app.importSlots;
  t.equal(slots.max, 1);

  // The first import holds its slot while its body is still coming.
  const body = new PassThrough();
  const first = post(app, key, body);
  await until(slots, 1);
  body.write(TERMAN.slice(0, 40));
  const second = await post(app, key, TERMAN);
  t.equal(second.statusCode, 503);
  t.match(second.headers['content-type'], /^application\/problem\+json/);
  t.equal(second.headers['retry-after'], '7');
  t.equal(second.headers['access-control-allow-origin'], '*', 'CORS: a browser script may read the 503');
  t.match(second.headers['access-control-expose-headers'], /\bRetry-After\b/, 'and its Retry-After');
  t.match(second.json().detail, /1 import is running, as many as this service runs at once; nothing was imported/);
  const form = await app.inject({
    method: 'POST',
    url: '/v1/imports',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'multipart/form-data; boundary=B' },
    payload: `--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${TERMAN}\r\n--B--\r\n`,
  });
  t.equal(form.statusCode, 503, 'a form too');
  const unauthorized = await post(app, 'uprk_nope_nope', TERMAN);
  t.equal(unauthorized.statusCode, 401, 'a request without a valid key is refused for that, and takes no slot');
  t.equal(slots.active, 1);
  body.end(TERMAN.slice(40));
  t.equal((await first).statusCode, 200, 'the held import completes');
  await until(slots, 0);

  // Each answer frees the slot: 200, 400 (empty), 422 (not a format), 415 is refused before (no parser).
  t.equal((await post(app, key, TERMAN)).statusCode, 200);
  t.equal(slots.active, 0, 'after a 200');
  t.equal((await post(app, key, '')).statusCode, 400);
  t.equal(slots.active, 0, 'after a 400');
  t.equal((await post(app, key, 'a,b\n1,2\n')).statusCode, 422);
  t.equal(slots.active, 0, 'after a 422');
  t.equal((await post(app, key, TERMAN, 'application/json')).statusCode, 415);
  t.equal(slots.active, 0, 'after a 415');
});

t.test('a client gone mid-upload frees its slot', async (t) => {
  const app = await buildTestApp(t, { maxConcurrentImports: 1 });
  const key = mintKey(app, 'admin', 'dashboard');
  // (On PostgreSQL the key is stored asynchronously: inject waits for it, a socket of our own does not.)
  await postgresSide(app)?.pending;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const socket = net.connect((app.server.address() as net.AddressInfo).port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    `POST /v1/imports?dryRun=true HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: text/csv\r\nContent-Length: ${TERMAN.length}\r\n\r\n${TERMAN.slice(0, 20)}`,
  );
  await until(app.importSlots, 1);
  socket.destroy();
  await until(app.importSlots, 0);
  t.equal((await post(app, key, TERMAN)).statusCode, 200, 'the next import runs');
});

/** The import route on a bare app (SQLite), its imports run by `run`, one at a time. */
async function bareApp(t: Test, run: (real: RunImport) => RunImport) {
  const slots = new ImportSlots(1, 10);
  const { app, key } = await bareImportApp(t, { slots }, run);
  return { app, slots, key };
}

type Outcome = 'import' | Error;

/**
 * A run the test lets finish: `started` resolves when it begins; `finish('import')` then runs the real import,
 * `finish(error)` fails with the error.
 */
function heldRun() {
  let begin!: () => void;
  const started = new Promise<void>((resolve) => (begin = resolve));
  let settle!: (outcome: Outcome) => void;
  const decided = new Promise<Outcome>((resolve) => (settle = resolve));
  const run =
    (real: RunImport): RunImport =>
    async (source, options) => {
      begin();
      const outcome = await decided;
      if (outcome instanceof Error) throw outcome;
      return real(source, options);
    };
  return { run, started, finish: settle };
}

t.test('an import holds its slot while it runs, and frees it however it ends (200, 4xx, 5xx, client gone)', async (t) => {
  if (sqliteOnly(t, 'the route plugin on a bare app over SQLite, its imports run by the test')) return;
  let held = heldRun();
  const { app, slots, key } = await bareApp(t, (real) => (source, options) => held.run(real)(source, options));

  const outcomes: [what: string, outcome: Outcome, status: number][] = [
    ['an import', 'import', 200],
    ['a file that cannot be imported', new ImportError('Not a readable CSV file.'), 422],
    ['a failure', new Error('the disk is gone'), 500],
  ];
  for (const [what, outcome, status] of outcomes) {
    held = heldRun();
    const first = post(app, key, TERMAN);
    await held.started;
    t.equal(slots.active, 1, `${what}: the running import holds the slot`);
    t.equal((await post(app, key, TERMAN)).statusCode, 503, `${what}: one more is 503`);
    held.finish(outcome);
    const response = await first;
    t.equal(response.statusCode, status, what);
    await until(slots, 0);
  }

  // A client gone while its import runs: the import goes on and holds the slot until it ends.
  held = heldRun();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const socket = net.connect((app.server.address() as net.AddressInfo).port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    `POST /v1/imports?dryRun=true HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: text/csv\r\nContent-Length: ${TERMAN.length}\r\n\r\n${TERMAN}`,
  );
  await held.started;
  socket.destroy();
  t.equal((await post(app, key, TERMAN)).statusCode, 503, 'the import of a gone client still holds its slot');
  t.equal(slots.active, 1);
  held.finish('import');
  await until(slots, 0);
  held = heldRun();
  const next = post(app, key, TERMAN);
  await held.started;
  held.finish('import');
  t.equal((await next).statusCode, 200, 'then the next import runs');
});

t.test('ImportSlots: a slot is free once its request and its import both let go, each once', async (t) => {
  const slots = new ImportSlots(2, 5);
  const first = slots.take();
  const second = slots.take();
  const full = t.throws(() => slots.take()) as unknown as { status: number; detail: string; headers: Record<string, string> };
  t.match(full, { status: 503, headers: { 'retry-after': '5' } });
  t.match(full.detail, /^2 imports are running/);
  const letGo = first.hold();
  first.release();
  first.release();
  t.equal(slots.active, 2, 'the import still holds it');
  letGo();
  letGo();
  t.equal(slots.active, 1, 'freed once, however often each lets go');
  // A request gone before its import began: the import is counted again while it runs.
  second.release();
  t.equal(slots.active, 0);
  const late = second.hold();
  t.equal(slots.active, 1);
  late();
  t.equal(slots.active, 0);
});
