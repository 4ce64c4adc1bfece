// A test file whose tests fail in the ways a CI run's can (test/ci-failures.test.ts reads what tap prints of it).
import t from 'tap';

t.test('a file', async (t) => {
  t.test('a subtest', async (t) => {
    t.equal(1, 2, 'one is two');
    t.ok(true, 'this one passes');
  });
  t.test('a subtest that passes', async (t) => t.pass('passes'));
});
t.test('another file', async (t) => {
  t.same({ rows: [1, 2] }, { rows: [1, 3] }, 'the rows');
});
t.test('a file that throws', async () => {
  throw new Error('the database is locked');
});
t.test('a file that hangs', { timeout: 200 }, (t) => {
  const waiting = setInterval(() => {}, 1000); // what it waits for keeps the process alive until tap's timeout
  t.teardown(() => clearInterval(waiting));
  return new Promise(() => {});
});
