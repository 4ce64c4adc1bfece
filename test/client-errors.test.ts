import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { answerClientError } from '../src/http/client-errors.js';
import { requestTimeouts } from '../src/http/hardening.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, postgresSide } from './helpers.js';

// What Node's HTTP parser refuses before any route runs (src/http/client-errors.ts) is a problem like any other
// refusal, with Connection: close (Fastify answered {"error": …} as application/json, and kept no promise to
// close). Through a real socket: inject() has no HTTP parser.

/** Everything the server sends on one connection for `bytes`, until it closes it. */
async function exchange(port: number, bytes: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {}); // the server may reset a connection it refused
  await once(socket, 'connect');
  socket.write(bytes);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

function parsed(t: Test, text: string) {
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  const [statusLine, ...headers] = head.split('\r\n');
  const header = (name: string) => headers.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  t.equal(header('content-type'), 'application/problem+json; charset=utf-8', `${statusLine}: a problem, with its charset as every other`);
  t.equal(header('connection'), 'close', `${statusLine}: the connection is closed`);
  t.equal(Number(header('content-length')), Buffer.byteLength(body), `${statusLine}: its length`);
  return { statusLine, header, problem: JSON.parse(body) as Record<string, unknown> };
}

t.test('what the HTTP parser refuses is a problem, and the connection is closed', async (t) => {
  const app = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;

  const long = parsed(t, await exchange(port, `GET /v1/recommendations?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
  t.equal(long.statusLine, 'HTTP/1.1 431 Request Header Fields Too Large');
  t.match(long.problem, {
    type: 'about:blank',
    title: 'Request Header Fields Too Large',
    status: 431,
    detail: /longer than the 16384 bytes the server reads: shorten the URL/,
  });

  const garbage = parsed(t, await exchange(port, 'NOT HTTP AT ALL\r\n\r\n'));
  t.equal(garbage.statusLine, 'HTTP/1.1 400 Bad Request');
  t.match(garbage.problem, { status: 400, detail: 'The request is not well-formed HTTP/1.1 (Invalid method encountered).' });

  const smuggled = parsed(
    t,
    await exchange(port, 'POST /v1/imports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n'),
  );
  t.match(smuggled.problem, { status: 400, detail: /Content-Length can't be present with Transfer-Encoding/ });

  // HTTP/2 with prior knowledge (h2c): its preface was "not well-formed HTTP/1.1 (Pause on PRI/Upgrade)".
  const h2 = parsed(t, await exchange(port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
  t.equal(h2.statusLine, 'HTTP/1.1 400 Bad Request');
  t.match(h2.problem, { status: 400, detail: 'This server speaks HTTP/1.1 only: an HTTP/2 connection (its preface, PRI * HTTP/2.0) is not served. Send HTTP/1.1.' });

  const fine = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.match(fine, /^HTTP\/1\.1 200 OK/, 'a well-formed request is answered as before');
});

t.test("what Node's server answered itself, with an empty body: a missing Host, an Expect, CONNECT", async (t) => {
  const app = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const problemIn = (text: string) => JSON.parse(text.split('\r\n\r\n')[1]!) as Record<string, unknown>;

  const noHost = await exchange(port, 'GET /v1/recommendations?limit=1 HTTP/1.1\r\nConnection: close\r\n\r\n');
  t.match(noHost, /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.match(noHost, /\r\ncontent-type: application\/problem\+json/i);
  t.match(problemIn(noHost), { status: 400, detail: 'An HTTP/1.1 request needs a Host header (RFC 9112, section 3.2).' });
  t.match(
    await exchange(port, 'GET /healthz HTTP/1.0\r\n\r\n'),
    /^HTTP\/1\.1 200 OK/,
    'HTTP/1.0 has no Host header to require',
  );

  const expects = parsed(t, await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n'));
  t.equal(expects.statusLine, 'HTTP/1.1 417 Expectation Failed');
  t.match(expects.problem, { status: 417, detail: /this request expects "200-ok"\. Send it without Expect\./ });

  const connect = parsed(t, await exchange(port, 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n'));
  t.equal(connect.statusLine, 'HTTP/1.1 405 Method Not Allowed');
  t.equal(connect.header('allow'), '', 'an empty Allow: a tunnel to another host takes no method here (RFC 9110, 10.2.1)');
  t.match(connect.problem, { status: 405, detail: 'CONNECT is not served: this is an API, not a proxy.' });
});

t.test('CONNECT to a path (Node hands it over as a tunnel, not to a route) is answered as any other method the path does not take', async (t) => {
  const app = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;

  const served = parsed(t, await exchange(port, 'CONNECT /v1/recommendations?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n'));
  t.equal(served.statusLine, 'HTTP/1.1 405 Method Not Allowed');
  t.equal(served.header('allow'), 'GET, HEAD, POST, OPTIONS', 'was no Allow');
  const injected = await app.inject({ method: 'CONNECT', url: '/v1/recommendations?limit=1' });
  t.equal(injected.headers.allow, served.header('allow'), 'as inject() (which has no tunnel) answers');
  t.same(served.problem, injected.json(), 'with the same problem');
  t.same(served.problem, {
    type: 'about:blank',
    title: 'Method Not Allowed',
    status: 405,
    detail: 'CONNECT is not served at /v1/recommendations; GET, HEAD, POST, OPTIONS are (see Allow).',
    instance: '/v1/recommendations',
  });

  const none = parsed(t, await exchange(port, 'CONNECT /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n'));
  t.equal(none.statusLine, 'HTTP/1.1 404 Not Found', 'a path that is no resource');
  t.equal(none.header('allow'), undefined);
  t.same(none.problem, (await app.inject({ method: 'CONNECT', url: '/v1/nothing' })).json());
});

t.test('two Host, Authorization or Content-Type headers are a 400 (Node kept the first); a transfer coding before chunked is a 501 (Node read the body as chunked alone)', async (t) => {
  const app = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  // The first response's body: the next response on the connection, if any, follows it.
  const problemIn = (text: string) => JSON.parse(text.split('\r\n\r\n')[1]!.replace(/HTTP\/1\.1 [\s\S]*$/, '')) as Record<string, unknown>;

  const twoHosts = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nhost: b\r\nConnection: close\r\n\r\n');
  t.match(twoHosts, /^HTTP\/1\.1 400 Bad Request\r\n/, 'was 200');
  t.match(problemIn(twoHosts), {
    status: 400,
    detail: 'The request has more than one Host header, which takes one value: send one (RFC 9110, section 5.3; RFC 9112, section 3.2).',
  });
  for (const [name, lines] of [
    ['Authorization', 'Authorization: Bearer a\r\nauthorization: Bearer b\r\n'],
    ['Content-Type', 'Content-Type: application/json\r\nContent-Type: text/plain\r\n'],
  ]) {
    const twice = await exchange(port, `POST /v1/states HTTP/1.1\r\nHost: x\r\n${lines}Content-Length: 2\r\nConnection: close\r\n\r\n{}`);
    t.match(twice, /^HTTP\/1\.1 400 Bad Request\r\n/, `two ${name} headers (was the first one's answer, a 401)`);
    t.match(problemIn(twice), { status: 400, detail: new RegExp(`^The request has more than one ${name} header, which takes one value`) });
  }

  // A gzip stream sent with `Transfer-Encoding: gzip, chunked` was parsed as the JSON body itself: `{}` here.
  const body = '2\r\n{}\r\n0\r\n\r\n';
  const gzipFirst = await exchange(
    port,
    `POST /v1/states HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${body}` +
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  t.match(gzipFirst, /^HTTP\/1\.1 501 Not Implemented\r\n/, 'was the 401 of a body read as chunked');
  t.match(problemIn(gzipFirst), {
    status: 501,
    detail: /applies "gzip" before chunked, which this server does not implement \(RFC 9112, section 6\.1\)/,
  });
  t.match(gzipFirst, /\}HTTP\/1\.1 200 OK\r\n/, 'the body is read past: the next request on the connection is answered');
  const chunked = await exchange(
    port,
    `POST /v1/states HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n${body}`,
  );
  t.match(chunked, /^HTTP\/1\.1 401 Unauthorized\r\n/, 'chunked alone, in any case, reaches the operation');
});

/**
 * Sends a request's head with `Expect: 100-continue` and the Content-Length of `body` (or of `body` bytes), and
 * the body only once the server says 100 Continue; everything the server sends until it closes the connection.
 */
async function expectContinue(port: number, head: string, body: Buffer | number): Promise<string> {
  const bytes = typeof body === 'number' ? Buffer.alloc(body, 'a') : body;
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    const continued = received === '' && chunk.toString('utf8').startsWith('HTTP/1.1 100 Continue\r\n\r\n');
    received += chunk.toString('utf8');
    if (continued) socket.write(bytes);
  });
  socket.write(`${head}Content-Length: ${bytes.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
  await once(socket, 'close');
  return received;
}

t.test('Expect: 100-continue: no 100 before an answer to the head alone (401, 413, 415), a 100 before a body is read', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  await app.listen({ port: 0, host: '127.0.0.1' });
  await postgresSide(app)?.pending; // the key, written meanwhile on PostgreSQL: a raw socket does not wait for it
  const { port } = app.server.address() as AddressInfo;
  const post = (path: string, type: string, withKey = true, encoding = '') =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\n${withKey ? `Authorization: Bearer ${key}\r\n` : ''}Content-Type: ${type}\r\n` +
    (encoding === '' ? '' : `Content-Encoding: ${encoding}\r\n`);
  const json = Buffer.from('{}');
  const gzipped = gzipSync(json);

  // Each was "100 Continue", then the refusal: the client sent the body it had asked leave to send (21 MiB here).
  // A compressed body too: its decompression begins (in preParsing, before the key is checked) as a pipe, not a read.
  for (const [what, head, body, status] of [
    ['no API key', post('/v1/imports?format=terman-csv', 'text/csv', false), json, 401],
    ['an import over IMPORT_BODY_LIMIT_BYTES', post('/v1/imports?format=terman-csv', 'text/csv'), 21 * 1024 * 1024, 413],
    ['a body over BODY_LIMIT_BYTES', post('/v1/states', 'application/json'), 2 * 1024 * 1024, 413],
    ['a media type the operation does not take', post('/v1/states', 'text/plain'), json, 415],
    ['a gzip-encoded import without an API key', post('/v1/imports?format=terman-csv', 'text/csv', false, 'gzip'), gzipped, 401],
    ['a gzip-encoded body without an API key', post('/v1/states', 'application/json', false, 'gzip'), gzipped, 401],
    ['a gzip-encoded body of a media type the operation does not take', post('/v1/states', 'text/plain', true, 'gzip'), gzipped, 415],
  ] as const) {
    const text = await expectContinue(port, head, body);
    t.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), `${what}: ${status} at once, no 100 Continue`);
    t.match(text, /\r\nconnection: close\r\n/i, 'the connection closed: the body never comes');
  }

  for (const [what, encoding, body] of [
    ['a body the operation reads', '', json],
    ['a gzip-encoded body the operation reads', 'gzip', gzipped],
  ] as const) {
    const read = await expectContinue(port, post('/v1/states', 'application/json', true, encoding), body);
    t.match(read, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 Bad Request\r\n/, `${what}: 100, then the answer to it`);
    t.match(read, /Invalid body field/, 'the body was read');
  }
});

