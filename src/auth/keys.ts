import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { type ApiKeyScope, apiKeys } from '../db/schema.js';
import { committedOutsideWrites } from '../db/wal.js';

// API keys for the curation API. A key looks like `uprk_<id>_<secret>`: the id (12 hex digits) names the
// key in listings, logs and revocation; the secret is 32 random bytes. Only the SHA-256 hash of the whole
// key is stored, and the hash of a presented key is compared with it in constant time.

const KEY_PATTERN = /^uprk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

// A key's last use is recorded to the minute: reading a key does not write to the database on every request.
const LAST_USED_RESOLUTION_MS = 60_000;

// Scopes are ordered: a key may do what its scope and every lower scope allow.
const SCOPE_RANK: Record<ApiKeyScope, number> = { write: 1, admin: 2 };

export interface ApiKeyIdentity {
  id: string;
  name: string;
  scope: ApiKeyScope;
}

export interface ApiKeyListing extends ApiKeyIdentity {
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type Authentication =
  | { status: 'none' } // no Authorization header
  | { status: 'malformed' } // an Authorization header that is not `Bearer <key>`
  | { status: 'invalid' } // not a key of ours
  | { status: 'revoked' }
  | { status: 'ok'; key: ApiKeyIdentity };

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

// Compared against when no key has the presented id, so that an unknown id costs as much as a wrong secret.
const NO_HASH = Buffer.alloc(32);

/** A new random key id (to check for a collision before use). */
export function newKeyId(): string {
  return randomBytes(6).toString('hex');
}

/** The key with this id and a new secret, and the hash that is all the database keeps of it. */
export function newKeySecret(id: string): { key: string; hash: string } {
  const key = `uprk_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashKey(key).toString('hex') };
}

/** Mints a key; the returned `key` is the only time it exists outside its holder's hands. */
export function createApiKey(
  db: Db,
  name: string,
  scope: ApiKeyScope,
  now = new Date(),
): ApiKeyListing & { key: string } {
  let id: string;
  do id = newKeyId();
  while (db.get(sql`select 1 from api_keys where id = ${id}`) !== undefined);
  const { key, hash } = newKeySecret(id);
  const createdAt = now.toISOString();
  db.insert(apiKeys).values({ id, name, scope, hash, createdAt }).run();
  return { id, name, scope, createdAt, lastUsedAt: null, revokedAt: null, key };
}

export function listApiKeys(db: Db): ApiKeyListing[] {
  return db.all<ApiKeyListing>(sql`select id, name, scope, created_at as createdAt, last_used_at as lastUsedAt,
      revoked_at as revokedAt
    from api_keys order by created_at, id`);
}

/** Revokes a key; undefined when no key has this id. Revoking twice keeps the first revocation time. */
export function revokeApiKey(db: Db, id: string, now = new Date()): ApiKeyListing | undefined {
  db.run(sql`update api_keys set revoked_at = ${now.toISOString()} where id = ${id} and revoked_at is null`);
  return listApiKeys(db).find((key) => key.id === id);
}

/**
 * Records a key's use, at most once per LAST_USED_RESOLUTION_MS. Never waits for the write lock: while
 * another connection writes (an import), the record is skipped (a later request makes it), so that a read
 * is never slowed or failed by it.
 */
function touchKey(db: Db, id: string, lastUsedAt: string | null, now: Date): void {
  if (!lastUseIsOld(lastUsedAt, now)) return;
  const client = db.$client;
  const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
  client.pragma('busy_timeout = 0');
  try {
    client.prepare('update api_keys set last_used_at = ? where id = ?').run(now.toISOString(), id);
    committedOutsideWrites(client);
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw error;
  } finally {
    client.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/** A key as stored, for checking a presented one (by SQLite's authenticateKey or PostgreSQL's src/auth/pg-keys.ts). */
export interface StoredKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  hash: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** The id of a presented key, or undefined when it is not shaped like one of ours. */
export function presentedKeyId(presented: string): string | undefined {
  return KEY_PATTERN.exec(presented)?.[1];
}

/** A presented key against the stored key with its id (undefined when none has it), in constant time. */
export function checkStoredKey(presented: string, row: StoredKey | undefined): Authentication {
  const matches = timingSafeEqual(hashKey(presented), row ? Buffer.from(row.hash, 'hex') : NO_HASH);
  if (!row || !matches) return { status: 'invalid' };
  if (row.revoked_at !== null) return { status: 'revoked' };
  return { status: 'ok', key: { id: row.id, name: row.name, scope: row.scope } };
}

/** Whether a key's last use is worth recording again (LAST_USED_RESOLUTION_MS). */
export function lastUseIsOld(lastUsedAt: string | null, now: Date): boolean {
  return lastUsedAt === null || now.getTime() - Date.parse(lastUsedAt) >= LAST_USED_RESOLUTION_MS;
}

/** Checks a presented key and records its use. */
export function authenticateKey(db: Db, presented: string, now = new Date()): Authentication {
  const id = presentedKeyId(presented);
  if (id === undefined) return { status: 'invalid' };
  const row = db.get<StoredKey>(sql`select id, name, scope, hash, revoked_at, last_used_at from api_keys where id = ${id}`);
  const auth = checkStoredKey(presented, row);
  if (auth.status === 'ok') touchKey(db, row!.id, row!.last_used_at, now);
  return auth;
}

/** The key an `Authorization` header presents: only `Bearer <key>` is accepted. */
export function bearerKey(header: string | undefined): Authentication | string {
  if (header === undefined) return { status: 'none' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) return { status: 'malformed' };
  return match[1]!;
}

/** Reads an `Authorization` header: only `Bearer <key>` is accepted. */
export function authenticateHeader(db: Db, header: string | undefined): Authentication {
  const key = bearerKey(header);
  return typeof key === 'string' ? authenticateKey(db, key) : key;
}

export function scopeAllows(held: ApiKeyScope, needed: ApiKeyScope): boolean {
  return SCOPE_RANK[held] >= SCOPE_RANK[needed];
}
