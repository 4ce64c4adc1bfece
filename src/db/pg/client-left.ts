import { AsyncLocalStorage } from 'node:async_hooks';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { HttpProblem } from '../../http/problem.js';

// A read whose client left (a tab closed, a fetch aborted, curl killed) is cancelled on PostgreSQL. node-postgres
// cannot cancel a query by itself: the statement ran on to its end (up to PG_READ_TIMEOUT_MS), holding a pooled
// connection and a PostgreSQL backend's CPU, and a loop of requests opened and aborted at once held the whole pool.
// Each GET and HEAD runs in a context of its own (AsyncLocalStorage); the pool's clients note the request whose
// queries they run, and when its response closes before it was written whole, each connection still running one
// of them gets PostgreSQL's cancel request (as psql's Ctrl-C: a connection to the server of its own, no pool slot,
// no login) and is closed, not given back to the pool: a cancel landing after its query ended would cancel the
// next one that connection ran, another client's. Writes are not cancelled: a write that began is made or not
// as its transaction ends, whoever is still there to read the answer.

interface RequestReads {
  /** The response closed before it was written whole. */
  left: boolean;
  /** The connections running this request's queries now. */
  running: Set<LeavingClient>;
}

const requestReads = new AsyncLocalStorage<RequestReads>();

/** A client of the pool that can be told its request's client left. */
interface LeavingClient extends pg.Client {
  readonly processID: number;
  readonly secretKey: number;
  readonly host: string;
  readonly port: number;
}

/** What a query of a request whose client left fails with (and the read PostgreSQL cancelled for it). */
export function clientLeft(): HttpProblem {
  return new HttpProblem(503, 'The client left before the answer was read: its database reads were cancelled.');
}

/** How long the cancel request's own connection may take: as long as any other (PG_CONNECT_TIMEOUT_MS's default). */
const CANCEL_CONNECT_MS = 10_000;

/** PostgreSQL's CancelRequest (frontend/backend protocol, 55.2.8): its length, its code, the backend's pid and key. */
function sendCancel(client: LeavingClient): void {
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(client.processID, 8);
  packet.writeInt32BE(client.secretKey, 12);
  const socket = client.host.startsWith('/') ? connect(`${client.host}/.s.PGSQL.${client.port}`) : connect(client.port, client.host);
  socket.setTimeout(CANCEL_CONNECT_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.end(packet));
}

function leave(reads: RequestReads): void {
  reads.left = true;
  for (const client of reads.running) {
    sendCancel(client);
    // Closed at once: the query fails now, and the pool drops the connection when it is released.
    void client.end().catch(() => undefined);
  }
  reads.running.clear();
}

type QueryArgs = [...unknown[]];

/** The pool's Client class, its queries noted by the request (GET or HEAD) they run for. */
export function leavingClient(Client: typeof pg.Client): typeof pg.Client {
  class Leaving extends Client {}
  // Looked up at each call, not kept: whoever wraps Client.prototype.query later (the tests count queries so) is
  // still called.
  const query = function (this: pg.Client, ...args: QueryArgs): unknown {
    return (Client.prototype.query as (this: pg.Client, ...args: QueryArgs) => unknown).apply(this, args);
  };
  Leaving.prototype.query = function (this: LeavingClient, ...args: QueryArgs): unknown {
    const reads = requestReads.getStore();
    // A query with a callback (node-postgres's pool.query, which this pool's query does not use) is not noted.
    if (reads === undefined || typeof args.at(-1) === 'function') return query.apply(this, args);
    if (reads.left) return Promise.reject(clientLeft());
    reads.running.add(this);
    return (query.apply(this, args) as Promise<unknown>).then(
      (result) => {
        reads.running.delete(this);
        return result;
      },
      (error: unknown) => {
        reads.running.delete(this);
        // The cancel's error, or the connection's closed under the query: the client left, as the answer says.
        return Promise.reject(reads.left ? clientLeft() : error);
      },
    );
  } as typeof Client.prototype.query;
  return Leaving;
}

/**
 * The pool's class, whose connections go to no request whose client left: one that waited for a free connection (a
 * full pool) and left meanwhile gives it back at once, its query never sent, the connection kept.
 */
export function leavingPool(Pool: typeof pg.Pool): typeof pg.Pool {
  class Leaving extends Pool {}
  const connect = Pool.prototype.connect as (this: pg.Pool, ...args: QueryArgs) => Promise<pg.PoolClient> | undefined;
  const query = Pool.prototype.query as (this: pg.Pool, ...args: QueryArgs) => unknown;
  Leaving.prototype.connect = function (this: pg.Pool, ...args: QueryArgs) {
    const reads = requestReads.getStore();
    if (reads === undefined || args.length > 0) return connect.apply(this, args);
    return connect.call(this)!.then((client) => {
      if (!reads.left) return client;
      client.release();
      throw clientLeft();
    });
  } as typeof Pool.prototype.connect;
  // node-postgres's own pool.query connects with a callback, which the connection above does not check.
  Leaving.prototype.query = function (this: pg.Pool, ...args: QueryArgs) {
    if (requestReads.getStore() === undefined || typeof args.at(-1) === 'function') return query.apply(this, args);
    return this.connect().then(async (client) => {
      // As node-postgres's own: a connection lost under the query is that query's error, not the process's.
      const lost = () => undefined;
      client.on('error', lost);
      try {
        const result = await (client.query as (...args: QueryArgs) => Promise<unknown>).apply(client, args);
        client.release();
        return result;
      } catch (error) {
        client.release(error as Error);
        throw error;
      } finally {
        client.off('error', lost);
      }
    });
  } as typeof Pool.prototype.query;
  return Leaving;
}

/**
 * Every GET and HEAD of `app` runs in a context of its own from its first hook on: its queries on PostgreSQL are
 * cancelled when its client leaves before the response is written whole.
 */
export function cancelReadsWhenClientsLeave(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return done();
    const reads: RequestReads = { left: false, running: new Set() };
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) leave(reads);
    });
    requestReads.run(reads, done);
  });
}