t.test('a request target with a fragment (#…, which is no part of one) is a 400 saying so', async (t) => {
  const app = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  // Node's parser lets "#" through; the router cut the path there and read the rest as a query string.
  for (const [target, was] of [
    ['/v1/states#frag', '400 unknown query parameter "frag"'],
    ['/v1/states?limit=1#x', '400 limit "1#x" is not a whole number'],
    ['/healthz#x', '200'],
  ]) {
    const text = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    t.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/, `${target} (was ${was})`);
    t.match(JSON.parse(text.split('\r\n\r\n')[1]!), {
      status: 400,
      detail: 'The request target holds a fragment (from "#" on): a fragment is no part of a request (RFC 9112, section 3.2); send the target without it.',
    });
  }
});

t.test('a request not received in time is a 408 problem; a reset or a response under way gets nothing', async (t) => {
  // (Node raises the timeout on its own schedule, every 30 s at most: the handler is called as Node calls it.)
  const server = net.createServer();
  t.teardown(() => server.close());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const connected = async (handle: (socket: net.Socket) => void) => {
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const answer = exchange(port, '');
    handle((await accepted)[0]);
    return answer;
  };
  const error = (code: string) => Object.assign(new Error(code), { code, bytesParsed: 0, rawPacket: { type: 'Buffer', data: [] } });
  const timeout = error('ERR_HTTP_REQUEST_TIMEOUT');
  const late = parsed(t, await connected((socket) => answerClientError(timeout, socket)));
  t.equal(late.statusLine, 'HTTP/1.1 408 Request Timeout');
  t.match(late.problem, { status: 408, detail: /not received in time \(REQUEST_TIMEOUT_MS\)/ });

  const reset = error('ECONNRESET');
  t.equal(
    await connected((socket) => {
      answerClientError(reset, socket);
      socket.destroy();
    }),
    '',
    'a reset connection: nothing to answer',
  );
  t.equal(
    await connected((socket) => {
      Object.assign(socket, { _httpMessage: { headersSent: true } });
      answerClientError(timeout, socket);
    }),
    '',
    'a response under way is not interrupted by a problem: the connection is closed',
  );
});

