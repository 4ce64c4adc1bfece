// The benchmark's baseline: a bare Fastify app with one route returning a small JSON, nothing else (no
// hooks, no plugins, logger off), as its own process on PORT. What this machine can do per request.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
