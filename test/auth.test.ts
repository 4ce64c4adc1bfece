import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { type Output, runKeysCommand, runPgKeysCommand } from '../src/auth/cli.js';
import {
  type ApiKeyListing,
  type Authentication,
  authenticateHeader,
  authenticateKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from '../src/auth/keys.js';
import { pgAuthenticateHeader, pgCreateApiKey, pgListApiKeys, pgRevokeApiKey } from '../src/auth/pg-keys.js';
import { openDatabase } from '../src/db/open.js';
import type { ApiKeyScope } from '../src/db/schema.js';
import { mintKey, send, TS_NODE_ARGS } from './curation-helpers.js';
import { buildTestApp, postgresSide, sqliteOnly, tempDir, testBackend } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

const DEVELOPMENT = 'kgz-2020-09-domestic-violence-impunity';

// Every write route, with what a valid key of the right scope gets for a minimal request (so that passing
// authentication is proven by a status that only comes after it).
const WRITE_ROUTES: { method: string; path: string; url: string; scope: 'write' | 'admin'; authorized: number }[] = [
  { method: 'POST', path: '/v1/recommendations', url: '/v1/recommendations', scope: 'write', authorized: 400 },
  { method: 'PATCH', path: '/v1/recommendations/{id}', url: '/v1/recommendations/KGZ-3-FIN-1', scope: 'write', authorized: 400 },
  { method: 'DELETE', path: '/v1/recommendations/{id}', url: '/v1/recommendations/KGZ-3-FIN-1', scope: 'write', authorized: 428 },
  { method: 'PUT', path: '/v1/recommendations/{id}/themes/{themeId}', url: '/v1/recommendations/KGZ-3-GBR-1/themes/human-rights-defenders', scope: 'write', authorized: 200 },
  { method: 'DELETE', path: '/v1/recommendations/{id}/themes/{themeId}', url: '/v1/recommendations/KGZ-3-GBR-1/themes/human-rights-defenders', scope: 'write', authorized: 200 },
  { method: 'POST', path: '/v1/developments', url: '/v1/developments', scope: 'write', authorized: 400 },
  { method: 'PATCH', path: '/v1/developments/{id}', url: `/v1/developments/${DEVELOPMENT}`, scope: 'write', authorized: 400 },
  { method: 'DELETE', path: '/v1/developments/{id}', url: `/v1/developments/${DEVELOPMENT}`, scope: 'write', authorized: 428 },
  { method: 'PUT', path: '/v1/developments/{id}/recommendations/{recommendationId}', url: `/v1/developments/${DEVELOPMENT}/recommendations/KGZ-3-FIN-1`, scope: 'write', authorized: 200 },
  { method: 'DELETE', path: '/v1/developments/{id}/recommendations/{recommendationId}', url: `/v1/developments/${DEVELOPMENT}/recommendations/KGZ-3-FIN-1`, scope: 'write', authorized: 200 },
  { method: 'POST', path: '/v1/assessments', url: '/v1/assessments', scope: 'write', authorized: 400 },
  { method: 'PATCH', path: '/v1/assessments/{id}', url: '/v1/assessments/KGZ-3-FIN-1-2020-09-28', scope: 'write', authorized: 400 },
  { method: 'DELETE', path: '/v1/assessments/{id}', url: '/v1/assessments/KGZ-3-FIN-1-2020-09-28', scope: 'write', authorized: 428 },
  { method: 'POST', path: '/v1/statements', url: '/v1/statements', scope: 'write', authorized: 400 },
  { method: 'PATCH', path: '/v1/statements/{id}', url: '/v1/statements/KGZ-3-IRL-interactive-dialogue', scope: 'write', authorized: 400 },
  { method: 'DELETE', path: '/v1/statements/{id}', url: '/v1/statements/KGZ-3-IRL-interactive-dialogue', scope: 'write', authorized: 428 },
  { method: 'POST', path: '/v1/reviews', url: '/v1/reviews', scope: 'admin', authorized: 400 },
  { method: 'PATCH', path: '/v1/reviews/{id}', url: '/v1/reviews/KGZ-3', scope: 'admin', authorized: 400 },
  { method: 'DELETE', path: '/v1/reviews/{id}', url: '/v1/reviews/KGZ-3', scope: 'admin', authorized: 428 },
  { method: 'POST', path: '/v1/states', url: '/v1/states', scope: 'admin', authorized: 400 },
  { method: 'PATCH', path: '/v1/states/{id}', url: '/v1/states/KGZ', scope: 'admin', authorized: 400 },
  { method: 'DELETE', path: '/v1/states/{id}', url: '/v1/states/KGZ', scope: 'admin', authorized: 428 },
];

t.test('the auth matrix: every write route, with no key, a wrong, revoked, under-scoped and right key', async (t) => {
  const app = await buildTestApp(t);
  const writer = mintKey(app, 'write', 'writer');
  const admin = mintKey(app, 'admin', 'admin');
  const revoked = { key: mintKey(app, 'admin', 'former') };
  await revokeAppKey(app, revoked.key.slice(5, 17));
  const wrongSecret = `${writer.slice(0, 18)}${'A'.repeat(43)}`;
  const unknownId = `uprk_000000000000_${writer.slice(18)}`;

  // The route table above is complete: every POST, PATCH, PUT and DELETE of the curated resources is in it.
  const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const curated = /^\/v1\/(recommendations|developments|assessments|statements|reviews|states)(\/|$)/;
  const paths = Object.entries<Record<string, { security?: unknown }>>(spec.paths).filter(([path]) => curated.test(path));
  const documented = paths.flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== 'get')
      .map(([method, operation]) => {
        t.same(operation.security, [{ bearerAuth: [] }], `${method} ${path} declares the bearer scheme`);
        return `${method.toUpperCase()} ${path}`;
      }),
  );
  t.same(
    documented.sort(),
    WRITE_ROUTES.map(({ method, path }) => `${method} ${path}`).sort(),
    'the matrix covers every write operation',
  );

  const problem = (response: { statusCode: number; headers: Record<string, unknown>; json(): any }) => ({
    status: response.statusCode,
    type: String(response.headers['content-type']).split(';')[0],
    challenge: response.headers['www-authenticate'],
    body: response.json().status,
  });

  for (const route of WRITE_ROUTES) {
    const name = `${route.method} ${route.url}`;
    const call = (authorization?: string) =>
      app.inject({
        method: route.method as 'POST',
        url: route.url,
        headers: authorization === undefined ? {} : { authorization },
        ...(route.method === 'POST' || route.method === 'PATCH' ? { payload: {} } : {}),
      });

    // The refused requests at once (a refusal reads and writes nothing the others depend on); then the
    // accepted ones, one after the other, as their answers depend on the writes before them.
    const [none, basic, notKey, wrong, unknown, gone, under] = await Promise.all([
      call(),
      call(`Basic ${Buffer.from(`user:${writer}`).toString('base64')}`),
      call('Bearer not-a-key'),
      call(`Bearer ${wrongSecret}`),
      call(`Bearer ${unknownId}`),
      call(`Bearer ${revoked.key}`),
      route.scope === 'admin' ? call(`bearer ${writer}`) : undefined,
    ]);
    t.same(
      problem(none),
      { status: 401, type: 'application/problem+json', challenge: 'Bearer realm="upr-tracker"', body: 401 },
      `${name}: no key`,
    );
    const invalid = { status: 401, type: 'application/problem+json', challenge: 'Bearer realm="upr-tracker", error="invalid_token"', body: 401 };
    t.same(problem(basic), invalid, `${name}: not Bearer`);
    t.same(problem(notKey), invalid, `${name}: not a key`);
    t.same(problem(wrong), invalid, `${name}: a wrong secret`);
    t.same(problem(unknown), invalid, `${name}: an unknown key`);
    t.same(problem(gone), invalid, `${name}: a revoked key`);
    t.match(gone.json().detail, /revoked/);
    if (under !== undefined) {
      t.equal(under.statusCode, 403, `${name}: a write key is not enough`);
      t.match(under.headers['content-type'], /^application\/problem\+json/);
      t.match(under.json().detail, /"admin" scope; this key has the "write" scope/);
      t.equal((await call(`Bearer ${admin}`)).statusCode, route.authorized, `${name}: an admin key`);
    } else {
      t.equal((await call(`Bearer ${writer}`)).statusCode, route.authorized, `${name}: a write key`);
      t.equal((await call(`Bearer ${admin}`)).statusCode, route.authorized, `${name}: an admin key may write too`);
    }
  }
});

