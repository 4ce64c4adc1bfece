import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { addressClient, limitConnectionsPerAddress } from '../src/http/connection-limit.js';
import { buildTestApp, unlessHanging } from './helpers.js';

// MAX_CONNECTIONS (src/http/connection-limit.ts): with that many connections open, one more is closed by the
// server before any answer, and the ones open are still answered. Before, nothing bounded them: idle keep-alive
// sockets by the thousand took every file descriptor the process may hold.

/** Sends GET /healthz on `socket` and resolves with the whole answer (its Content-Length read). */
function healthz(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1]);
      if (head !== -1 && text.length >= head + 4 + length) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  });
}

/** A connection to `port` (from `localAddress`), and what it received before the server closed it. */
async function connectTo(port: number, localAddress = '127.0.0.1'): Promise<{ socket: net.Socket; closed: Promise<string> }> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  // A connection the server closes at once may be reset rather than ended: either is a close.
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => received);
  await once(socket, 'connect');
  return { socket, closed };
}

t.test('MAX_CONNECTIONS open: one more is closed before any answer, and those open are still answered', async (t) => {
  let log = '';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  const app = await buildTestApp(t, { maxConnections: 3, maxConnectionsPerAddress: 3, logLevel: 'warn', logStream });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  // The server's side of each connection it accepted (one beyond the bound is not).
  const accepted: net.Socket[] = [];
  app.server.on('connection', (socket: net.Socket) => accepted.push(socket));
  const open = [];
  for (let i = 0; i < 3; i++) {
    const connection = await connectTo(port);
    t.teardown(() => connection.socket.destroy());
    t.match(await healthz(connection.socket), /^HTTP\/1\.1 200 /, `connection ${i + 1} is answered`);
    open.push(connection);
  }

  const fourth = await connectTo(port);
  t.teardown(() => fourth.socket.destroy());
  fourth.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  t.equal(await unlessHanging(fourth.closed, 30_000, 'the fourth connection, closed by the server'), '', 'the fourth connection is closed by the server, unanswered');
  const fifth = await connectTo(port);
  t.teardown(() => fifth.socket.destroy());
  t.equal(await unlessHanging(fifth.closed, 30_000, 'the fifth connection, closed by the server'), '', 'so is a fifth');

  for (const [i, connection] of open.entries()) {
    t.match(await healthz(connection.socket), /^HTTP\/1\.1 200 /, `connection ${i + 1}, kept alive, is still answered`);
  }
  const warnings = log.split('\n').filter((line) => line.includes('connections refused'));
  t.equal(warnings.length, 1, 'the log says so once (at most once a minute), not at each refusal');
  t.match(JSON.parse(warnings[0]!), { level: 40, dropped: 1, maxConnections: 3, msg: 'connections refused: MAX_CONNECTIONS (3) are open' });

  // The bound is on connections open at once: one closed (seen closed by the server), a new one is served.
  const third = open.pop()!;
  third.socket.end();
  await once(accepted[2]!, 'close');
  const next = await connectTo(port);
  t.teardown(() => next.socket.destroy());
  t.match(await healthz(next.socket), /^HTTP\/1\.1 200 /, 'a connection opened once one has closed is answered');
});

