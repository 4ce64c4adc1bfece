import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { WRITE_LOCK } from '../src/db/pg/write-transaction.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, postgresSide, unlessHanging } from './helpers.js';

// A write or an import that works past CONNECTION_TIMEOUT_MS, sending nothing, keeps its connection and its
// client gets the answer (src/http/keep-connection.ts); before, Node closed the idle socket and the client got a
// reset while the import went on and committed. Deterministic: the request is held behind the write lock the
// test holds (SQLite: the write gate, as an import of the service; PostgreSQL: the advisory lock every writer
// takes), and let go only once the server has closed another connection opened after it for being idle as long:
// the held request's socket has been idle longer.

const CONNECTION_TIMEOUT_MS = 300;
const TERMAN =
  'text,to,decision,From,year,notes\r' +
  '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\r';

/** Holds the write lock until `release`; `waiting` resolves once a request waits for it. */
async function holdWriteLock(app: FastifyInstance): Promise<{ waiting: () => Promise<void>; release: () => Promise<void> }> {
  const side = postgresSide(app);
  if (side === undefined) {
    const gate = app.writeGate!;
    let holders = 0;
    gate.on('change', (count) => (holders = count));
    let release!: () => void;
    void gate.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    return {
      // A write waits in `ready`, an import in the gate's queue (a second holder).
      waiting: async () => {
        while (gate.waiting === 0 && holders < 2) await once(gate, 'change');
      },
      release: async () => release(),
    };
  }
  const locker = await side.pool.connect();
  await locker.query('select pg_advisory_lock($1)', [WRITE_LOCK]);
  const waiters = async () =>
    (
      await locker.query<{ count: number }>(
        `select count(*)::int as count from pg_locks where locktype = 'advisory' and not granted and objid = $1`,
        [WRITE_LOCK],
      )
    ).rows[0]!.count;
  return {
    // A bounded wait on a condition: PostgreSQL tells no one when a lock is waited for.
    waiting: () =>
      unlessHanging(
        (async () => {
          while ((await waiters()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
        30_000,
        'the request waiting for the write lock',
      ),
    release: async () => {
      await locker.query('select pg_advisory_unlock($1)', [WRITE_LOCK]);
      locker.release();
    },
  };
}

/** Resolves once the server has closed a connection of its own accord, opened now and left idle. */
async function idleConnectionClosed(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'close');
}

function send(port: number, method: string, path: string, key: string, type: string, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(
      { port, host: '127.0.0.1', method, path, agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': type } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const cases = [
  { what: 'an import', method: 'POST', path: '/v1/imports', type: 'text/csv', body: TERMAN, status: 200 },
  {
    what: 'a write',
    method: 'POST',
    path: '/v1/states',
    type: 'application/json',
    body: JSON.stringify({ id: 'XKX', name: 'Kosovo', unMember: false, aliases: ['Kosova'] }),
    status: 201,
  },
];

for (const { what, method, path, type, body, status } of cases) {
  t.test(`${what} held past CONNECTION_TIMEOUT_MS keeps its connection and is answered`, async (t) => {
    const app = await buildTestApp(t, { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, databaseBusyTimeoutMs: 60_000 });
    const key = mintKey(app, 'admin', 'keep-connection');
    await postgresSide(app)?.pending;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;

    const lock = await holdWriteLock(app);
    const answer = send(port, method, path, key, type, body);
    answer.catch(() => undefined);
    await lock.waiting();
    await idleConnectionClosed(port);
    await lock.release();
    const { status: got, body: text } = await answer;
    t.equal(got, status, `${what}: the answer, after its connection sat idle past the timeout`);
    t.ok(JSON.parse(text), 'whole');
    if (what === 'an import') t.match(JSON.parse(text), { recommendations: { created: Number } }, 'the import report');
  });
}
