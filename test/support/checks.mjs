import { spawn } from 'node:child_process';

// `npm test`'s checks, run side by side with the tests: the type-checks and the two OpenAPI linters read
// different files and each keeps one core busy for seconds (tsc alone for most of a minute), and tap's
// files spend part of their time waiting (on child processes, sockets, timers), so all of them together
// finish in less time than one after the other. Each check's output is printed whole when it ends; the
// command after `--` (tap) prints as it goes. The exit status is the first failed check's, else the
// command's. A step that needs another's output runs after it in the same command (`npm run client:types
// && tsc …`: tsc reads the generated types; the tests do not: they import types only, which are erased).
// Usage: node test/support/checks.mjs 'npm run x' 'npx tsc --noEmit' ... -- tap [tap's arguments]

const separator = process.argv.indexOf('--');
const checks = process.argv.slice(2, separator === -1 ? undefined : separator);
const main = separator === -1 ? [] : process.argv.slice(separator + 1);
/** An argument as the shell reads it back: quoted unless it is plain. */
const quoted = (arg) => (/^[\w./=:@,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

const run = (command, live) =>
  new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', live ? 'inherit' : 'pipe', live ? 'inherit' : 'pipe'] });
    const output = [];
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    child.on('close', (code, signal) => {
      if (!live) process.stdout.write(`> ${command}\n${Buffer.concat(output).toString()}`);
      if (code !== 0) process.stdout.write(`! ${command} failed (${signal ?? `exit ${code}`})\n`);
      resolve(code ?? 1);
    });
  });

const results = await Promise.all([
  ...checks.map((command) => run(command, false)),
  ...(main.length > 0 ? [run(main.map(quoted).join(' '), true)] : []),
]);
process.exitCode = results.find((code) => code !== 0) ?? 0;
