import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { runSeedCommand } from '../seed/cli.js';
import { buildApp } from '../src/app.js';
import { DatabaseLockedError, databaseFailure, openDatabase, openForCommand } from '../src/db/open.js';
import { runImportCli } from '../src/import/cli.js';
import { runRelateCli } from '../src/related/cli.js';
import { runTagCli } from '../src/tagging/cli.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { compiledServerArgs, TS_NODE_ARGS } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

sqliteOnly(t, 'SQLite write locks held by another process while a database is opened');

// Another process holding the SQLite write lock (an `npm run import` on the command line, say) while the
// server starts or a command opens the database. Opening wrote without waiting for it (`pragma optimize`,
// stale documents brought up to date): the server and every command died with SQLITE_BUSY's stack trace.

/** A database whose stored documents another program left stale, so that opening it has to write. */
function staleDatabase(t: Test): string {
  const path = join(tempDir(t), 'stale.sqlite');
  copyTemplateDatabase(path);
  const db = new Database(path);
  db.exec('insert into recommendation_documents_stale select id from recommendations limit 3');
  db.close();
  return path;
}

const staleCount = (path: string) => {
  const db = new Database(path, { readonly: true });
  const n = db.prepare('select count(*) from recommendation_documents_stale').pluck().get() as number;
  db.close();
  return n;
};

/** Another connection holding the write lock (in this process: only for what never waits for it). */
function holdLock(t: Test, path: string): Database.Database {
  const holder = new Database(path);
  holder.exec('begin immediate');
  t.teardown(() => holder.close());
  return holder;
}

/** Another process holding the write lock until it is killed. */
async function lockingProcess(t: Test, path: string): Promise<ChildProcess> {
  const script = `const D = require('better-sqlite3'); const d = new D(process.argv[1]); d.exec('begin immediate');
    process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  await once(child.stdout!, 'data');
  return child;
}

t.test('a database that needs no write opens while another process holds the lock (its statistics wait)', async (t) => {
  const path = join(tempDir(t), 'unanalyzed.sqlite');
  copyTemplateDatabase(path);
  const setup = new Database(path);
  setup.exec('delete from sqlite_stat1'); // so that `pragma optimize` wants to analyze every table
  setup.close();
  const holder = holdLock(t, path);
  const db = openDatabase(path);
  t.equal(db.$client.prepare('select count(*) from recommendations').pluck().get(), 8, 'opened and read');
  t.equal(db.$client.pragma('busy_timeout', { simple: true }), 5000, 'its writes wait as configured');
  db.$client.close();
  holder.exec('rollback');
  t.equal(holder.prepare('select count(*) from sqlite_stat1').pluck().get(), 0, 'nothing was analyzed meanwhile');
  openDatabase(path).$client.close();
  t.ok((holder.prepare('select count(*) from sqlite_stat1').pluck().get() as number) > 0, 'the next open analyzes');
});

t.test('opening that has to write waits for the lock, says so once, and then writes', async (t) => {
  const path = staleDatabase(t);
  const child = await lockingProcess(t, path);
  const waits: number[] = [];
  const db = openDatabase(path, {
    openWaitMs: 600_000,
    onWait: (waitMs) => {
      waits.push(waitMs);
      child.kill('SIGKILL'); // the import finishes
    },
  });
  db.$client.close();
  t.same(waits, [600_000]);
  t.equal(staleCount(path), 0, 'the stale documents were rebuilt');
});

t.test('a database in a rollback journal (an import into a new file) that another process is writing waits as long', async (t) => {
  // `npm run import` into a new DATABASE_PATH writes it through a rollback journal: its lock keeps others from
  // putting the file in WAL mode, or from reading at all. The server started meanwhile gave up within 5 s (the
  // busy timeout) saying the lock was held "all the while", whatever DATABASE_OPEN_WAIT_MS said.
  const path = join(tempDir(t), 'importing.sqlite');
  copyTemplateDatabase(path);
  const setup = new Database(path);
  setup.pragma('journal_mode = delete');
  setup.close();
  const script = `const D = require('better-sqlite3'); const d = new D(process.argv[1]); d.exec('begin exclusive');
    d.exec("update recommendations set text = text || ' (importing)'"); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  await once(child.stdout!, 'data');
  const waits: number[] = [];
  const db = openDatabase(path, {
    openWaitMs: 600_000,
    onWait: (waitMs) => {
      waits.push(waitMs);
      child.kill('SIGKILL'); // the import is cut off: its hot journal is rolled back
    },
  });
  t.same(waits, [600_000], 'said that it waits');
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.$client.prepare("select count(*) from recommendations where text like '%(importing)'").pluck().get(), 0, 'the cut-off write was rolled back');
  db.$client.close();
});