t.test('a MAX_CONNECTIONS the open-file limit cannot hold is said at start', async (t) => {
  let log = '';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  await buildTestApp(t, { maxConnections: 1_000_000, logLevel: 'warn', logStream });
  t.match(log, /"maxConnections":1000000,"openFiles":\d+,"msg":"MAX_CONNECTIONS \(1000000\) leaves less than 256 of the \d+ files this process may open/);
  log = '';
  await buildTestApp(t, { maxConnections: 3, logLevel: 'warn', logStream });
  t.notMatch(log, /MAX_CONNECTIONS/, 'not of one it can');
});

t.test('MAX_CONNECTIONS_PER_ADDRESS: one address cannot hold every connection; another is still served', async (t) => {
  let log = '';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  // 2 of 8 (unset, a quarter: test/config.test.ts). Before, one address's 8 idle keep-alive connections took them
  // all, and a client at another address was closed unanswered until one of them timed out.
  const app = await buildTestApp(t, { maxConnections: 8, maxConnectionsPerAddress: 2, logLevel: 'warn', logStream });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const accepted: net.Socket[] = [];
  app.server.on('connection', (socket: net.Socket) => accepted.push(socket));
  const mine = [];
  for (let i = 0; i < 2; i++) {
    const connection = await connectTo(port);
    t.teardown(() => connection.socket.destroy());
    t.match(await healthz(connection.socket), /^HTTP\/1\.1 200 /, `127.0.0.1's connection ${i + 1} is answered`);
    mine.push(connection);
  }
  for (let i = 0; i < 6; i++) {
    const more = await connectTo(port);
    t.teardown(() => more.socket.destroy());
    more.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    t.equal(await unlessHanging(more.closed, 30_000, 'a connection over the bound'), '', `127.0.0.1's connection ${i + 3} is closed unanswered`);
  }
  // Linux routes the whole of 127.0.0.0/8 to the loopback: another client address on the same host.
  const other = await connectTo(port, '127.0.0.2');
  t.teardown(() => other.socket.destroy());
  t.match(await healthz(other.socket), /^HTTP\/1\.1 200 /, 'a client at another address is served');
  for (const connection of mine) t.match(await healthz(connection.socket), /^HTTP\/1\.1 200 /, "127.0.0.1's open connections are still answered");
  const warnings = log.split('\n').filter((line) => line.includes('MAX_CONNECTIONS_PER_ADDRESS'));
  t.equal(warnings.length, 1, 'the log says so once a minute at most');
  t.match(JSON.parse(warnings[0]!), { level: 40, refused: 1, maxConnectionsPerAddress: 2, address: '127.0.0.1' });

  // One closed (seen closed by the server), the address may open another.
  const closing = mine.pop()!;
  const serverSide = accepted.find((socket) => socket.remotePort === closing.socket.localPort)!;
  closing.socket.end();
  await once(serverSide, 'close');
  const again = await connectTo(port);
  t.teardown(() => again.socket.destroy());
  t.match(await healthz(again.socket), /^HTTP\/1\.1 200 /, 'a connection opened once one has closed is answered');
});


t.test("MAX_CONNECTIONS_PER_ADDRESS counts an IPv6 client by its /64, an IPv4-mapped one by its IPv4 address", async (t) => {
  t.equal(addressClient('192.0.2.7'), '192.0.2.7');
  t.equal(addressClient('::ffff:192.0.2.7'), '192.0.2.7', 'as a server on :: sees an IPv4 client');
  t.equal(addressClient('2001:db8:0:1:aaaa::2'), '2001:db8:0:1::/64');
  t.equal(addressClient('2001:0db8:0000:0001:ffff:ffff:ffff:ffff'), '2001:db8:0:1::/64', 'written in full');
  t.equal(addressClient('2001:db8::1'), '2001:db8::/64', ':: within the prefix');
  t.equal(addressClient('fe80::1%eth0'), 'fe80::/64', 'a zone');
  t.equal(addressClient('1:2:3::4:192.0.2.7'), '1:2:3::/64', 'an IPv4 tail is two groups');
  // The loopback has one IPv6 address (::1): sockets from one /64's many addresses are made up, on a server of
  // their own, to count them as the server's 'connection' listener does.
  const server = Object.assign(new EventEmitter(), { maxConnections: 8 });
  const warnings: unknown[] = [];
  const app = { server, log: { warn: (fields: unknown) => warnings.push(fields) } } as unknown as FastifyInstance;
  limitConnectionsPerAddress(app, 2);
  const connect = (remoteAddress: string) => {
    const socket = Object.assign(new EventEmitter(), { remoteAddress, destroyed: false, destroy: () => void (socket.destroyed = true) });
    server.emit('connection', socket);
    return socket;
  };
  const first = [connect('2001:db8:0:1::a'), connect('2001:db8:0:1:ffff::b')];
  t.same(first.map((socket) => socket.destroyed), [false, false], "two of the /64's addresses are let in");
  const third = connect('2001:db8:0:1:1234:5678:9abc:def0');
  t.ok(third.destroyed, 'a third address of the same /64 is over its bound (before, each address was counted alone)');
  t.match(warnings, [{ refused: 1, maxConnectionsPerAddress: 2, address: '2001:db8:0:1::/64' }]);
  t.notOk(connect('2001:db8:0:2::a').destroyed, 'another /64 is another client');
  t.notOk(connect('::ffff:192.0.2.7').destroyed, 'an IPv4 client');
  first[0]!.emit('close');
  t.notOk(connect('2001:db8:0:1::c').destroyed, 'one closed, the /64 may open another');
});