t.test('keys: sent in the Authorization header only; reads need none; a refused request is not read', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const inQuery = await app.inject({ method: 'POST', url: `/v1/recommendations?api_key=${key}`, payload: {} });
  t.equal(inQuery.statusCode, 401, 'a key in the query string is not a key');
  const read = (authorization: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: '/v1/recommendations?cycle=3', headers: { authorization, ...headers } });
  const anonymous = await app.inject('/v1/recommendations?cycle=3');
  t.equal(anonymous.statusCode, 200, 'reads need no key');
  t.equal((await read(`Bearer ${key}`)).body, anonymous.body, 'a read with a valid key');
  t.equal((await read(`Basic ${Buffer.from('user:pass').toString('base64')}`)).body, anonymous.body, 'another scheme (a proxy’s) is ignored on reads');
  const revokedKey = mintKey(app, 'write', 'former');
  await revokeAppKey(app, revokedKey.slice(5, 17));
  for (const [authorization, detail] of [
    ['Bearer wrong', /not valid/],
    [`Bearer ${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, /not valid/],
    [`Bearer ${revokedKey}`, /revoked/],
    // The Bearer scheme without one token: a script's empty $KEY, or a key pasted with a space.
    ['Bearer ', /Authorization: Bearer <key>/],
    [`Bearer ${key.slice(0, 10)} ${key.slice(10)}`, /Authorization: Bearer <key>/],
  ] as const) {
    // Even a cached answer (the list was just served) or a conditional request is refused.
    for (const headers of [{}, { 'if-none-match': String(anonymous.headers.etag) }] as Record<string, string>[]) {
      const refused = await read(authorization, headers);
      t.equal(refused.statusCode, 401, `${authorization.slice(0, 20)}…: a bad Bearer key on a read is a 401`);
      t.match(refused.headers['content-type'], /^application\/problem\+json/);
      t.match(refused.headers['www-authenticate'], /error="invalid_token"/);
      t.match(refused.json().detail, detail);
    }
  }
  const huge = await app.inject({
    method: 'POST',
    url: '/v1/recommendations',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ text: 'x'.repeat(2_000_000) }),
  });
  t.equal(huge.statusCode, 401, 'without a key, the body is not even read (401, not 413)');
});

t.test('keys: minted, hashed, checked, used and revoked', async (t) => {
  const keys = await backendKeys(t);
  const minted = await keys.create('kyrgyz-watch', 'write', new Date('2026-01-01T00:00:00Z'));
  t.match(minted.key, /^uprk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  t.equal(minted.key.slice(5, 17), minted.id, 'the key names its id');
  const stored = await keys.rows();
  t.equal(stored.length, 1);
  t.notOk(JSON.stringify(stored).includes(minted.key.slice(18)), 'the secret is stored nowhere');
  t.match(stored[0]!.hash, /^[0-9a-f]{64}$/);
  t.not((await keys.create('other', 'admin')).key, minted.key);

  const used = new Date('2026-02-01T10:00:00Z');
  t.same(await keys.authenticate(minted.key, used), {
    status: 'ok',
    key: { id: minted.id, name: 'kyrgyz-watch', scope: 'write' },
  });
  const lastUsed = async () => (await keys.list()).find((k) => k.id === minted.id)!.lastUsedAt;
  t.equal(await lastUsed(), '2026-02-01T10:00:00.000Z', 'its use is recorded');
  await keys.authenticate(minted.key, new Date('2026-02-01T10:00:30Z'));
  t.equal(await lastUsed(), '2026-02-01T10:00:00.000Z', 'to the minute: not rewritten by every request');
  await keys.authenticate(minted.key, new Date('2026-02-01T10:01:01Z'));
  t.equal(await lastUsed(), '2026-02-01T10:01:01.000Z');

  t.same(await keys.authenticate(`${minted.key.slice(0, -1)}${minted.key.endsWith('A') ? 'B' : 'A'}`), { status: 'invalid' });
  t.same(await keys.authenticate(minted.key.toUpperCase()), { status: 'invalid' });
  t.same(await keys.header(undefined), { status: 'none' });
  t.same(await keys.header(minted.key), { status: 'malformed' }, 'the scheme is needed');
  t.same((await keys.header(`BEARER   ${minted.key}`)).status, 'ok', 'the scheme is case-insensitive');

  const revokedAt = new Date('2026-03-01T00:00:00Z');
  t.equal((await keys.revoke(minted.id, revokedAt))!.revokedAt, '2026-03-01T00:00:00.000Z');
  t.equal((await keys.revoke(minted.id))!.revokedAt, '2026-03-01T00:00:00.000Z', 'revoking again keeps the first time');
  t.same(await keys.authenticate(minted.key), { status: 'revoked' });
  t.equal(await keys.revoke('nope'), undefined);
});

t.test('npm run keys: create, list, revoke', async (t) => {
  const keys = await backendKeys(t);
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await keys.command(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  t.match(await run('list'), { code: 0, out: /No API keys/ });
  const created = await run('create', '--name', 'kyrgyz-watch', '--scope', 'write');
  t.equal(created.code, 0);
  const key = /^(uprk_\S+)$/m.exec(created.out)![1]!;
  const id = key.slice(5, 17);
  t.match(created.out, new RegExp(`Created API key ${id} "kyrgyz-watch" with scope write`));
  t.match(created.out, /shown this once/);
  t.equal((await keys.authenticate(key)).status, 'ok', 'the printed key works');

  const listed = await run('list');
  t.equal(listed.code, 0);
  t.match(listed.out, new RegExp(`${id}\twrite\t\\S+\t\\S+\t-\tkyrgyz-watch`), 'with its last use');
  t.notOk(listed.out.includes(key.slice(18)), 'a listing never shows a key');

  t.match(await run('revoke', id), { code: 0, out: new RegExp(`${id} "kyrgyz-watch" is revoked`) });
  t.equal((await keys.authenticate(key)).status, 'revoked');
  t.match(await run('revoke', 'nope'), { code: 1, err: /No API key has the id "nope"/ });
  await run('create', '--name', 'unused', '--scope', 'admin');
  const afterRevocation = (await run('list')).out.split('\n');
  t.match(afterRevocation[1], new RegExp(`^${id}\twrite\t\\S+\t\\S+\t20\\S+\tkyrgyz-watch$`), 'the revocation is listed');
  t.match(afterRevocation[2], /^[0-9a-f]{12}\tadmin\t\S+\t-\t-\tunused$/, 'a key never used');

  t.match(await run('create', '--scope', 'write'), { code: 2, err: /--name/ });
  t.match(await run('create', '--name', '  ', '--scope', 'write'), { code: 2, err: /--name/ });
  t.match(await run('create', '--name', 'x'.repeat(101), '--scope', 'write'), { code: 2, err: /--name/ });
  for (const name of ['kyrgyz\twatch', 'kyrgyz\nwatch', 'kyrgyz\u200bwatch', 'a\u2028b']) {
    t.match(await run('create', '--name', name, '--scope', 'write'), { code: 2, err: /--name without control or invisible characters/ }, [...name].map((c) => c.codePointAt(0)!.toString(16)).join(' '));
  }
  // The seed's own actor: a curator's writes under it would read as the seed's, which `npm run seed` then redoes
  // (a seeded record the curator deleted created again, an alias removed added back).
  for (const name of ['seed', ' seed ']) {
    t.match(await run('create', '--name', name, '--scope', 'write'), { code: 2, err: /"seed" is the actor of `npm run seed`/ }, name);
  }
  t.match(await run('create', '--name', 'x', '--scope', 'read'), { code: 2, err: /^Give --scope write or admin \(given "read"\)\.\n/ });
  t.match(await run('create', '--name', 'x'), { code: 2, err: /^Give --scope write or admin\.\n/ });
  t.match(await run('create', '--name', 'x', '--colour', 'blue'), { code: 2, err: /Unknown option/ });
  // Each wrong usage says what is wrong before the usage (it printed the usage alone).
  const faults: [string[], string][] = [
    [['list', '--name', 'x'], 'list takes no argument or option; given --name.'],
    [['list', 'all'], 'list takes no argument or option; given "all".'],
    [['revoke'], 'Give the id of the key to revoke (see: npm run keys -- list).'],
    [['revoke', 'a', 'b'], 'Give one key id to revoke, not 2: "a", "b".'],
    [['create', 'kyrgyz-watch', '--scope', 'write'], 'create takes no argument but --name and --scope; given "kyrgyz-watch".'],
    [['mint'], 'Unknown command "mint": give create, list or revoke.'],
    [[], 'Give a command: create, list or revoke.'],
  ];
  for (const [argv, fault] of faults) t.match(await run(...argv), { code: 2, err: `${fault}\nUsage:` }, argv.join(' '));
  t.equal((await keys.list()).length, 2, 'no failed command minted a key');
});

t.test('npm run keys -- --json: one JSON document on stdout, the result or the failure, whatever the command', async (t) => {
  const keys = await backendKeys(t);
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await keys.command(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    t.equal(out.length, 1, `one line on stdout: ${argv.join(' ')}`);
    return { code, document: JSON.parse(out[0]!), err: err.join('\n') };
  };
  const created = await run('--json', 'create', '--name', 'kyrgyz-watch', '--scope', 'write');
  t.match(created, { code: 0, document: { name: 'kyrgyz-watch', scope: 'write', lastUsedAt: null, revokedAt: null }, err: '' });
  const { id, key, createdAt } = created.document as { id: string; key: string; createdAt: string };
  t.equal(key.slice(5, 17), id, 'the token, with its id');
  t.equal((await keys.authenticate(key)).status, 'ok', 'the printed key works');

  const listed = await run('list', '--json');
  t.match(listed, { code: 0, err: '' });
  t.same(listed.document, { keys: [{ id, name: 'kyrgyz-watch', scope: 'write', createdAt, lastUsedAt: (await keys.list())[0]!.lastUsedAt, revokedAt: null }] });
  t.notOk(JSON.stringify(listed.document).includes(key.slice(18)), 'a listing never shows a key');

  const revoked = await run('revoke', id, '--json');
  t.match(revoked, { code: 0, document: { id, name: 'kyrgyz-watch', revokedAt: /^20/ } });
  t.equal((await keys.authenticate(key)).status, 'revoked');

  const missing = await run('revoke', 'nope', '--json');
  t.same(missing.document, { error: { kind: 'failed', message: 'No API key has the id "nope" (see: npm run keys -- list).', exitStatus: 1 } });
  t.match(missing, { code: 1, err: /^No API key has the id "nope"/ }, 'the message on stderr too');
  const scope = await run('create', '--name', 'x', '--scope', 'read', '--json');
  t.same(scope.document, { error: { kind: 'usage', message: 'Give --scope write or admin (given "read").', exitStatus: 2 } });
  t.match(scope, { code: 2, err: /^Give --scope write or admin \(given "read"\)\.\nUsage:/ });
  t.match(await run('list', 'all', '--json'), { code: 2, document: { error: { kind: 'usage', message: 'list takes no argument or option; given "all".' } } });
  t.match(await run('create', '--json', '--colour', 'blue'), { code: 2, document: { error: { kind: 'usage', message: /^Unknown option '--colour'/ } } });
  t.equal((await keys.list()).length, 1, 'no failed command minted a key');
});

t.test('npm run keys runs on DATABASE_PATH and the key it prints opens the write API', async (t) => {
  if (sqliteOnly(t, 'the command on DATABASE_PATH; on DATABASE_URL: test/postgres-keys.test.ts')) return;
  const databasePath = join(tempDir(t), 'script.sqlite');
  const script = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/keys.ts', ...args], {
      env: { ...process.env, DATABASE_PATH: databasePath, ...env },
      encoding: 'utf8',
    });
  const created = script(['create', '--name', 'script-test', '--scope', 'admin']);
  t.equal(created.status, 0, created.stderr);
  const key = /^(uprk_\S+)$/m.exec(created.stdout)![1]!;

  const app = await buildTestApp(t, { databasePath });
  const review = await send(app, 'POST', '/v1/reviews', { key, body: { stateUnderReview: 'FIN', cycle: 4 } });
  t.equal(review.response.statusCode, 201);
  t.equal((await send(app, 'GET', '/v1/reviews/FIN-4/history')).body.data[0].actor, 'script-test');

  const usage = script(['frobnicate']);
  t.equal(usage.status, 2);
  t.match(usage.stderr, /Usage/);
  // Wrong usage is said before any database is opened: none is created where there was none.
  const elsewhere = join(tempDir(t), 'never.sqlite');
  const wrongScope = script(['create', '--name', 'x', '--scope', 'read'], { DATABASE_PATH: elsewhere });
  t.equal(wrongScope.status, 2);
  t.match(wrongScope.stderr, /Give --scope write or admin/);
  t.notOk(existsSync(elsewhere), 'no database file made for a usage error');
  const badEnv = script(['list'], { LOG_LEVEL: 'loud' });
  t.equal(badEnv.status, 1);
  t.match(badEnv.stderr, /LOG_LEVEL/);
  const badEnvJson = script(['--json', 'list'], { LOG_LEVEL: 'loud' });
  t.match(badEnvJson, { status: 1, stderr: /^Invalid environment:\n {2}LOG_LEVEL/ });
  t.match(JSON.parse(badEnvJson.stdout), { error: { kind: 'environment', message: /^Invalid environment:\n {2}LOG_LEVEL/, exitStatus: 1 } }, 'with --json, the failure on stdout');
});

/** Revokes one of a test app's keys with its backend's own function. */
async function revokeAppKey(app: FastifyInstance, id: string): Promise<void> {
  const side = postgresSide(app);
  if (side === undefined) {
    revokeApiKey(app.db, id);
    return;
  }
  await side.pending;
  await pgRevokeApiKey(side.pool, id);
}

/**
 * The API key functions of the backend the suite runs on (src/auth/keys.ts, pg-keys.ts, cli.ts), over a fresh
 * database of their own: a migrated SQLite file, or a seeded PostgreSQL database.
 */
async function backendKeys(t: Test) {
  if (testBackend() === 'sqlite') {
    const path = join(tempDir(t), 'keys.sqlite');
    copyTemplateDatabase(path); // migrated and seeded, as a first open leaves it (once for the suite)
    const db = openDatabase(path);
    t.teardown(() => db.$client.close());
    return {
      create: async (name: string, scope: ApiKeyScope, now?: Date) => createApiKey(db, name, scope, now),
      authenticate: async (key: string, now?: Date): Promise<Authentication> => authenticateKey(db, key, now),
      header: async (header: string | undefined): Promise<Authentication> => authenticateHeader(db, header),
      list: async (): Promise<ApiKeyListing[]> => listApiKeys(db),
      revoke: async (id: string, now?: Date) => revokeApiKey(db, id, now),
      rows: async () => db.$client.prepare('select * from api_keys').all() as Record<string, unknown>[],
      command: async (argv: string[], io: Output) => runKeysCommand(db, argv, io),
    };
  }
  const { seededDatabase, startCluster } = await import('./support/postgres.js');
  const { Pool } = (await import('pg')).default;
  const cluster = await startCluster(t);
  if ('skip' in cluster) throw new Error(`TEST_BACKEND=postgres: ${cluster.skip}`);
  const pool = new Pool({ connectionString: await seededDatabase(cluster.url), max: 1 });
  t.teardown(() => pool.end());
  return {
    create: (name: string, scope: ApiKeyScope, now?: Date) => pgCreateApiKey(pool, name, scope, now),
    authenticate: (key: string, now?: Date) => pgAuthenticateHeader(pool, `Bearer ${key}`, now),
    header: (header: string | undefined) => pgAuthenticateHeader(pool, header),
    list: () => pgListApiKeys(pool),
    revoke: (id: string, now?: Date) => pgRevokeApiKey(pool, id, now),
    rows: async () => (await pool.query<Record<string, unknown>>('select * from api_keys')).rows,
    command: (argv: string[], io: Output) => runPgKeysCommand(pool, argv, io),
  };
}
