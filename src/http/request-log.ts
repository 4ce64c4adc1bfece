import { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { PROBE_PATHS } from './probes.js';

// One log line per request, when it is answered, with the request in it: Fastify's own request logging
// writes two ("incoming request", then "request completed"), each costing a serialization at level info.
// Fastify's other log lines (errors, not found) are kept as they are.

/** The probes, polled every few seconds: answered 2xx, their lines are at debug, not info. */
const isProbe = (url: string) => PROBE_PATHS.has(url.split('?', 1)[0]!);

/**
 * The request's line: who asked what (the key's id and name, never the key), the status and the time taken; at
 * error when the answer failed, at debug for a probe that answered well.
 */
export function logAnswer(request: FastifyRequest, reply: FastifyReply, error?: Error): void {
  const auth = request.auth;
  const apiKey = auth?.status === 'ok' ? { id: auth.key.id, name: auth.key.name } : undefined;
  const line = { req: request, res: reply, apiKey, err: error, responseTime: reply.elapsedTime };
  if (error) return reply.log.error(line, 'request errored');
  reply.log[reply.statusCode < 400 && isProbe(request.url) ? 'debug' : 'info'](line, 'request completed');
}

export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    logAnswer(request, reply, error ?? undefined);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves once every request's connection has closed, each one cut off logged (the shutdown waits for it). */
    requestsClosed(): Promise<void>;
  }
}

/**
 * A request whose connection closed before its answer was sent whole (the client left, or the shutdown's grace
 * period ended: SHUTDOWN_GRACE_MS) gets a line too: Fastify logs an answer once it is sent, and these were in no line.
 */
export function logCutOffRequests(app: FastifyInstance): void {
  const open = new Set<FastifyReply>();
  let drained: (() => void) | undefined;
  app.decorate('requestsClosed', () => (open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve))));
  app.addHook('onRequest', (request, reply, done) => {
    open.add(reply);
    reply.raw.once('close', () => {
      open.delete(reply);
      if (!reply.raw.writableEnded) {
        // Its status only when it was sent: until then the reply's is the default 200.
        const res = reply.raw.headersSent ? reply : undefined;
        reply.log.info({ req: request, res, responseTime: reply.elapsedTime }, 'request cut off: the connection closed before the answer was sent whole');
      }
      if (open.size === 0) drained?.();
    });
    done();
  });
}
