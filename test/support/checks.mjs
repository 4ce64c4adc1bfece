import { spawn } from 'node:child_process';

// `npm test`'s checks before tap, run side by side: the type-checks and the two OpenAPI linters read
// different files and each keeps one core busy for seconds (tsc alone for most of a minute), so on a
// machine with more than one core they finish in about the time of the longest. Each one's output is
// printed whole when it ends; the exit status is the first failure's, or 0. A step that needs another's
// output runs after it in the same command (`npm run client:types && tsc …`: tsc reads the generated types).
// Usage: node test/support/checks.mjs 'npm run x' 'npx tsc --noEmit' ...

const commands = process.argv.slice(2);
const results = await Promise.all(
  commands.map(
    (command) =>
      new Promise((resolve) => {
        const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
        const output = [];
        child.stdout.on('data', (chunk) => output.push(chunk));
        child.stderr.on('data', (chunk) => output.push(chunk));
        child.on('close', (code, signal) => {
          process.stdout.write(`> ${command}\n${Buffer.concat(output).toString()}`);
          if (code !== 0) process.stdout.write(`! ${command} failed (${signal ?? `exit ${code}`})\n`);
          resolve(code ?? 1);
        });
      }),
  ),
);
process.exitCode = results.find((code) => code !== 0) ?? 0;