t.test('opening that has to write gives up after openWaitMs with one clear error, having changed nothing', async (t) => {
  const path = staleDatabase(t);
  holdLock(t, path);
  const waits: number[] = [];
  const thrown = t.throws(() => openDatabase(path, { openWaitMs: 0, onWait: (ms) => waits.push(ms) })) as Error;
  t.ok(thrown instanceof DatabaseLockedError);
  t.match(thrown.message, /^opening the database had to write .* another process \(an import, say\) held its write lock for more than 0 s; nothing was changed/);
  t.same(waits, [0]);
  t.equal(databaseFailure(thrown), thrown.message);
  t.equal(databaseFailure(new Error('other')), undefined, 'any other error is not said this way');
  t.equal(databaseFailure(Object.assign(new Error('constraint failed'), { code: 'SQLITE_CONSTRAINT' })), undefined, 'nor a statement of ours that failed');
});

t.test('the server waits for the lock at start, saying so in its log, and serves once it is free', async (t) => {
  const path = staleDatabase(t);
  const child = await lockingProcess(t, path);
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      const line = chunk.toString();
      lines.push(line);
      if (line.includes('waiting for it')) child.kill('SIGKILL');
      done();
    },
  });
  const app = await buildApp({ databasePath: path, logLevel: 'warn', logStream, maxEventLoopDelayMs: 0 });
  t.teardown(() => app.close());
  t.match(lines.join(''), /"level":40.*"waitMs":900000.*SQLite: another process \(an import, say\) is writing to the database: waiting for it/);
  t.equal((await app.inject('/v1/recommendations?limit=1')).statusCode, 200);
  t.equal(staleCount(path), 0);
});