t.test('a body sent a byte at a time is cut off at REQUEST_TIMEOUT_MS with a 408 (it was never: Node ignored the timeout)', async (t) => {
  const app = await buildTestApp(t, { requestTimeoutMs: 1_000 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const socket = net.connect((app.server.address() as AddressInfo).port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const key = mintKey(app, 'admin');
  await postgresSide(app)?.pending; // (on PostgreSQL the key is written meanwhile)
  socket.write(`POST /v1/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\n`);
  // A byte every 100 ms: never idle, never done. 100 bytes (10 s) at most, the test's own bound.
  let sent = 0;
  const trickle = setInterval(() => (++sent > 100 || socket.destroyed ? clearInterval(trickle) : socket.write('a')), 100);
  t.teardown(() => clearInterval(trickle));
  await once(socket, 'close');
  const { statusLine, problem } = parsed(t, Buffer.concat(chunks).toString('utf8'));
  t.equal(statusLine, 'HTTP/1.1 408 Request Timeout');
  t.match(problem, { status: 408 });
  t.ok(sent <= 100, `cut off after ${sent} bytes`);
});

t.test("Node's own timeouts: a tenth of the request's as the checking interval; headers 60 s at most, also with none", async (t) => {
  t.same(requestTimeouts(30_000), { requestTimeout: 30_000, headersTimeout: 30_000, connectionsCheckingInterval: 3_000 });
  t.same(requestTimeouts(600_000), { requestTimeout: 600_000, headersTimeout: 60_000, connectionsCheckingInterval: 30_000 });
  t.same(requestTimeouts(2_000), { requestTimeout: 2_000, headersTimeout: 2_000, connectionsCheckingInterval: 1_000 });
  t.same(requestTimeouts(0), { requestTimeout: 0, headersTimeout: 60_000 });
});
