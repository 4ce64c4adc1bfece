import { parseArgs } from 'node:util';
import type { Db } from '../db/open.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../db/schema.js';
import { createApiKey, listApiKeys, revokeApiKey } from './keys.js';

// `npm run keys -- …`: mint, list and revoke API keys. Returns the process exit code.

export const KEYS_USAGE = `Usage:
  npm run keys -- create --name <name> --scope <write|admin>   mint a key (printed once: store it now)
  npm run keys -- list                                         every key, with its last use and revocation
  npm run keys -- revoke <id>                                  revoke a key (its requests get 401 at once)`;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export function runKeysCommand(db: Db, argv: string[], io: Output): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, scope: { type: 'string' } },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${KEYS_USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, ...rest] = positionals;
  if (command === 'create' && rest.length === 0) return create(db, values, io);
  if (command === 'list' && rest.length === 0 && values.name === undefined && values.scope === undefined) {
    return list(db, io);
  }
  if (command === 'revoke' && rest.length === 1) return revoke(db, rest[0]!, io);
  io.err(KEYS_USAGE);
  return 2;
}

function create(db: Db, values: { name?: string; scope?: string }, io: Output): number {
  const name = values.name?.trim() ?? '';
  if (name.length === 0 || name.length > 100) {
    io.err(`Give the key a name of 1 to 100 characters with --name (who holds it, e.g. "kyrgyz-watch").\n${KEYS_USAGE}`);
    return 2;
  }
  if (!API_KEY_SCOPES.includes(values.scope as ApiKeyScope)) {
    io.err(`Give --scope ${API_KEY_SCOPES.join(' or ')}.\n${KEYS_USAGE}`);
    return 2;
  }
  const key = createApiKey(db, name, values.scope as ApiKeyScope);
  io.out(`Created API key ${key.id} "${key.name}" with scope ${key.scope}.`);
  io.out('The key is shown this once; only its hash is stored. Send it as `Authorization: Bearer <key>`:');
  io.out('');
  io.out(key.key);
  return 0;
}

function list(db: Db, io: Output): number {
  const keys = listApiKeys(db);
  if (keys.length === 0) {
    io.out('No API keys. Mint one with: npm run keys -- create --name <name> --scope write');
    return 0;
  }
  io.out(['id', 'scope', 'created', 'last used', 'revoked', 'name'].join('\t'));
  for (const key of keys) {
    io.out([key.id, key.scope, key.createdAt, key.lastUsedAt ?? '-', key.revokedAt ?? '-', key.name].join('\t'));
  }
  return 0;
}

function revoke(db: Db, id: string, io: Output): number {
  const key = revokeApiKey(db, id);
  if (!key) {
    io.err(`No API key has the id "${id}" (see: npm run keys -- list).`);
    return 1;
  }
  io.out(`API key ${key.id} "${key.name}" is revoked (since ${key.revokedAt}).`);
  return 0;
}
