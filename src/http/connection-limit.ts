import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

// Each open connection holds a file descriptor and memory until it is closed: with no bound, a client that opened
// idle keep-alive sockets by the thousand took every descriptor the process may hold (RLIMIT_NOFILE), and then
// the database's files, the PostgreSQL pool's connections and the import thread could not be opened either.
// Node's server.maxConnections closes each connection accepted beyond the bound at once (its client sees the
// connection closed before any answer, as when a server is full); the ones already open are answered as before.

/** Descriptors kept for what the service opens besides its clients' connections (the database's files, the import thread, logs, static files), on top of PG_POOL_MAX. */
export const RESERVED_FILES = 256;
/** The default's ceiling whatever the open-file limit: 10,000 idle keep-alive sockets took about 115 MB of RSS (session 37). */
export const MAX_CONNECTIONS_CEILING = 10_000;
/** The open-file limit assumed where it cannot be read (no /proc, or unlimited): Linux's usual soft limit. */
export const ASSUMED_OPEN_FILES = 1024;

/**
 * The open files this process may hold (RLIMIT_NOFILE's soft limit, which Node raises to the hard one at start),
 * from Linux's /proc/self/limits; ASSUMED_OPEN_FILES elsewhere, or when unlimited.
 */
export function openFileLimit(limits = existsSync('/proc/self/limits') ? readFileSync('/proc/self/limits', 'utf8') : ''): number {
  return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? ASSUMED_OPEN_FILES);
}

/** MAX_CONNECTIONS' default: the open-file limit less what the service opens itself, at most the ceiling, at least 1. */
export function defaultMaxConnections(pgPoolMax: number, openFiles = openFileLimit()): number {
  return Math.max(1, Math.min(MAX_CONNECTIONS_CEILING, openFiles - RESERVED_FILES - pgPoolMax));
}

/** MAX_CONNECTIONS_PER_ADDRESS's ceiling when unset: a browser opens 6 connections to a host, a client's pool a few dozen. */
export const CONNECTIONS_PER_ADDRESS_CEILING = 256;

/**
 * MAX_CONNECTIONS_PER_ADDRESS's default: a quarter of MAX_CONNECTIONS (at least 1), at most 256, so that one address
 * cannot take every connection; behind a proxy (TRUST_PROXY set) MAX_CONNECTIONS itself, no bound of its own, as
 * every connection comes from the proxy's address (a bound there would cap the proxy, and all its clients with it).
 */
export function defaultConnectionsPerAddress(maxConnections: number, trustProxy: unknown): number {
  if (trustProxy !== undefined && trustProxy !== false) return maxConnections;
  return Math.max(1, Math.min(CONNECTIONS_PER_ADDRESS_CEILING, Math.floor(maxConnections / 4)));
}

/** How often at most the log says that connections were refused for the bound (with how many since). */
const DROP_LOG_INTERVAL_MS = 60_000;

/**
 * At most `max` connections open at once; one more is closed as soon as it is accepted, and the log says so. A bound
 * the process cannot hold is said at start: with every descriptor taken the process died (under-pressure's memory
 * sample threw EMFILE from a timer).
 */
export function limitConnections(app: FastifyInstance, max: number, openFiles = openFileLimit()): void {
  app.server.maxConnections = max;
  if (max > openFiles - RESERVED_FILES) {
    app.log.warn(
      { maxConnections: max, openFiles },
      `MAX_CONNECTIONS (${max}) leaves less than ${RESERVED_FILES} of the ${openFiles} files this process may open: connections could take every descriptor and the process down; lower it or raise the limit (ulimit -n, LimitNOFILE)`,
    );
  }
  let logged = -Infinity;
  let dropped = 0;
  app.server.on('drop', () => {
    dropped += 1;
    if (performance.now() - logged < DROP_LOG_INTERVAL_MS) return;
    logged = performance.now();
    app.log.warn({ dropped, maxConnections: max }, `connections refused: MAX_CONNECTIONS (${max}) are open`);
    dropped = 0;
  });
}

/**
 * The client a socket's address is counted as: an IPv4 address alone (an IPv4-mapped IPv6 one, `::ffff:1.2.3.4`, as
 * a server listening on `::` sees IPv4 clients, is that IPv4 address), an IPv6 one by its /64 (`2001:db8:0:1::/64`):
 * a site or host is given a /64 at least (RFC 6177), and picks any of its 2^64 addresses for a connection, so each
 * counted alone was no bound at all.
 */
export function addressClient(address: string): string {
  // The rate limits' own reading of an address (hardening.ts): the /64's first address, or the IPv4 one.
  const client = normalizeIP(address);
  return client.includes(':') ? `${client}/64` : client;
}

/**
 * At most `max` connections open at once from one client (the socket's address, an IPv6 one's /64: addressClient):
 * one more is closed as soon as it is accepted, before any answer, and the log says so at most once a minute.
 * MAX_CONNECTIONS alone let one client hold every connection with idle keep-alive sockets, and every other client
 * was then refused until they timed out.
 */
export function limitConnectionsPerAddress(app: FastifyInstance, max: number): void {
  if (max >= app.server.maxConnections) return;
  const open = new Map<string, number>();
  let logged = -Infinity;
  let refused = 0;
  app.server.on('connection', (socket: Socket) => {
    const address = addressClient(socket.remoteAddress ?? '');
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      refused += 1;
      if (performance.now() - logged < DROP_LOG_INTERVAL_MS) return;
      logged = performance.now();
      app.log.warn({ refused, maxConnectionsPerAddress: max, address }, `connections refused: MAX_CONNECTIONS_PER_ADDRESS (${max}) are open from ${address}`);
      refused = 0;
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
