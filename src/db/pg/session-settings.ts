import type pg from 'pg';

// Settings the code relies on, sent by every connection of ours in its start-up packet, where they override what
// the role, the database or postgresql.conf say (ALTER ROLE … SET, ALTER DATABASE … SET): an operator's defaults
// there are for other clients, and under these two the service failed (session 37, docs/reliability-probes.md).
// - default_transaction_isolation: a writer takes the write lock (write-transaction.ts) and must then see what the
//   writer before it committed. Under `repeatable read` or `serializable` its snapshot was taken by the statement
//   that waited for the lock: 8 of 10 concurrent creates citing one new source were a 500 (its URL inserted twice),
//   9 of 10 a 503 under serializable. Snapshots the code wants say so (`begin isolation level repeatable read`).
// - idle_in_transaction_session_timeout: an import's transaction stays open while the import runs in JavaScript on
//   its scratch copy (src/import/pg-scratch.ts), as db:copy's and the seed's do; a role's 200 ms ended every
//   import, answered 503 "cannot be reached" at each retry. The service's transactions always end (try/finally).
// Both are plain settings a role may set (no privilege needed), so a start-up packet may carry them.
export const SESSION_SETTINGS: Readonly<Record<string, string>> = {
  default_transaction_isolation: 'read committed',
  idle_in_transaction_session_timeout: '0',
};

// And unless the pool sets its own (the service's PG_READ_TIMEOUT_MS, src/db/pg/read-timeout.ts): no statement
// timeout. A role's (20 ms in the probe) cut db:copy's bulk statements, and with PG_READ_TIMEOUT_MS=0 ("no limit")
// the service's reads; the commands' work is bounded by its size and the lock timeout, as the service's writes are.
export const SESSION_DEFAULTS: Readonly<Record<string, string>> = { statement_timeout: '0' };

/** `Client` whose connections send SESSION_SETTINGS (and SESSION_DEFAULTS) at start-up, beside the URL's own (e.g. `?options=`). */
export function settledClient(Client: typeof pg.Client): typeof pg.Client {
  return class SettledClient extends Client {
    getStartupConf(): Record<string, string> {
      const conf = (Client.prototype as unknown as { getStartupConf(this: pg.Client): Record<string, string> }).getStartupConf.call(this);
      return { ...SESSION_DEFAULTS, ...conf, ...SESSION_SETTINGS };
    }
  };
}
