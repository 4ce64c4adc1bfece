import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { runPgKeysCommand } from '../src/auth/cli.js';
import { send } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';
import { copiedDatabase, createDatabase, startCluster } from './support/postgres.js';
import { freePort, TS_NODE_ARGS } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

// `npm run keys` on PostgreSQL (issue #12): with DATABASE_URL set, keys are minted, listed and revoked in the
// database every instance shares, and a key minted so opens the write API of an app serving from it.

t.setTimeout(600_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const script = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/keys.ts', ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });

  /** The command as a child process, not waited for: children that depend on no other start at once. */
  const started = (args: string[], env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [...TS_NODE_ARGS, 'scripts/keys.ts', ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  // The last two tests' children (an empty database migrated by a listing; an unreachable database) depend on
  // nothing the first test does: they run while it runs its own, one after another.
  const emptyDatabase = createDatabase(cluster.url).then(async (url) => ({ url, migrated: await started(['list'], { DATABASE_URL: url }) }));
  const unreachable = freePort().then(async (port) => ({ port, result: await started(['list', '--json'], { DATABASE_URL: `postgres://someone:secret@127.0.0.1:${port}/nowhere?password=secret` }) }));
  emptyDatabase.catch(() => undefined); // awaited in its test
  unreachable.catch(() => undefined);

  t.test('npm run keys with DATABASE_URL: create, list, revoke in PostgreSQL; the key opens the write API', async (t) => {
    const sqlitePath = join(tempDir(t), 'seeded.sqlite');
    copyTemplateDatabase(sqlitePath);
    const url = await copiedDatabase(cluster.url, sqlitePath);
    // DATABASE_PATH names a file that does not exist: the command must not touch SQLite.
    const env = { DATABASE_URL: url, DATABASE_PATH: join(tempDir(t), 'absent', 'never.sqlite') };

    t.match(script(['list'], env), { status: 0, stdout: /No API keys/ });
    const created = script(['create', '--name', 'kyrgyz-watch', '--scope', 'write'], env);
    t.equal(created.status, 0, created.stderr);
    const key = /^(uprk_\S+)$/m.exec(created.stdout)![1]!;
    const id = key.slice(5, 17);
    t.match(created.stdout, new RegExp(`Created API key ${id} "kyrgyz-watch" with scope write`));

    const app = await buildTestApp(t, { databaseUrl: url });
    const write = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
      key,
      body: { verbatim: true },
      headers: { 'if-match': '*' },
    });
    t.equal(write.response.statusCode, 200, 'the printed key authenticates a write on PostgreSQL');
    const history = await send(app, 'GET', '/v1/recommendations/KGZ-3-FIN-1/history');
    t.equal(history.body.data.at(-1).actor, 'kyrgyz-watch', 'written as the key');

    const listed = script(['list'], env);
    t.equal(listed.status, 0, listed.stderr);
    t.match(listed.stdout, new RegExp(`^${id}\twrite\t\\S+\t20\\S+\t-\tkyrgyz-watch$`, 'm'), 'with its last use');
    t.notOk(listed.stdout.includes(key.slice(18)), 'a listing never shows a key');

    t.match(script(['revoke', id], env), { status: 0, stdout: new RegExp(`${id} "kyrgyz-watch" is revoked`) });
    const refused = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
      key,
      body: { verbatim: false },
      headers: { 'if-match': '*' },
    });
    t.equal(refused.response.statusCode, 401, 'a revoked key is refused at once');
    t.match(refused.body.detail, /revoked/);
    // Refusals in process (each child costs seconds of CPU loading the sources): the command's code is the
    // exit status, as the children above show for 0 and the unreachable database below for 1.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    t.teardown(() => pool.end());
    const command = async (...argv: string[]) => {
      const err: string[] = [];
      const status = await runPgKeysCommand(pool, argv, { out: () => undefined, err: (l) => err.push(l) });
      return { status, stderr: err.join('\n') };
    };
    t.match(await command('revoke', 'nope'), { status: 1, stderr: /No API key has the id "nope"/ });
    t.match(await command('create', '--name', 'x', '--scope', 'read'), { status: 2, stderr: /--scope write or admin/ });
    t.match(await command('frobnicate'), { status: 2, stderr: /Usage/ });
  });

  t.test('the PostgreSQL commands in process: the same listing and revocation as on SQLite', async (t) => {
    const { url, migrated } = await emptyDatabase;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    t.teardown(() => pool.end());
    t.equal(migrated.status, 0, 'an empty database is migrated first');
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runPgKeysCommand(pool, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const first = /^(uprk_\S+)$/m.exec((await run('create', '--name', 'first', '--scope', 'admin')).out)![1]!.slice(5, 17);
    await run('create', '--name', 'second', '--scope', 'write');
    const revoked = await run('revoke', first);
    t.equal(revoked.code, 0);
    const since = /since (\S+)\)/.exec(revoked.out)![1]!;
    t.match((await run('revoke', first)).out, `since ${since}`, 'revoking again keeps the first time');
    const lines = (await run('list')).out.split('\n');
    t.equal(lines.length, 3);
    t.match(lines[1], new RegExp(`^${first}\tadmin\t\\S+\t-\t${since.replace(/\./g, '\\.')}\tfirst$`));
    t.match(lines[2], /^[0-9a-f]{12}\twrite\t\S+\t-\t-\tsecond$/);
    t.match(await run('list', '--name', 'x'), { code: 2, err: /Usage/ });
    t.match(await run('create', '--name', ' ', '--scope', 'write'), { code: 2, err: /--name/ });
    t.match(await run('create', '--colour', 'blue'), { code: 2, err: /Unknown option/ });
  });

  t.test('a statement PostgreSQL refuses once connected: one line naming it, exit 1; with --json, the failure on stdout', async (t) => {
    const { url } = await emptyDatabase;
    const side = new pg.Pool({ connectionString: url, max: 1 });
    t.teardown(() => side.end());
    // A role that may connect but not read or write api_keys; a database never migrated, without the table.
    const role = `nokeys_${process.pid}`;
    await side.query(`create role ${role} login`);
    t.teardown(() => side.query(`drop role ${role}`));
    const asRole = new URL(url);
    asRole.username = role;
    const run = async (connectionString: string, ...argv: string[]) => {
      const pool = new pg.Pool({ connectionString, max: 1 });
      const out: string[] = [];
      const err: string[] = [];
      const code = await runPgKeysCommand(pool, argv, { out: (l) => out.push(l), err: (l) => err.push(l) }).finally(() => pool.end());
      return { code, out, err };
    };
    const denied = /PostgreSQL answered "permission denied for table api_keys" \(SQLSTATE 42501\)\.$/;
    t.match(await run(asRole.href, 'list'), { code: 1, out: [], err: [new RegExp(`^The keys could not be listed: ${denied.source}`)] });
    const created = await run(asRole.href, 'create', '--name', 'x', '--scope', 'write', '--json');
    t.equal(created.code, 1);
    t.equal(created.out.length, 1, 'one document');
    t.match(JSON.parse(created.out[0]!), { error: { kind: 'failed', message: new RegExp(`^No key was created: ${denied.source}`), exitStatus: 1 } });
    t.match(await run(asRole.href, 'revoke', 'abc'), { code: 1, err: [new RegExp(`^No key was revoked: ${denied.source}`)] });
    const missing = await run(await createDatabase(cluster.url), 'list');
    t.match(missing, { code: 1, err: ['The keys could not be listed: PostgreSQL answered "relation \"api_keys\" does not exist" (SQLSTATE 42P01).'] });
  });

  t.test('an unreachable DATABASE_URL: one line saying so, exit 1; with --json, the failure on stdout', async (t) => {
    const { result } = await unreachable;
    t.equal(result.status, 1);
    const message = /^Cannot open the PostgreSQL database postgres:\/\/someone:\*\*\*@127\.0\.0\.1:\d+\/nowhere\?password=\*\*\*: /;
    t.match(result.stderr, message);
    t.match(JSON.parse(result.stdout), { error: { kind: 'failed', message, exitStatus: 1 } });
    t.equal(result.stdout.split('\n').length, 2, 'one line');
    t.notOk(result.stderr.includes('secret') || result.stdout.includes('secret'), 'the password is never printed');
  });
}
