import { connect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import type { LogLevel } from '../src/config.js';
import { MAX_RECORD_ID } from '../src/curation/ids.js';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, sqliteOnly, tempDir } from './helpers.js';

// What the log says of each request, and what a client can quote: its id (X-Request-Id), one line per request
// (the key's id and name on a write), 5xx at error with their cause, probes quiet while they answer well.

type Line = Record<string, unknown> & { level: number; msg: string; reqId?: string };

/** An app whose log lines are kept, parsed, in `lines` (and as written, in `raw`). */
async function appWithLog(t: Test, logLevel: LogLevel = 'info', overrides = {}) {
  const raw: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildTestApp(t, { logLevel, logStream, ...overrides });
  return { app, raw, lines: () => raw.map((line) => JSON.parse(line) as Line) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test("every answer says its request id, the one in its log line; a client's plain id is used, any other is not", async (t) => {
  const { app, raw, lines } = await appWithLog(t);
  const linesOf = (id: string) => lines().filter((line) => line.reqId === id);

  const plain = await app.inject({ url: '/v1/states/KGZ' });
  const id = String(plain.headers['x-request-id']);
  t.match(id, UUID, 'a new UUID (was req-1, req-2…: the same on every instance and after every start, and in no answer)');
  t.equal(linesOf(id).length, 1, 'one line, with that id');
  t.match(String(plain.headers['access-control-expose-headers']), /\bX-Request-Id\b/, 'a script may read it');
  const again = await app.inject({ url: '/v1/states/KGZ' });
  t.not(again.headers['x-request-id'], id, 'each request its own');

  for (const given of ['client-7f3a.1', 'lb:4b2c/req=9+1@edge', 'x'.repeat(128)]) {
    const response = await app.inject({ url: '/v1/states/KGZ', headers: { 'x-request-id': given } });
    t.equal(response.headers['x-request-id'], given, `used: ${given.slice(0, 30)}`);
    t.equal(linesOf(given).length, 1, 'and logged');
  }
  const hostile = ['R'.repeat(10_000), 'x'.repeat(129), 'evil\u001b[31mred', 'a b', 'one, two', '{"level":60}', ''];
  for (const given of hostile) {
    const response = await app.inject({ url: '/v1/states/KGZ', headers: { 'x-request-id': given } });
    t.match(String(response.headers['x-request-id']), UUID, `not used: ${JSON.stringify(given.slice(0, 20))}`);
  }
  for (const given of hostile.filter((text) => text.length > 2)) t.notOk(raw.join('\n').includes(given), `not logged: ${JSON.stringify(given.slice(0, 20))}`);
  t.ok(raw.every((line) => line.length < 1_000), 'no line grew with the id sent');

  const refusals = [
    await app.inject({ url: '/v1/nothing' }),
    await app.inject({ url: '/v1/recommendations?limit=0' }),
    // Answered by Fastify's router (frameworkErrors): no hook runs, and no line was written.
    await app.inject({ url: `/v1/recommendations/${'a'.repeat(MAX_RECORD_ID + 1)}` }),
    await app.inject({ url: '/v1/recommendations/%E0%A4%A' }),
  ];
  t.same(refusals.map((response) => response.statusCode), [404, 400, 414, 400]);
  for (const response of refusals) {
    const refused = String(response.headers['x-request-id']);
    t.match(refused, UUID, `the ${response.statusCode} says its id`);
    t.same(linesOf(refused).map((line) => [line.level, (line.res as { statusCode: number }).statusCode]), [[30, response.statusCode]], 'one line at info');
  }
});

t.test('a write is one line naming its key by id and name; nothing at error for a client error', async (t) => {
  const { app, raw, lines } = await appWithLog(t);
  const key = mintKey(app, 'write', 'night-curator');
  const { response: created } = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { recommendationId: 'KGZ-3-FIN-1', status: 'implemented', assessedOn: '2021-01-01', rationale: 'R.', sources: [HRW_SOURCE] },
  });
  t.equal(created.statusCode, 201);
  const written = lines().filter((line) => line.reqId === created.headers['x-request-id']);
  t.equal(written.length, 1, 'one line (an "authenticated" line came before it)');
  t.same(written[0]!.apiKey, { id: key.slice(5, 17), name: 'night-curator' });
  t.notOk(raw.join('\n').includes(key.slice(18)), 'never the key');
  await send(app, 'POST', '/v1/assessments', { key, body: { recommendationId: 'KGZ-3-FIN-1' } });
  await send(app, 'POST', '/v1/assessments', { key: `${key.slice(0, -2)}zz`, body: {} });
  t.same(lines().filter((line) => line.level >= 40), [], 'a 400 and a 401 are not warnings or errors');
});

t.test('a 5xx is logged once at error with its cause and id; the client gets the id and nothing internal', async (t) => {
  const { app, lines } = await appWithLog(t);
  app.get('/test/fails', async () => {
    throw Object.assign(new Error('SQLITE_INTERNAL: select secret from api_keys in /var/lib/upr/data.sqlite'), { code: 'SQLITE_INTERNAL' });
  });
  const response = await app.inject({ url: '/test/fails' });
  t.equal(response.statusCode, 500);
  const id = String(response.headers['x-request-id']);
  const { detail } = response.json() as { detail: string };
  t.ok(detail.includes(id), `the detail names the id: ${detail}`);
  t.notMatch(response.body, /SQLITE|select|\/var\/lib|\bat\b.*\.ts/, 'no cause, SQL, path or stack');
  const logged = lines().filter((line) => line.reqId === id);
  t.same(logged.map((line) => [line.level, line.msg]), [[50, 'request failed'], [30, 'request completed']]);
  t.match((logged[0]!.err as { message: string }).message, /SQLITE_INTERNAL/, 'the cause is in the error line');
});