t.test('a server that cannot start for the lock says why in one line and exits 1', async (t) => {
  const path = staleDatabase(t);
  holdLock(t, path);
  const started = spawnSync(process.execPath, [...TS_NODE_ARGS, 'src/server.ts'], {
    env: { ...process.env, DATABASE_PATH: path, DATABASE_OPEN_WAIT_MS: '0', PORT: '0', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  t.equal(started.status, 1, started.stderr);
  t.match(started.stderr, /^DATABASE_PATH \(\S*stale\.sqlite\): could not serve from SQLite: opening the database had to write .*held its write lock for more than 0 s; nothing was changed: try again once it has finished\n$/);
});

t.test('the commands say that they wait, and when the lock stays held give up in one line, exit 1', async (t) => {
  const path = staleDatabase(t);
  const holder = holdLock(t, path);
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: path, DATABASE_OPEN_WAIT_MS: '0' };
  delete env.DATABASE_URL;
  const run = async (command: (io: { out(s: string): void; err(s: string): void }) => number | Promise<number>) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await command({ out: (s) => out.push(s), err: (s) => err.push(s) });
    return { status, out: out.join(''), err: err.join('') };
  };
  // A file to import: the seeded recommendations as this API exports them.
  const exporter = await buildApp({ databasePath: join(tempDir(t), 'export.sqlite'), logLevel: 'silent', maxEventLoopDelayMs: 0 });
  const file = join(tempDir(t), 'export.csv');
  writeFileSync(file, (await exporter.inject('/v1/recommendations?format=csv')).body);
  await exporter.close();

  // Opening has to write (stale documents): each command gives up the same way.
  for (const [name, command] of [
    ['import', (io: { out(s: string): void; err(s: string): void }) => runImportCli([file], env, io)],
    ['seed', (io: { out(s: string): void; err(s: string): void }) => runSeedCommand(env, { out: io.out, err: (l) => io.err(`${l}\n`) })],
    ['tag', (io: { out(s: string): void; err(s: string): void }) => runTagCli([], env, io)],
    ['relate', (io: { out(s: string): void; err(s: string): void }) => runRelateCli([], env, io)],
  ] as const) {
    const result = await run(command);
    t.equal(result.status, 1, name);
    t.match(result.err, /waiting for it \(at most 0 s\)\n.*held its write lock for more than 0 s; nothing was changed/s, name);
    t.notMatch(result.err, /\n\s+at /, `${name}: no stack trace`);
    t.equal(result.out, '', `${name}: nothing done`);
  }
  t.equal(staleCount(path), 3, 'nothing written');

  // Opening has nothing to write: the command's own write gives up.
  holder.exec('rollback');
  openDatabase(path).$client.close();
  holder.exec('begin immediate');
  for (const [name, command, said] of [
    ['import', (io: { out(s: string): void; err(s: string): void }) => runImportCli([file], env, io), /export\.csv was not imported \(nothing written\): /],
    ['tag', (io: { out(s: string): void; err(s: string): void }) => runTagCli(['--all'], env, io), /^Not tagged: /m],
    ['relate', (io: { out(s: string): void; err(s: string): void }) => runRelateCli([], env, io), /^Not related: /m],
  ] as const) {
    const result = await run(command);
    t.equal(result.status, 1, name);
    t.match(result.err, /waiting for it \(at most 0 s\)\n/, `${name}: says it waits`);
    t.match(result.err, said, name);
    t.match(result.err, /held the database's write lock all the while; nothing was written/, name);
  }

  const keys = (args: string[]) =>
    spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/keys.ts', ...args], { env, encoding: 'utf8', timeout: 120_000 });
  const listed = keys(['list']);
  t.equal(listed.status, 0, 'keys list reads while another process writes');
  t.equal(listed.stderr, '', 'and does not say it waits');
  const created = keys(['create', '--name', 'x', '--scope', 'write']);
  t.equal(created.status, 1, created.stderr);
  t.match(created.stderr, /waiting for it \(at most 0 s\)\n.*: another process \(an import, say\) held the database's write lock all the while/s);
});

t.test('a command opened with a longer wait waits for the lock to be released, and says so once', async (t) => {
  const path = staleDatabase(t);
  const child = await lockingProcess(t, path);
  const said: string[] = [];
  const db = openForCommand(
    path,
    (line) => {
      said.push(line);
      child.kill('SIGKILL');
    },
    { openWaitMs: 600_000 },
  );
  t.equal(db.$client.pragma('busy_timeout', { simple: true }), 600_000, "the command's own writes wait as long");
  db.$client.close();
  t.equal(said.length, 1);
  t.match(said[0], /waiting for it \(at most 10 min\)\n$/);
  t.equal(staleCount(path), 0);
});

t.test('a DATABASE_PATH SQLite cannot serve is said in one line by the server and the commands, exit 1', async (t) => {
  const dir = tempDir(t);
  const notADatabase = join(dir, 'notes.csv');
  writeFileSync(notADatabase, 'id,text\n1,not a database\n'.repeat(200));
  for (const [path, said] of [
    [dir, /unable to open database file \(SQLITE_CANTOPEN\)/],
    [notADatabase, /file is not a database \(SQLITE_NOTADB\)/],
  ] as const) {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: path, PORT: '0', LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    const started = spawnSync(process.execPath, [...TS_NODE_ARGS, 'src/server.ts'], { env, encoding: 'utf8', timeout: 120_000 });
    t.equal(started.status, 1, started.stderr);
    t.match(started.stderr, new RegExp(`^DATABASE_PATH \\(${path.replace(/[.]/g, '\\.')}\\): could not serve from SQLite: ${said.source}\n$`));
    const keys = spawnSync(process.execPath, [...TS_NODE_ARGS, 'scripts/keys.ts', 'list'], { env, encoding: 'utf8', timeout: 120_000 });
    t.equal(keys.status, 1);
    t.match(keys.stderr, new RegExp(`^${path.replace(/[.]/g, '\\.')}: ${said.source}\n$`));
    const err: string[] = [];
    t.equal(await runSeedCommand(env, { out: () => undefined, err: (line) => err.push(line) }), 1);
    t.match(err.join('\n'), new RegExp(`^${path.replace(/[.]/g, '\\.')}: not seeded: ${said.source}$`));
  }
  t.equal(readFileSync(notADatabase, 'utf8').slice(0, 8), 'id,text\n', 'the file is left as it was');
});

t.test('a database migrated by a newer release is refused in one line by the server and the commands, nothing changed', async (t) => {
  const path = staleDatabase(t);
  const raw = new Database(path);
  const last = raw.prepare('select max(created_at) from __drizzle_migrations').pluck().get() as number;
  // A migration this version's journal does not hold, dated after its latest, as the next release adds one.
  raw.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('a later release', Number(last) + 86_400_000);
  raw.close();
  const said = /^the database was migrated by a newer release of upr-tracker: its latest migration \(of \S+\) is not one this version knows \(\d+ applied; this version has \d+, the latest of \S+\); nothing was changed: run that release or a newer one on it$/;
  const error = (() => {
    try {
      openDatabase(path);
    } catch (error) {
      return error;
    }
  })();
  t.match(databaseFailure(error), said);
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: path, PORT: '0', LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const started = spawnSync(process.execPath, await compiledServerArgs(), { env, encoding: 'utf8', timeout: 120_000 });
  t.equal(started.status, 1, started.stderr);
  t.match(started.stderr, new RegExp(`^DATABASE_PATH \\(\\S+\\): could not serve from SQLite: ${said.source.slice(1, -1)}\n$`));
  const err: string[] = [];
  t.equal(await runSeedCommand(env, { out: () => undefined, err: (line) => err.push(line) }), 1);
  t.match(err.join('\n'), /: not seeded: the database was migrated by a newer release/);
  t.equal(staleCount(path), 3, 'the documents another program left stale are left for that release');
});
