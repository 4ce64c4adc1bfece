import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

// A read whose client has already gone is not answered. On a busy service (SQLite's reads hold the event loop)
// requests wait in their sockets, and a client that opens a request and leaves at once (a fetch aborted, a loop
// of them) left one that was still read and answered in full, for nobody: 8 such clients for 60 s queued work
// that kept another client's pages waiting 35 s at the median. Before its handler runs, a GET or HEAD waits one
// turn of the event loop, in which what came with the request (its client's end, or reset) is read, then stops
// if the connection is gone. Writes are left to run as they always did (src/http/write-wait.ts for SQLite's).

/** What a request whose client left is answered, in the log only (and the error a cancelled PostgreSQL read gets). */
export function clientLeft(): HttpProblem {
  return new HttpProblem(503, 'The client left before the answer was read: its database reads were cancelled.');
}

/** Whether the connection of `request` has been ended or reset by its client. */
export function connectionGone(request: FastifyRequest, reply: FastifyReply): boolean {
  const socket = request.raw.socket;
  return reply.raw.closed || socket?.destroyed === true || socket?.readableEnded === true;
}

export function skipReadsOfClientsWhoLeft(app: FastifyInstance): void {
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return done();
    setImmediate(() => done(connectionGone(request, reply) ? clientLeft() : undefined));
  });
}
