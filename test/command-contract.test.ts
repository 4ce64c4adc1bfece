import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { keysUsageError, KEYS_USAGE } from '../src/auth/cli.js';
import { type CommandFailure, commandFailure, wantsJson } from '../src/common/command-line.js';
import { runCopy, USAGE as COPY_USAGE } from '../src/db/copy/cli.js';
import { runImportCli } from '../src/import/cli.js';
import { runRelateCli, USAGE as RELATE_USAGE } from '../src/related/cli.js';
import { runTagCli, TAG_USAGE } from '../src/tagging/cli.js';
import { tempDir } from './helpers.js';
import { TS_NODE_ARGS } from './support/server-process.js';

// The commands' contract (README, "The commands' contract"): exit 0 done, 1 failed, 2 wrong usage, in every command; with
// --json one JSON document on stdout whatever happens, a failure as a CommandFailure (tag, relate and db:copy
// printed prose only; an invalid environment was 2 in tag and relate, db:copy's wrong usage 1, keys' --help 2,
// and seed ran whatever it was given). Import's own: test/import-cli.test.ts.

function capture() {
  const io = { outText: '', errText: '', out: (text: string) => void (io.outText += text), err: (text: string) => void (io.errText += text) };
  return io;
}

type Run = (argv: string[], env: NodeJS.ProcessEnv, io: ReturnType<typeof capture>) => number | Promise<number>;

const commands: Record<string, { run: Run; usage: string }> = {
  tag: { run: runTagCli, usage: TAG_USAGE },
  relate: { run: runRelateCli, usage: RELATE_USAGE },
  'db:copy': {
    run: (argv, env, io) => runCopy(argv, { write: (text: string) => io.out(text) }, { write: (text: string) => io.err(text) }, env),
    usage: COPY_USAGE,
  },
};

/** The command's exit status and, with --json, the one document it printed on stdout. */
async function failure(run: Run, argv: string[], env: NodeJS.ProcessEnv) {
  const io = capture();
  const status = await run([...argv, '--json'], env, io);
  const lines = io.outText.split('\n');
  t.equal(lines.length, 2, `one line on stdout: ${argv.join(' ')}`);
  const document = JSON.parse(lines[0]!) as CommandFailure;
  t.match(io.errText, document.error.message.split('\n')[0]!, 'the message on stderr too');
  return { status, ...document.error };
}

t.test('--help is the usage on stdout, exit 0; an unknown option or a missing value is wrong usage, 2, the usage on stderr', async (t) => {
  const dir = tempDir(t);
  const env = { DATABASE_PATH: join(dir, 'never.sqlite'), LOG_LEVEL: 'loud' };
  for (const [name, { run, usage }] of Object.entries(commands)) {
    const help = capture();
    t.equal(await run(['--help'], env, help), 0, `${name} --help`);
    t.same([help.outText, help.errText], [`${usage}\n`, ''], `${name}: the usage, whatever the environment`);

    const unknown = capture();
    t.equal(await run(['--bogus'], env, unknown), 2, `${name} --bogus`);
    t.same([unknown.outText, unknown.errText.endsWith(`\n${usage}\n`)], ['', true], `${name}: the reason, then the usage`);
    t.match(unknown.errText, /^Unknown option '--bogus'/);

    t.same(await failure(run, ['--bogus'], env), { status: 2, kind: 'usage', message: "Unknown option '--bogus'", exitStatus: 2 }, name);
  }
  // A value missing before --json: parseArgs' three lines in one message.
  t.match(await failure(runTagCli, ['--review'], env), { status: 2, kind: 'usage', message: /^Option '--review' argument is ambiguous\.\nDid you forget/ });
  t.match(await failure(runTagCli, ['--review', 'x'], env), { status: 2, kind: 'usage', message: /^--review "x" is not a review id/ });
  t.match(await failure(runRelateCli, ['--state', 'x'], env), { status: 2, kind: 'usage', message: /^--state "X" is not an ISO 3166-1/ });
  const copy = commands['db:copy']!.run;
  t.match(await failure(copy, ['--from', 'a.sqlite'], env), { status: 2, kind: 'usage', message: '--from and --to are required' });
  t.match(await failure(copy, ['--from', 'a.sqlite', '--to', 'b.sqlite'], env), { status: 2, kind: 'usage', message: /one of --from and --to must be a postgres/ });
  t.notOk(existsSync(env.DATABASE_PATH), 'no database made');
});

t.test('an option with a value given twice is wrong usage: the last one was taken, unsaid', async (t) => {
  const env = { DATABASE_PATH: join(tempDir(t), 'never.sqlite') };
  const twice = (name: string, a: string, b: string) => ({ status: 2, kind: 'usage', message: `--${name} is given more than once ("${a}", "${b}"): give it once.` });
  t.match(await failure(runTagCli, ['--review', 'KGZ-1', '--review=KGZ-2'], env), twice('review', 'KGZ-1', 'KGZ-2'));
  t.match(await failure(runImportCli, ['f.csv', '--review', 'KGZ-1', '--review', 'KGZ-2'], env), twice('review', 'KGZ-1', 'KGZ-2'));
  t.match(await failure(commands['db:copy']!.run, ['--from', 'a.sqlite', '--to', 'postgres://db/a', '--to', 'postgres://db/b'], env), twice('to', 'postgres://db/a', 'postgres://db/b'));
  const keys = capture();
  t.equal(keysUsageError(['create', '--name', 'a', '--name', 'b', '--scope', 'write'], keys), 2, 'keys');
  t.match(keys.errText, /^--name is given more than once \("a", "b"\): give it once\.\nUsage:/);
  // A flag twice, or an option that takes several, is no conflict.
  const relate = capture();
  t.equal(runRelateCli(['--state', 'AAA', '--state', 'BBB', '--json', '--json', '--help'], env, relate), 0);
  t.notOk(existsSync(env.DATABASE_PATH), 'no database made');
});

