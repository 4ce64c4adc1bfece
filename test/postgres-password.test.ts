import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { runCopy } from '../src/db/copy/cli.js';
import { timedClient } from '../src/db/pg/connect-timeout.js';
import { runImportCli } from '../src/import/cli.js';
import { runTagCli } from '../src/tagging/cli.js';
import { tempDir, unlessHanging } from './helpers.js';
import { privateCluster } from './support/postgres.js';
import { TS_NODE_ARGS } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

// A DATABASE_URL whose user PostgreSQL asks for a password (pg_hba.conf's scram-sha-256 or md5) given none: the
// start and each command say so in one line naming what to set, not node-postgres's `SASL: SCRAM-SERVER-FIRST-MESSAGE:
// client password must be a string` or the md5 exchange's `password authentication failed` (as for a wrong one).
// A cluster of this file's own (trusting 127.0.0.1, as the run's), its two roles given lines of their own at the top
// of its pg_hba.conf: the run's shared cluster is never reconfigured and reloaded under the other files using it
// (until session 41 this file rewrote the shared cluster's pg_hba.conf in place and reloaded it, twice).

t.setTimeout(300_000);
const cluster = await privateCluster(t);

const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: 'url' in cluster ? cluster.url : '' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/** The cluster's URL as `user` (and `password`, when given). */
const as = (user: string, password?: string) => {
  const url = new URL('url' in cluster ? cluster.url : '');
  url.username = user;
  if (password !== undefined) url.password = password;
  return url.href;
};

const ASKED = (user: string) =>
  new RegExp(
    `PostgreSQL asks the user "${user}" for a password and none was given: put it in the URL \\(postgres://user:password@host/database, percent-encoded\\) or set PGPASSWORD`,
  );

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else if (process.env.PGPASSWORD !== undefined) {
  t.plan(0, 'PGPASSWORD is set: every connection here would give it');
} else {
  const scram = 'upr_scram';
  const md5 = 'upr_md5';
  const hbaFile = await admin(async (client) => {
    await client.query(`create role ${scram} login password 'secret-scram'`);
    await client.query(`set password_encryption = 'md5'`);
    await client.query(`create role ${md5} login password 'secret-md5'`);
    return (await client.query<{ hba_file: string }>('show hba_file')).rows[0]!.hba_file;
  });
  const ours = [`host all ${scram} 127.0.0.1/32 scram-sha-256`, `host all ${md5} 127.0.0.1/32 md5`];
  writeFileSync(hbaFile, `${ours.join('\n')}\n${readFileSync(hbaFile, 'utf8')}`);
  await admin((client) => client.query('select pg_reload_conf()'));

  t.test("a client of ours without the password it is asked for says which to give (once the cluster has reloaded)", async (t) => {
    // The postmaster reloads on its signal, after pg_reload_conf() returns: until a connection without the password is refused.
    const Client = timedClient(pg.Client, 10_000);
    for (const user of [scram, md5]) {
      for (;;) {
        const client = new Client({ connectionString: as(user) });
        const refused = await client.connect().then(
          () => client.end().then(() => undefined),
          (error: Error) => error,
        );
        if (refused !== undefined) {
          t.match(refused, { message: ASKED(user), code: '28P01' }, user);
          break;
        }
      }
    }
  });

  t.test('the start says which password to give, and a wrong one is still said as wrong', async (t) => {
    const start = (url: string) =>
      unlessHanging(buildApp({ databasePath: ':memory:', databaseUrl: url, logLevel: 'silent', maxEventLoopDelayMs: 0 }), 60_000, 'the start');
    for (const user of [scram, md5]) await t.rejects(start(as(user)), ASKED(user), user);
    await t.rejects(start(as(scram, 'wrong')), new RegExp(`^password authentication failed for user "${scram}"$`));
    await t.rejects(start(as(md5, 'wrong')), new RegExp(`^password authentication failed for user "${md5}"$`));
  });

  t.test('npm run keys, tag, import and db:copy (both ways) say it in one line, exit 1', async (t) => {
    const env = { DATABASE_URL: as(scram) };
    const keys = spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/keys.ts', 'list', '--json'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    t.equal(keys.status, 1, keys.stderr);
    t.match(JSON.parse(keys.stdout), { error: { kind: 'failed', message: ASKED(scram) } });
    t.match(keys.stderr, new RegExp(`^Cannot open the PostgreSQL database postgres://${scram}@\\S+: ${ASKED(scram).source}\n$`), 'one line, no stack');

    const io = () => {
      const said = { out: '', err: '' };
      return { said, io: { out: (text: string) => void (said.out += text), err: (text: string) => void (said.err += text) } };
    };
    const tag = io();
    t.equal(await unlessHanging(runTagCli(['--all'], env, tag.io), 60_000, 'npm run tag'), 1);
    t.match(tag.said.err, new RegExp(`^Not tagged: postgres://${scram}@\\S+: ${ASKED(scram).source}\n$`));
    const imported = io();
    const file = join(tempDir(t), 'one.csv');
    writeFileSync(file, 'text,to,decision,From,year,notes\n"Ratify the Convention. (Spain);",kyrgyzstan,support,Spain,2010,\n');
    t.equal(await unlessHanging(runImportCli([file], env, imported.io), 60_000, 'npm run import'), 1);
    t.match(imported.said.err, ASKED(scram));
    t.equal(imported.said.err.trimEnd().split('\n').length, 1, 'one line');

    const dir = tempDir(t);
    const source = join(dir, 'source.sqlite');
    copyTemplateDatabase(source);
    for (const [from, to] of [
      [env.DATABASE_URL, join(dir, 'copy.sqlite')],
      [source, env.DATABASE_URL],
    ] as const) {
      const said = { out: '', err: '' };
      const code = await unlessHanging(
        runCopy(['--from', from, '--to', to], { write: (text: string) => (said.out += text) }, { write: (text: string) => (said.err += text) }, env),
        60_000,
        'npm run db:copy',
      );
      t.equal(code, 1);
      t.match(said.err, ASKED(scram), `${from === source ? 'to' : 'from'} PostgreSQL`);
      t.notMatch(said.err, /SASL|\n\s+at /, 'no stack');
    }
  });
}
