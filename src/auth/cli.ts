import { byLines, commandFailure, parseCommandArgs, wantsJson } from '../common/command-line.js';
import type { Db } from '../db/open.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../db/schema.js';
import { type ApiKeyListing, createApiKey, listApiKeys, revokeApiKey } from './keys.js';
import { type PgKeyPool, pgCreateApiKey, pgListApiKeys, pgRevokeApiKey } from './pg-keys.js';

// `npm run keys -- …`: mint, list and revoke API keys, in SQLite (runKeysCommand) or PostgreSQL
// (runPgKeysCommand): the same arguments, checks and output. Returns the process exit code. With --json, stdout holds
// one JSON document (src/common/command-line.ts): the key created (its token included), the keys listed, the key
// revoked, or the CommandFailure.

export const KEYS_USAGE = `Usage:
  npm run keys -- create --name <name> --scope <write|admin>   mint a key (printed once: store it now)
  npm run keys -- list                                         every key, with its last use and revocation
  npm run keys -- revoke <id>                                  revoke a key (its requests get 401 at once)
  npm run keys -- --help                                       this usage
  --json                                                       with any of them: its result, or why it failed, as JSON`;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

type KeysCommand = ({ kind: 'create'; name: string; scope: ApiKeyScope } | { kind: 'list' } | { kind: 'revoke'; id: string }) & { json: boolean };

export function runKeysCommand(db: Db, argv: string[], io: Output): number {
  const command = parseKeysCommand(argv, io);
  if (typeof command === 'number') return command;
  if (command.kind === 'create') return printCreated(createApiKey(db, command.name, command.scope), command.json, io);
  if (command.kind === 'list') return printList(listApiKeys(db), command.json, io);
  return printRevoked(command.id, revokeApiKey(db, command.id), command.json, io);
}

/**
 * The same command on the keys stored in PostgreSQL (DATABASE_URL). A statement that fails once connected (a role
 * without the privilege on api_keys, the table missing, the connection lost) is the command's failure in a line, as
 * a database that cannot be opened is (and as seed's are): it was thrown, a stack trace and no --json document.
 */
export async function runPgKeysCommand(pool: PgKeyPool, argv: string[], io: Output): Promise<number> {
  const command = parseKeysCommand(argv, io);
  if (typeof command === 'number') return command;
  try {
    if (command.kind === 'create') return printCreated(await pgCreateApiKey(pool, command.name, command.scope), command.json, io);
    if (command.kind === 'list') return printList(await pgListApiKeys(pool), command.json, io);
    return printRevoked(command.id, await pgRevokeApiKey(pool, command.id), command.json, io);
  } catch (error) {
    const what = { create: 'No key was created', list: 'The keys could not be listed', revoke: 'No key was revoked' }[command.kind];
    return commandFailure(byLines(io), command.json, 'failed', `${what}: PostgreSQL answered ${pgReason(error as Error)}.`);
  }
}

/** The SQLSTATE of an error PostgreSQL sent (pg's DatabaseError: a severity and a code), else undefined. */
function sqlstate(error: unknown): string | undefined {
  const { severity, code } = (error ?? {}) as { severity?: unknown; code?: unknown };
  return typeof severity === 'string' && typeof code === 'string' ? code : undefined;
}

const pgReason = (error: Error): string => `"${error.message}"${sqlstate(error) === undefined ? '' : ` (SQLSTATE ${sqlstate(error)})`}`;

/**
 * The exit code of wrong usage (explained on io.err) or of --help (the usage on io.out, 0: it was an unknown
 * option, 2), undefined for a command: checked before the environment is read or a database opened.
 */
export function keysUsageError(argv: string[], io: Output): number | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(KEYS_USAGE);
    return 0;
  }
  const command = parseKeysCommand(argv, io);
  return typeof command === 'number' ? command : undefined;
}