t.test('the probes answered well are logged at debug, not at info', async (t) => {
  const atInfo = await appWithLog(t, 'info');
  for (const url of ['/healthz', '/readyz', '/healthz?from=balancer']) t.equal((await atInfo.app.inject({ url })).statusCode, 200);
  t.same(atInfo.lines(), [], 'an orchestrator polling them writes nothing at info');
  const atDebug = await appWithLog(t, 'debug');
  await atDebug.app.inject({ url: '/readyz' });
  t.same(atDebug.lines().map((line) => [line.level, (line.req as { url: string }).url]), [[20, '/readyz']]);
  t.equal((await atInfo.app.inject({ url: '/healthz', headers: { 'x-request-id': 'a b' }, method: 'POST' })).statusCode, 405);
  t.equal(atInfo.lines().length, 1, 'a probe path refused is logged at info');
});

/** An app listening on a real socket, with a route that answers once `release` is called (`closed`: its connection closed). */
async function heldRoute(t: Test, app: FastifyInstance) {
  let started!: () => void;
  const reached = new Promise<void>((resolve) => (started = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let close!: () => void;
  const closed = new Promise<void>((resolve) => (close = resolve));
  app.get('/test/held', async (_request, reply) => {
    reply.raw.once('close', close);
    started();
    await released;
    return { late: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => release());
  return { port: (app.server.address() as { port: number }).port, reached, closed, release };
}

t.test('a request whose connection closes before its answer is sent is logged as cut off, once', async (t) => {
  const { app, lines } = await appWithLog(t);
  const { port, reached, closed, release } = await heldRoute(t, app);
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write('GET /test/held HTTP/1.1\r\nHost: x\r\nX-Request-Id: left-early\r\n\r\n');
  await reached;
  socket.destroy();
  await closed; // the route's own listener of the response's 'close', after the one logging it
  release();
  await app.inject({ url: '/healthz' }); // the held handler's answer, after the client left, has been tried
  await app.requestsClosed(); // what the shutdown waits for: at once, none being open
  const logged = lines().filter((line) => line.reqId === 'left-early');
  t.same(logged.map((line) => [line.level, line.msg]), [[30, 'request cut off: the connection closed before the answer was sent whole']]);
  t.equal((logged[0]!.req as { url: string }).url, '/test/held');
  t.equal(logged[0]!.res, undefined, 'no status: none was sent');
});

t.test('a body its client stopped sending is not logged as an error (it was "database unreachable", at error)', async (t) => {
  const { app, lines } = await appWithLog(t);
  const key = mintKey(app);
  let answered!: () => void;
  const problemSent = new Promise<void>((resolve) => (answered = resolve));
  let started!: () => void;
  const reading = new Promise<void>((resolve) => (started = resolve));
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.id === 'gone-mid-body') started();
    done(null, payload);
  });
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (request.id === 'gone-mid-body') answered();
    done(null, payload);
  });
  // On PostgreSQL the key is stored asynchronously; an injected request waits for it (test/helpers.ts).
  await app.inject({ url: '/healthz' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const socket = connect((app.server.address() as { port: number }).port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    `POST /v1/assessments HTTP/1.1\r\nHost: x\r\nX-Request-Id: gone-mid-body\r\nAuthorization: Bearer ${key}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"recommendationId":',
  );
  await reading;
  socket.destroy();
  await problemSent;
  await app.requestsClosed();
  const logged = lines().filter((line) => line.reqId === 'gone-mid-body');
  t.same(logged.map((line) => [line.level, line.msg]), [[30, 'request cut off: the connection closed before the answer was sent whole']]);
});

t.test('a start on a new SQLite file says what it writes before it writes it', async (t) => {
  if (sqliteOnly(t, 'the steps of opening a SQLite file (PostgreSQL says its own: test/postgres-freshen.test.ts)')) return;
  const databasePath = join(tempDir(t), 'new.sqlite');
  const first = await appWithLog(t, 'info', { databasePath });
  const messages = first.lines().map((line) => line.msg);
  t.match(messages[0], /^SQLite: applying the migrations \(0 of \d+ applied so far\)$/);
  t.same(messages.slice(1), ['SQLite: the database is empty: adding the seed']);
  // Left stale by another program (an older release's writes, a migration's backfill).
  first.app.db.$client.prepare("insert into recommendation_documents_stale values ('KGZ-3-FIN-1')").run();
  await first.app.close();
  const second = await appWithLog(t, 'info', { databasePath });
  t.same(second.lines().map((line) => line.msg), ['SQLite: bringing up to date the relations, documents and counts listed stale']);
  const third = await appWithLog(t, 'info', { databasePath });
  t.same(third.lines(), [], 'a start with nothing to write says nothing of it');
});
