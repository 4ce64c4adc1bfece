import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';

// A shard of `npm test` (test/support/suites.mjs): one process that runs test files one after another, each as
// a subtest named after its file, instead of one process per file. A test process pays about 3 s of CPU before
// its first test (Node, tap, loading the app's modules, a first app's JIT warm-up); a shard pays it once.
// Shards take files from one queue, the slowest first, each claiming the next file no other shard has claimed
// (an atomic mkdir), so two shards finish close together whatever each file costs.
// In a shard, a test file's `import t from 'tap'` gives its own subtest (test/support/ts-hooks.mjs resolves
// it to tap-file.mjs): `t.teardown` runs when that file's tests end, as it would in a process of its own.

export const FILE_TEST = Symbol.for('upr-tracker.shard.file-test');

/** Runs the files of the queue in `dir` (queue.json, written by suites.mjs) that no other shard has claimed. */
export async function runQueue(dir) {
  const files = JSON.parse(readFileSync(join(dir, 'queue.json'), 'utf8'));
  for (const [index, file] of files.entries()) {
    try {
      mkdirSync(join(dir, `claimed-${index}`));
    } catch {
      continue; // another shard runs it
    }
    await t.test(file, async (fileTest) => {
      globalThis[FILE_TEST] = fileTest;
      await import(pathToFileURL(resolve(file)).href);
    });
  }
}
