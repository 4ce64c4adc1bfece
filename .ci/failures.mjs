// Which tests failed, from tap's TAP output: CI shows only the tail of its log, where tap prints the coverage
// table, so the failures printed far above it are never seen. `.ci/run` prints this list before its last line.
// A failure is named by its path of subtests (the shard's file first); a subtest failing only because a test
// inside it failed is not listed again. A process that ended in the middle (killed) is named by the subtests it
// was in, the test file first. Usage: node .ci/failures.mjs LOG
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SUBTEST = /^( *)# Subtest: (.*)$/;
const RESULT = /^( *)(not ok|ok) \d+(?: - (.*?))?(?: # (?:time=|SKIP|TODO).*)?$/;
const KEPT = /^(found|wanted|message|code|signal|expired|tapCaught):/;

/** The failed tests in `tap` (TAP text): each its path of names and a few lines of what tap said of it. */
export function failedTests(tap) {
  const lines = tap.split('\n');
  const open = [];
  const failed = [];
  for (let i = 0; i < lines.length; i++) {
    const subtest = SUBTEST.exec(lines[i]);
    if (subtest) {
      open.push({ indent: subtest[1].length, name: subtest[2], failedInside: false });
      continue;
    }
    const result = RESULT.exec(lines[i]);
    if (!result) continue;
    const [, { length: indent }, verdict, name = ''] = result;
    // Subtests that never closed: their process ended in them (a shard killed: they name the file it ran).
    const cutOff = [];
    while (open.length > 0 && open.at(-1).indent > indent) cutOff.unshift(open.pop().name);
    const closed = open.at(-1)?.indent === indent ? open.pop() : undefined;
    if (verdict === 'ok') continue;
    if (!closed?.failedInside || cutOff.length > 0) {
      const cut = cutOff.length > 0 ? ['cut off: the process ended in it'] : [];
      failed.push({ path: [...open.map((entry) => entry.name), name, ...cutOff], said: [...cut, ...said(lines, i + 1, indent)].slice(0, 8) });
    }
    for (const entry of open) entry.failedInside = true;
  }
  return failed;
}

/** What the YAML block after a result at `indent` says of where and what: at most 8 lines. */
function said(lines, from, indent) {
  if (lines[from]?.trim() !== '---') return [];
  const kept = [];
  let section = '';
  let at = {};
  for (let i = from + 1; i < lines.length && lines[i].trim() !== '...'; i++) {
    const line = lines[i].slice(indent + 2);
    const key = /^(\w+):(.*)$/.exec(line);
    if (key) {
      section = key[1];
      if (KEPT.test(line)) kept.push(line.trim());
      continue;
    }
    const text = line.trim();
    if (section === 'at') at = { ...at, ...Object.fromEntries([text.split(': ')]) };
    else if (section === 'diff' && /^[-+](?![-+]{2})/.test(text)) kept.push(text);
  }
  if (at.fileName) kept.unshift(`at ${at.fileName}:${at.lineNumber}`);
  return kept.slice(0, 8);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const failed = failedTests(readFileSync(process.argv[2], 'utf8'));
  for (const { path, said } of failed.slice(0, 20)) {
    process.stdout.write(`# failed: ${path.join(' > ')}\n${said.map((line) => `#     ${line}\n`).join('')}`);
  }
  if (failed.length > 20) process.stdout.write(`# … and ${failed.length - 20} more\n`);
}