/** The command the arguments ask for, or the exit code of wrong usage (explained on io.err). */
function parseKeysCommand(argv: string[], io: Output): KeysCommand | number {
  const json = wantsJson(argv);
  const wrong = (message: string) => commandFailure(byLines(io), json, 'usage', message, KEYS_USAGE);
  let parsed;
  try {
    parsed = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, scope: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
  } catch (error) {
    return wrong((error as Error).message);
  }
  const { positionals, values } = parsed;
  const [command, ...rest] = positionals;
  if (command === 'create' && rest.length === 0) {
    const create = parseCreate(values);
    return typeof create === 'string' ? wrong(create) : { ...create, json };
  }
  if (command === 'list' && rest.length === 0 && values.name === undefined && values.scope === undefined) {
    return { kind: 'list', json };
  }
  if (command === 'revoke' && rest.length === 1) return { kind: 'revoke', id: rest[0]!, json };
  return wrong(usageFault(command, rest, values));
}

const COMMANDS = ['create', 'list', 'revoke'];

/** What is wrong with arguments no command takes, in a line (it printed the usage alone: the user had to guess). */
function usageFault(command: string | undefined, rest: string[], values: { name?: string; scope?: string }): string {
  const quoted = rest.map((arg) => JSON.stringify(arg)).join(', ');
  if (command === undefined) return 'Give a command: create, list or revoke.';
  if (!COMMANDS.includes(command)) return `Unknown command ${JSON.stringify(command)}: give create, list or revoke.`;
  if (command === 'create') return `create takes no argument but --name and --scope; given ${quoted}.`;
  if (command === 'revoke') return rest.length === 0 ? "Give the id of the key to revoke (see: npm run keys -- list)." : `Give one key id to revoke, not ${rest.length}: ${quoted}.`;
  const options = [values.name === undefined ? [] : ['--name'], values.scope === undefined ? [] : ['--scope']].flat();
  return `list takes no argument or option; given ${[...rest.map((arg) => JSON.stringify(arg)), ...options].join(', ')}.`;
}

/** The key to create, or what is wrong with its options. */
function parseCreate(values: { name?: string; scope?: string }): { kind: 'create'; name: string; scope: ApiKeyScope } | string {
  const name = values.name?.trim() ?? '';
  if (name.length === 0 || name.length > 100) return 'Give the key a name of 1 to 100 characters with --name (who holds it, e.g. "kyrgyz-watch").';
  // The name is the actor of every record's history and a column of the listing: a tab or a line break broke both.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) {
    return 'Give --name without control or invisible characters (a tab, a line break): it is shown in listings and histories.';
  }
  // The seed leaves alone what another actor wrote (seed/audit.ts): writes by a key named so would not be.
  if (name === 'seed') return 'Give --name another name: "seed" is the actor of `npm run seed`, which treats its records\' changes as its own.';
  if (!API_KEY_SCOPES.includes(values.scope as ApiKeyScope)) {
    const given = values.scope === undefined ? '' : ` (given ${JSON.stringify(values.scope)})`;
    return `Give --scope ${API_KEY_SCOPES.join(' or ')}${given}.`;
  }
  return { kind: 'create', name, scope: values.scope as ApiKeyScope };
}

function printCreated(key: ApiKeyListing & { key: string }, json: boolean, io: Output): number {
  if (json) {
    io.out(JSON.stringify(key));
    return 0;
  }
  io.out(`Created API key ${key.id} "${key.name}" with scope ${key.scope}.`);
  io.out('The key is shown this once; only its hash is stored. Send it as `Authorization: Bearer <key>`:');
  io.out('');
  io.out(key.key);
  return 0;
}

function printList(keys: ApiKeyListing[], json: boolean, io: Output): number {
  if (json) {
    io.out(JSON.stringify({ keys }));
    return 0;
  }
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

function printRevoked(id: string, key: ApiKeyListing | undefined, json: boolean, io: Output): number {
  if (!key) return commandFailure(byLines(io), json, 'failed', `No API key has the id "${id}" (see: npm run keys -- list).`);
  if (json) {
    io.out(JSON.stringify(key));
    return 0;
  }
  io.out(`API key ${key.id} "${key.name}" is revoked (since ${key.revokedAt}).`);
  return 0;
}
