import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
// @ts-expect-error: a plain JavaScript module of the CI script, without types
import { failedTests } from '../.ci/failures.mjs';
import { tempDir } from './helpers.js';

// CI shows only the tail of its log: .ci/run prints the failed tests there (.ci/failures.mjs), read from what tap
// prints of a file whose tests fail as a CI run's can (an assertion, a thrown error, a timeout).

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TAP') && !name.startsWith('NODE_')));
const run = spawnSync(process.execPath, ['test/support/failing-tap.mjs'], { encoding: 'utf8', env, timeout: 120_000 });

t.test('each failure by its path of subtests, once, with where and what', async (t) => {
  t.equal(run.status, 1, run.stderr);
  const failed = failedTests(run.stdout) as { path: string[]; said: string[] }[];
  t.same(
    failed.map((failure) => failure.path),
    [
      ['a file', 'a subtest', 'one is two'],
      ['another file', 'the rows'],
      ['a file that throws', 'the database is locked'],
      ['a file that hangs', 'timeout!'],
    ],
    'the failed assertions, not the subtests around them again',
  );
  t.match(failed[0]!.said, ['at test/support/failing-tap.mjs:6', '-2', '+1']);
  t.match(failed[1]!.said, ['at test/support/failing-tap.mjs:12', /^-\s+3,?$/, /^\+\s+2,?$/]);
  t.match(failed[2]!.said, ['at test/support/failing-tap.mjs:15', 'tapCaught: returnedPromiseRejection']);
  t.match(failed[3]!.said, ['expired: a file that hangs']);
});

t.test('a passing run names nothing; a process killed in a subtest names that subtest, after any failure before', async (t) => {
  t.same(failedTests('TAP version 14\n# Subtest: f\n    ok 1 - fine\n    1..1\nok 1 - f\n1..1\n'), []);
  // As tap prints a shard killed (SIGKILL) in a test file's subtest: the file and the subtest never close.
  const crashed = '# Subtest: f\n    # Subtest: g\n        ok 1 - fine\nnot ok 1 - f\n  ---\n  signal: SIGKILL\n  ...\n';
  t.same(failedTests(crashed), [{ path: ['f', 'g'], said: ['cut off: the process ended in it', 'signal: SIGKILL'] }]);
  const failedFirst = '# Subtest: f\n    # Subtest: g\n        not ok 1 - wrong\n        # Subtest: h\nnot ok 1 - f\n  ---\n  signal: SIGKILL\n  ...\n';
  t.same(failedTests(failedFirst), [
    { path: ['f', 'g', 'wrong'], said: [] },
    { path: ['f', 'g', 'h'], said: ['cut off: the process ended in it', 'signal: SIGKILL'] },
  ]);
});

t.test('.ci/run prints them, 20 at most, each line a TAP comment (the summary line stays the last)', async (t) => {
  const log = join(tempDir(t), 'tap.log');
  writeFileSync(log, run.stdout);
  const printed = spawnSync(process.execPath, ['.ci/failures.mjs', log], { encoding: 'utf8', env, timeout: 120_000 });
  t.equal(printed.status, 0, printed.stderr);
  t.match(printed.stdout, /^# failed: a file > a subtest > one is two\n#     at test\/support\/failing-tap.mjs:6\n/);
  t.ok(printed.stdout.split('\n').slice(0, -1).every((line) => line.startsWith('# ')), 'every line a TAP comment');

  const many = Array.from({ length: 25 }, (_, i) => `not ok ${i + 1} - failure ${i + 1}`).join('\n');
  writeFileSync(log, many);
  const lines = spawnSync(process.execPath, ['.ci/failures.mjs', log], { encoding: 'utf8', env }).stdout.trimEnd().split('\n');
  t.equal(lines.length, 21);
  t.equal(lines.at(-1), '# … and 5 more');
});
