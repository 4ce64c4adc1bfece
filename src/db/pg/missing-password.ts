import type pg from 'pg';

// A role PostgreSQL asks for a password (pg_hba.conf's scram-sha-256, md5 or password) given none: not in the URL,
// not in PGPASSWORD, not in ~/.pgpass. node-postgres said `SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be
// a string` (scram-sha-256), PostgreSQL `password authentication failed for user "app"` (md5, as for a wrong one) or
// `empty password returned by client` (password): every command and the start printed that as is (session 40).

/** node-postgres's SCRAM exchange without a password (null), or with an empty one (PGPASSWORD=''). */
const SCRAM_WITHOUT_PASSWORD = /^SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a (non-empty )?string$/;

/** SQLSTATE invalid_password: PostgreSQL refused the password, or its absence. */
const INVALID_PASSWORD = '28P01';

/** `error` said as the password to set when the connection had none to give, else `error` itself. */
export function missingPassword(error: Error, client: { user?: string; password?: unknown }): Error {
  const none = client.password === null || client.password === undefined || client.password === '';
  if (!SCRAM_WITHOUT_PASSWORD.test(error.message) && !(none && (error as { code?: unknown }).code === INVALID_PASSWORD)) return error;
  return Object.assign(
    new Error(
      `PostgreSQL asks the user "${client.user}" for a password and none was given: put it in the URL ` +
        '(postgres://user:password@host/database, percent-encoded) or set PGPASSWORD',
    ),
    { code: INVALID_PASSWORD },
  );
}

/** `Client` whose failed connections say a missing password as missingPassword does (every pool and client of ours). */
export function passwordNamingClient(Client: typeof pg.Client): typeof pg.Client {
  return class PasswordNamingClient extends Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (error: Error) => void): void;
    override connect(callback?: (error: Error) => void): Promise<pg.Client> | void {
      if (callback === undefined) return super.connect().catch((error: Error) => Promise.reject(missingPassword(error, this)));
      super.connect((error: Error | null) => callback((error && missingPassword(error, this)) as Error));
    }
  };
}
