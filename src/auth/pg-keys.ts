import type pg from 'pg';
import type { ApiKeyScope } from '../db/schema.js';
import { isWriteRefused } from '../db/write-refused.js';
import {
  type ApiKeyListing,
  type Authentication,
  bearerKey,
  checkStoredKey,
  lastUseIsOld,
  newKeyId,
  newKeySecret,
  presentedKeyId,
  type StoredKey,
} from './keys.js';

// API keys on PostgreSQL (DATABASE_URL): the same keys, checks and last-use record as src/auth/keys.ts, read
// from the database every instance shares, so a key minted or revoked there holds on every instance at once.

export type PgKeyPool = Pick<pg.Pool, 'query'>;
type Pool = PgKeyPool;

/** Reads an `Authorization` header against the keys stored in PostgreSQL, recording the key's use. */
export async function pgAuthenticateHeader(pool: Pool, header: string | undefined, now = new Date()): Promise<Authentication> {
  const presented = bearerKey(header);
  if (typeof presented !== 'string') return presented;
  const id = presentedKeyId(presented);
  if (id === undefined) return { status: 'invalid' };
  const { rows } = await pool.query<StoredKey>({
    name: 'upr-api-key',
    text: 'select id, name, scope, hash, revoked_at, last_used_at from api_keys where id = $1',
    values: [id],
  });
  const auth = checkStoredKey(presented, rows[0]);
  // Recorded to the minute, as on SQLite; without waiting for a row another transaction holds locked, and not at
  // all by a service the database lets only read (write-refused.ts): its keyed reads were each a 500.
  if (auth.status === 'ok' && lastUseIsOld(rows[0]!.last_used_at, now)) {
    await pool
      .query(`update api_keys set last_used_at = $1 where id = (select id from api_keys where id = $2 for update skip locked)`, [now.toISOString(), id])
      .catch((error: unknown) => (isWriteRefused(error) ? undefined : Promise.reject(error)));
  }
  return auth;
}

/** Mints a key in PostgreSQL; the returned `key` is the only time it exists outside its holder's hands. */
export async function pgCreateApiKey(pool: Pool, name: string, scope: ApiKeyScope, now = new Date()): Promise<ApiKeyListing & { key: string }> {
  const id = newKeyId();
  const { key, hash } = newKeySecret(id);
  const createdAt = now.toISOString();
  await pool.query('insert into api_keys (id, name, scope, hash, created_at) values ($1, $2, $3, $4, $5)', [id, name, scope, hash, createdAt]);
  return { id, name, scope, createdAt, lastUsedAt: null, revokedAt: null, key };
}

/** Every key, as `npm run keys -- list` shows them (SQLite's listApiKeys' order). */
export async function pgListApiKeys(pool: Pool): Promise<ApiKeyListing[]> {
  const { rows } = await pool.query<ApiKeyListing>(`select id, name, scope, created_at as "createdAt",
      last_used_at as "lastUsedAt", revoked_at as "revokedAt"
    from api_keys order by created_at, id`);
  return rows;
}

/** Revokes a key; undefined when no key has this id. Revoking twice keeps the first revocation time. */
export async function pgRevokeApiKey(pool: Pool, id: string, now = new Date()): Promise<ApiKeyListing | undefined> {
  await pool.query('update api_keys set revoked_at = $1 where id = $2 and revoked_at is null', [now.toISOString(), id]);
  return (await pgListApiKeys(pool)).find((key) => key.id === id);
}
