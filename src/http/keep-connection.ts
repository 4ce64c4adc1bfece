import type { FastifyInstance, FastifyRequest } from 'fastify';

// A request that writes may work for longer than CONNECTION_TIMEOUT_MS once it has been read, sending nothing
// meanwhile: an import (a 17 MB file took 62 s), a write waiting for an import or another writer's lock. Node
// closes a socket idle for that long, so the client got an empty reply or a reset while its import went on and
// committed. So from the moment such a request has been read (preHandler) to its answer (onSend), its
// connection's idle timeout is lifted, and then put back. The work is bounded by its own limits: a write's wait by
// DATABASE_BUSY_TIMEOUT_MS (at most 60 s: the write gate, PostgreSQL's lock_timeout), an import by its file's
// (IMPORT_BODY_LIMIT_BYTES, IMPORT_MAX_ROWS and the others) and those of the imports ahead of it
// (MAX_CONCURRENT_IMPORTS). Reading the request stays bounded by REQUEST_TIMEOUT_MS; reads (GET, HEAD), whose
// answers may be paused by their client, keep the idle timeout.

const LIFTED = Symbol('idle timeout lifted');

declare module 'fastify' {
  interface FastifyRequest {
    /** The connection's idle timeout before it was lifted for this request's work (src/http/keep-connection.ts). */
    [LIFTED]?: number;
  }
}

const reads = new Set(['GET', 'HEAD', 'OPTIONS']);

export function keepConnectionsWhileWriting(app: FastifyInstance): void {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const socket = request.raw.socket;
    // (inject()'s requests have a socket of their own without timeouts.)
    if (reads.has(request.method) || typeof socket.setTimeout !== 'function') return;
    request[LIFTED] = socket.timeout ?? 0;
    socket.setTimeout(0);
  });
  app.addHook('onSend', async (request: FastifyRequest) => {
    const timeout = request[LIFTED];
    if (timeout !== undefined) request.raw.socket.setTimeout(timeout);
  });
}
