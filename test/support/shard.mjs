import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { profiler } from './profile.mjs';

// A shard of `npm test` (test/support/suites.mjs): one process that runs test files one after another, each as
// a subtest named after its file, instead of one process per file. A test process pays about 3 s of CPU before
// its first test (Node, tap, loading the app's modules, a first app's JIT warm-up); a shard pays it once.
// Shards take files from one queue, the slowest first, each claiming the next file no other shard has claimed
// (an atomic mkdir), so the shards finish close together whatever each file costs.
// In a shard, a test file's `import t from 'tap'` gives its own subtest (test/support/ts-hooks.mjs resolves
// it to tap-file.mjs): `t.teardown` runs when that file's tests end, as it would in a process of its own.
// A file that runs on both backends is imported twice, the second time with `?backend=postgres` in its URL: a
// module of its own, run with TEST_BACKEND=postgres (test/helpers.ts reads it when a test builds its app).

export const FILE_TEST = Symbol.for('upr-tracker.shard.file-test');

/**
 * Runs the entries ({ file, backend }) of the queue in `dir` (queue.json) that no other shard has claimed, each
 * within tap's timeout for a file.
 */
export async function runQueue(dir) {
  const { fileTimeoutSeconds, queue } = JSON.parse(readFileSync(join(dir, 'queue.json'), 'utf8'));
  const profiled = process.env.UPR_TEST_PROFILE ? profiler(resolve(process.env.UPR_TEST_PROFILE)) : (_, run) => run();
  for (const [index, { file, backend }] of queue.entries()) {
    try {
      mkdirSync(join(dir, `claimed-${index}`));
    } catch {
      continue; // another shard runs it
    }
    const onPostgres = backend === 'postgres';
    const name = onPostgres ? `${file} (TEST_BACKEND=postgres)` : file;
    await profiled(name, () => t.test(name, { timeout: fileTimeoutSeconds * 1000 }, async (fileTest) => {
      if (onPostgres) process.env.TEST_BACKEND = 'postgres';
      else delete process.env.TEST_BACKEND;
      globalThis[FILE_TEST] = fileTest;
      const url = pathToFileURL(resolve(file)).href;
      await import(onPostgres ? `${url}?backend=postgres` : url);
    }));
  }
}
