import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

// One log line per request, when it is answered, with the request in it: Fastify's own request logging
// writes two ("incoming request", then "request completed"), each costing a serialization at level info.
// Fastify's other log lines (errors, not found) are kept as they are.
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, err: error ?? undefined, responseTime: reply.elapsedTime };
    reply.log[error ? 'error' : 'info'](line, error ? 'request errored' : 'request completed');
  }
}
