import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, postgresSide } from './helpers.js';

// A response sent before its request body was read to the end leaves the connection usable: the next request on
// the same kept-alive socket is answered (src/http/unread-body.ts). Before, a body piped somewhere and left (into
// @fastify/compress's gunzip stream for a Content-Encoding body; into busboy for a form) stayed in the socket and
// the next request waited until the server timed the socket out (~73 s). Over a real socket: inject has none.

/** A real server for `app`, closed with it; its port. */
async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as net.AddressInfo).port;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends each request on one connection, the next once the previous one's response has come, and returns the
 * responses; a response that does not come within the (generous) socket timeout fails the call.
 */
function onOneConnection(port: number, requests: Buffer[], timeoutMs = 30_000): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const responses: RawResponse[] = [];
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no response to request ${responses.length + 1} of ${requests.length} in ${timeoutMs} ms`));
    });
    socket.on('error', (error) => reject(new Error(`request ${responses.length + 1}: ${error.message}`)));
    socket.on('close', () => {
      if (responses.length < requests.length) reject(new Error(`connection closed after ${responses.length} responses`));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      for (;;) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
        );
        const length = Number(headers['content-length'] ?? 0);
        if (received.length < end + 4 + length) return;
        responses.push({
          status: Number(statusLine.split(' ')[1]),
          headers,
          body: received.subarray(end + 4, end + 4 + length).toString('utf8'),
        });
        received = received.subarray(end + 4 + length);
        if (responses.length === requests.length) {
          socket.end();
          resolve(responses);
          return;
        }
        socket.write(requests[responses.length]!);
      }
    });
    socket.write(requests[0]!);
  });
}

function request(method: string, path: string, headers: Record<string, string>, body?: Buffer): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, 'Host: localhost', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body !== undefined) head.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body ?? Buffer.alloc(0)]);
}

const HEALTHZ = request('GET', '/healthz', {});

/** A form of `parts`, each [Content-Disposition parameters, content]. */
function form(parts: [string, Buffer | string][]): { body: Buffer; type: string } {
  const boundary = 'upr-tracker-unread';
  const chunks = parts.flatMap(([disposition, content]) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: text/csv\r\n\r\n`),
    Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

const CSV =
  'text,to,decision,From,year,notes\r' +
  '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\r';

t.test('after an early answer on a kept-alive connection, its next request is answered', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'dashboard');
  // (On PostgreSQL the key is stored asynchronously: inject waits for it, a socket of our own does not.)
  await postgresSide(app)?.pending;
  const port = await listen(app);
  const auth = { Authorization: `Bearer ${key}` };
  // Random bytes do not shrink: ~300 KB on the wire, more than the pipes between the socket and gunzip hold.
  const gzipped = gzipSync(randomBytes(300_000));
  const gzip = { 'Content-Encoding': 'gzip' };
  const bigFile = `${CSV}${'x'.repeat(300_000)}`;
  const fieldTooLong = form([['name="note"', 'n'.repeat(2048)], ['name="file"; filename="a.csv"', bigFile]]);
  const fileThenMore = form([['name="file"; filename="a.csv"', CSV], ['name="other"; filename="b.csv"', bigFile]]);

  const cases: [what: string, first: Buffer, status: number][] = [
    ['415: a gzip-encoded text/plain body to a JSON route', request('POST', '/v1/assessments', { ...auth, 'Content-Type': 'text/plain', ...gzip }, gzipped), 415],
    ['415: a gzip-encoded JSON body to the import', request('POST', '/v1/imports?dryRun=true', { ...auth, 'Content-Type': 'application/json', ...gzip }, gzipped), 415],
    ['401: a gzip-encoded body without a key', request('POST', '/v1/imports?dryRun=true', { 'Content-Type': 'text/csv', ...gzip }, gzipped), 401],
    ['413: a form field longer than 1024 bytes before the file', request('POST', '/v1/imports?dryRun=true', { ...auth, 'Content-Type': fieldTooLong.type }, fieldTooLong.body), 413],
    ['200: a form with a second file after the one imported', request('POST', '/v1/imports?dryRun=true', { ...auth, 'Content-Type': fileThenMore.type }, fileThenMore.body), 200],
    ['401: a raw body nobody reads (Node discards it itself)', request('POST', '/v1/imports?dryRun=true', { 'Content-Type': 'text/csv' }, Buffer.from(bigFile)), 401],
    // A GET's body is never read (Fastify parses none): nothing may be piped from it, or it stays in the socket.
    ['200: a gzip-encoded body on GET /healthz', request('GET', '/healthz', { 'Content-Type': 'text/plain', ...gzip }, gzipped), 200],
    ['200: a gzip-encoded body on a GET list', request('GET', '/v1/states?limit=1', { 'Content-Type': 'application/json', ...gzip }, gzipped), 200],
  ];
  for (const [what, first, status] of cases) {
    const responses = await onOneConnection(port, [first, HEALTHZ, HEALTHZ]).catch((error: Error) => error);
    if (responses instanceof Error) {
      t.fail(`${what}: ${responses.message}`);
      continue;
    }
    t.same(
      responses.map((response) => response.status),
      [status, 200, 200],
      `${what}: the next requests on the connection are answered`,
    );
    t.not(responses[0]!.headers.connection, 'close', `${what}: the connection is kept`);
  }
});
