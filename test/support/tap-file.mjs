import { t } from 'tap';

// What `import t from 'tap'` gives a test file run in a shard (test/support/shard.mjs): the subtest that
// stands for the file, in place of the process's root test. Each test file gets its own instance of this
// module (ts-hooks.mjs adds the file to its URL), made just before the file runs. Outside a shard (a process
// started by a test inherits the environment) it is tap's root test, as usual.
export * from 'tap';
const fileTest = globalThis[Symbol.for('upr-tracker.shard.file-test')] ?? t;
export { fileTest as default, fileTest as t };
