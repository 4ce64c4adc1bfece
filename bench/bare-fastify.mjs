// The benchmark's baseline: a bare Fastify app with one route returning a small JSON, nothing else (no
// hooks, no plugins, logger off), as its own process on PORT. What this machine can do per request.
// With BARE_BODY_FILE, `/body` also sends that file's bytes as JSON (read once): what this machine can do
// for a response of that size, the ceiling for a cached body of the same bytes. With BARE_STREAM_FILE,
// `/stream` streams that file (1 MiB reads): the ceiling for an export of the same bytes to the same client.
import { createReadStream, readFileSync } from 'node:fs';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
if (process.env.BARE_BODY_FILE) {
  const body = readFileSync(process.env.BARE_BODY_FILE);
  app.get('/body', (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
}
if (process.env.BARE_STREAM_FILE) {
  const file = process.env.BARE_STREAM_FILE;
  app.get('/stream', (_request, reply) => reply.type('text/csv; charset=utf-8').send(createReadStream(file, { highWaterMark: 1 << 20 })));
}
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
