import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { WriteGate } from '../db/write-gate.js';
import type { WalCheckpointThread } from '../db/wal-thread.js';
import { type FileTrouble, fileTroubleDetail } from '../db/database-files.js';
import { HttpProblem } from './problem.js';
import { PROBE_PATHS } from './probes.js';

// SQLite: while an import writes from its thread (src/import/import-thread.ts) or another process holds the
// write lock, the routes that write wait for it before they begin (src/db/write-gate.ts), asynchronously: the
// others, reads first, go on being answered. A write whose client left while it waited (an import takes
// seconds; clients time out) is not made: nobody would learn it was, and a client that retries would make it twice.

const writes = (route: RouteOptions) => [route.method].flat().some((method) => !['GET', 'HEAD', 'OPTIONS'].includes(method));

declare module 'fastify' {
  interface FastifyInstance {
    /** SQLite: the gate imports hold (tests watch it). */
    writeGate?: WriteGate;
    /** SQLite: whether the files the server opened are still those at DATABASE_PATH (src/db/database-files.ts). */
    fileTrouble?: () => FileTrouble | undefined;
    /** SQLite: the thread that checkpoints the log (tests watch it). */
    walCheckpoints?: WalCheckpointThread;
  }
}

/**
 * SQLite: a 503 problem when the database file is no longer the one opened, logged with its path: `what` (a write,
 * an export) is refused, as `refused` tells the client. No Retry-After: an operator must put the file back.
 */
export function refuseOnFileTrouble(request: FastifyRequest, what: string, refused: string): void {
  const trouble = request.server.fileTrouble?.();
  if (trouble === undefined) return;
  request.log.error({ file: trouble.path }, `${what} refused: ${trouble.detail}`);
  throw new HttpProblem(503, fileTroubleDetail(trouble, refused));
}

/**
 * Every route of `app` that may write waits for the gate in preHandler, after its request is authorized and read;
 * then it is refused if the database file is no longer the one opened (`fileTrouble`): the write would be lost.
 */
export function waitForImports(app: FastifyInstance, gate: WriteGate, fileTrouble?: () => FileTrouble | undefined): void {
  app.decorate('writeGate', gate);
  app.decorate('fileTrouble', fileTrouble);
  const wait = async (request: FastifyRequest, reply: FastifyReply) => {
    const waited = await gate.ready();
    // Not `request.raw.destroyed`: Node sets it once the request's body has been read, client there or not.
    // The response is closed (and the socket destroyed) when the connection is gone.
    if (waited && (reply.raw.closed || request.raw.socket?.destroyed === true)) {
      throw new HttpProblem(503, 'The client left while this request waited for the database: nothing was changed.');
    }
    refuseOnFileTrouble(request, 'write', 'This write was refused: nothing was changed.');
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    if (writes(route)) route.preHandler = [...[route.preHandler ?? []].flat(), wait] as RouteOptions['preHandler'];
  });
}

/**
 * SQLite: after each response of a route that may write, or of a read that committed (a key's last use, stale
 * documents rebuilt), the log is checkpointed off the event loop when past its bound (src/db/wal-thread.ts): the
 * server's connection commits without SQLite's automatic checkpoint. After the response, the request's reads are
 * over: a checkpoint asked during one cannot truncate the -wal.
 */
export function checkpointAfterResponses(app: FastifyInstance, checkpoints: WalCheckpointThread): void {
  app.decorate('walCheckpoints', checkpoints);
  const afterWrite = async () => checkpoints.afterResponse(true);
  const afterRead = async () => checkpoints.afterResponse(false);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (PROBE_PATHS.has(route.url)) return; // (no hook more on /healthz, the benchmark's baseline)
    const ask = writes(route) ? afterWrite : afterRead;
    route.onResponse = [...[route.onResponse ?? []].flat(), ask] as RouteOptions['onResponse'];
  });
}
