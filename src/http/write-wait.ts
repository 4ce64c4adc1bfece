import type { FastifyInstance, RouteOptions } from 'fastify';
import type { WriteGate } from '../db/write-gate.js';

// SQLite: while an import writes from its thread (src/import/import-thread.ts), the routes that write wait for
// it before they begin (src/db/write-gate.ts), asynchronously: the others, reads first, go on being answered.

const writes = (route: RouteOptions) => [route.method].flat().some((method) => !['GET', 'HEAD', 'OPTIONS'].includes(method));

declare module 'fastify' {
  interface FastifyInstance {
    /** SQLite: the gate imports hold (tests watch it). */
    writeGate?: WriteGate;
  }
}

/** Every route of `app` that may write waits for the gate in preHandler, after its request is authorized and read. */
export function waitForImports(app: FastifyInstance, gate: WriteGate): void {
  app.decorate('writeGate', gate);
  const wait = () => gate.idle();
  app.addHook('onRoute', (route: RouteOptions) => {
    if (writes(route)) route.preHandler = [...[route.preHandler ?? []].flat(), wait] as RouteOptions['preHandler'];
  });
}
