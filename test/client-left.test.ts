import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { buildTestApp } from './helpers.js';

// A read whose client has gone by the time its handler would run is not run (src/http/client-left.ts), over a
// real socket: the request is held in a hook of the test's until the server has read its client's end, as on a
// busy service where requests wait in their sockets; then it is answered 503 "the client left" (in the log only),
// its handler never run. A client still there is answered as ever.

const app = await buildTestApp(t);
const handled: string[] = [];
const sent = new Map<string, { status: number; body: string }>();
// Held until its client's end is read: the request's socket says when.
app.addHook('onRequest', async (request) => {
  if (request.headers['x-test-hold'] === '1') await new Promise((resolve) => request.raw.socket.once('end', resolve));
});
// After the service's own preHandler hooks: a request stopped there never reaches it.
app.addHook('preHandler', async (request) => void handled.push(request.url));
app.addHook('onSend', async (request, reply, payload) => {
  sent.set(request.url, { status: reply.statusCode, body: String(payload) });
});
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;

/** Sends one request and ends the connection at once (a client that leaves); resolves when the server has closed it. */
const sendAndLeave = (path: string) =>
  new Promise<void>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Test-Hold: 1\r\n\r\n`));
    socket.on('error', () => undefined).on('close', () => resolve());
    socket.resume();
  });

t.test('a stats request whose client left before its handler ran is not run', async (t) => {
  const path = '/v1/stats/recommendations?groupBy=position&q=custody';
  await sendAndLeave(path);
  await t.resolves(
    new Promise<void>((resolve) => {
      const check = () => (sent.has(path) ? resolve() : setImmediate(check));
      check();
    }),
  );
  t.equal(sent.get(path)!.status, 503);
  t.match(sent.get(path)!.body, /client left/);
  t.notOk(handled.includes(path), 'its handler never ran');
});

t.test('a client still there is answered', async (t) => {
  const response = await fetch(`http://127.0.0.1:${port}/v1/stats/recommendations?groupBy=position&q=detention`);
  t.equal(response.status, 200);
  t.ok(handled.includes('/v1/stats/recommendations?groupBy=position&q=detention'));
});
