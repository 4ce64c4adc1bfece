import type pg from 'pg';
import { passwordNamingClient } from './missing-password.js';
import { settledClient } from './session-settings.js';

// A connection to PostgreSQL that gives up after PG_CONNECT_TIMEOUT_MS. node-postgres waits for ever by default:
// against a host that accepts and never answers (a black-holed address behind a proxy, a hung server) the start,
// and each request that opens a connection, hung for good; against one that drops packets, for the kernel's
// TCP timeout (about two minutes). Only the connection is bounded: a request waiting for a free connection of a
// full pool (PG_POOL_MAX) waits as before.

export const DEFAULT_PG_CONNECT_TIMEOUT_MS = 10_000;

/** node-postgres's message when a client's connectionTimeoutMillis runs out (the error has no code). */
const CONNECT_TIMEOUT = /^timeout expired$/;

/** Whether `error` is a connection to PostgreSQL given up after its timeout. */
export function isConnectTimeout(error: unknown): boolean {
  return error instanceof Error && CONNECT_TIMEOUT.test(error.message);
}

/**
 * The pool's Client class, with `ms` as each connection's timeout (the pool's own connectionTimeoutMillis would
 * bound the wait for a free connection as well), the session settings the code relies on (session-settings.ts) and a
 * missing password said as such (missing-password.ts): every pool and client of ours is made with it.
 */
export function timedClient(Client: typeof pg.Client, ms: number): typeof pg.Client {
  return class TimedClient extends settledClient(passwordNamingClient(Client)) {
    constructor(config: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: ms });
    }
  };
}