t.test('an invalid environment, and a database that cannot be opened, fail with 1 and say why in the same object', async (t) => {
  const dir = tempDir(t);
  const invalid = { DATABASE_PATH: join(dir, 'never.sqlite'), DATABASE_URL: 'mysql://db/upr' };
  const environment = { status: 1, kind: 'environment', message: /^Invalid environment:\n {2}DATABASE_URL: expected a postgres:\/\//, exitStatus: 1 };
  t.match(await failure(runTagCli, [], invalid), environment, 'tag');
  t.match(await failure(runRelateCli, [], invalid), environment, 'relate');
  t.match(await failure(commands['db:copy']!.run, ['--from', join(dir, 'a.sqlite'), '--to', 'postgres://db/upr'], { LOG_LEVEL: 'loud' }), {
    status: 1,
    kind: 'environment',
    message: /^Invalid environment:\n {2}LOG_LEVEL/,
  });
  t.match(await failure(runRelateCli, [], { DATABASE_PATH: join(dir, 'db.sqlite'), DATABASE_URL: 'postgres://db/upr' }), {
    status: 1,
    kind: 'environment',
    message: /^DATABASE_URL names a PostgreSQL database: npm run relate recomputes a SQLite database/,
  });
  t.notOk(existsSync(join(dir, 'never.sqlite')), 'no database made');

  const notADatabase = join(dir, 'notes.sqlite');
  writeFileSync(notADatabase, 'not a database, but long enough to be read as one: '.repeat(100));
  const failed = { status: 1, kind: 'failed', exitStatus: 1 };
  t.match(await failure(runTagCli, [], { DATABASE_PATH: notADatabase }), { ...failed, message: /^Not tagged: .*notes\.sqlite: / });
  t.match(await failure(runRelateCli, [], { DATABASE_PATH: notADatabase }), { ...failed, message: /^Not related: .*notes\.sqlite: / });
  t.match(await failure(commands['db:copy']!.run, ['--from', notADatabase, '--to', 'postgres://127.0.0.1:1/upr'], {}), {
    ...failed,
    message: /^copy failed, nothing written: /,
  });
});

t.test('--json is read up to `--`: after it, an argument like any other', async (t) => {
  t.equal(wantsJson(['--json']), true);
  t.equal(wantsJson(['x', '--', '--json']), false);
  const io = capture();
  t.equal(commandFailure(io, false, 'failed', 'it broke'), 1);
  t.same([io.outText, io.errText], ['', 'it broke\n'], 'without --json, the message alone');
});

t.test('keys: --help is its usage, exit 0 (it was an unknown option, 2)', async (t) => {
  const io = capture();
  t.equal(keysUsageError(['--help'], io), 0);
  t.same([io.outText, io.errText], [KEYS_USAGE, '']);
  t.equal(keysUsageError(['list'], capture()), undefined, 'a command runs');
});

/** A script run as npm runs it: its exit status and output. */
async function script(path: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...TS_NODE_ARGS, path, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out, err };
}

t.test('npm run keys -- --help needs no environment; npm run seed refuses what it does not take, seeding nothing', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const keys = await script('scripts/keys.ts', ['--help'], { DATABASE_URL: 'mysql://db/upr' });
  t.same(keys, { code: 0, out: `${KEYS_USAGE}\n`, err: '' });

  const path = join(dir, 'never.sqlite');
  const seed = await script('seed/run.ts', ['--bogus'], { DATABASE_PATH: path });
  t.match(seed, { code: 2, out: '', err: /^Unknown option '--bogus'\nUsage: npm run seed/ });
  t.notOk(existsSync(path), 'no database made (it was seeded)');
  const seedJson = await script('seed/run.ts', ['--json', '--bogus'], { DATABASE_PATH: path });
  t.match(seedJson, { code: 2, err: /^Unknown option '--bogus'\nUsage: npm run seed/ });
  t.same(JSON.parse(seedJson.out), { error: { kind: 'usage', message: "Unknown option '--bogus'", exitStatus: 2 } }, 'seed takes --json: its failures in JSON');
  const seedEnv = await script('seed/run.ts', ['--json'], { DATABASE_PATH: path, LOG_LEVEL: 'loud' });
  t.match(seedEnv, { code: 1, err: /^Invalid environment:\n {2}LOG_LEVEL/ });
  t.match(JSON.parse(seedEnv.out), { error: { kind: 'environment', message: /^Invalid environment:\n {2}LOG_LEVEL/, exitStatus: 1 } });
  t.notOk(existsSync(path), 'no database made');
});
