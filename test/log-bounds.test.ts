import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import t, { type Test } from 'tap';
import { boundText, LOG_ERROR_BUDGET, LOG_TEXT_MAX } from '../src/http/log-bounds.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, tempDir } from './helpers.js';

/** An app logging at info to a file through pino's own destination, and the lines it has written so far. */
async function appWithLogFile(t: Test) {
  const file = join(tempDir(t), 'log.ndjson');
  const logStream = pino.destination({ dest: file, sync: true });
  t.teardown(() => logStream.end());
  const app = await buildTestApp(t, { logLevel: 'info', logStream });
  let read = 0;
  const newLines = () => {
    const lines = readFileSync(file, 'utf8').split('\n').slice(read, -1);
    read += lines.length;
    return lines;
  };
  return { app, newLines };
}

t.test('what a request puts in its log line is bounded: URL and Host cut with a marker', async (t) => {
  const { app, newLines } = await appWithLogFile(t);
  const long = 'x'.repeat(16_000);
  const key = mintKey(app, 'write');
  for (const [name, request] of [
    ['a long query', { url: `/v1/recommendations?q=${long}` }],
    ['a long path', { url: `/v1/${long}` }],
    ['a long Host', { url: '/v1/states/KGZ', headers: { host: long } }],
    ['a key past the cut', { url: `/v1/states/KGZ?a=${'y'.repeat(LOG_TEXT_MAX - 30)}&key=${key}` }],
  ] as const) {
    await app.inject(request);
    const lines = newLines();
    t.equal(lines.length, 1, name);
    // Was 16,2xx bytes: the whole URL or Host.
    t.ok(lines[0]!.length < LOG_TEXT_MAX + 600, `${name}: ${lines[0]!.length} bytes`);
    const { req } = JSON.parse(lines[0]!) as { req: { url: string; host: string } };
    const logged = name === 'a long Host' ? req.host : req.url;
    t.match(logged, /…\[cut: \d+ characters\]$/, name);
    t.notOk(lines[0]!.includes(key.slice(18, 30)), `${name}: no part of a key`);
  }
  await app.inject({ url: '/v1/states/KGZ' });
  t.notMatch(newLines()[0], /cut:/, 'a short request is logged whole');
});

t.test("an error's message, stack and fields are bounded together, and so is a message given as text", async (t) => {
  const { app, newLines } = await appWithLogFile(t);
  const huge = 'z'.repeat(1_000_000);
  const cause = new Error(huge);
  const error = Object.assign(new Error(huge, { cause }), {
    query: 'insert into notes values (?)',
    params: Array.from({ length: 10_000 }, () => huge.slice(0, 10_000)),
    detail: { deep: { deeper: { deepest: { text: huge } } } },
  });
  app.log.error({ err: error }, 'request failed');
  app.log.info(huge);
  const [errorLine, messageLine] = newLines();
  // Was 21 MB: the message twice (and in the stack), the 10,000 parameters, the cause.
  t.ok(errorLine!.length < LOG_ERROR_BUDGET + 4_000, `error line: ${errorLine!.length} bytes`);
  const { err } = JSON.parse(errorLine!) as { err: { type: string; message: string; query: string; params: string[] } };
  t.equal(err.type, 'Error');
  t.match(err.message, /^z+…\[cut: 1000000 characters\]$/);
  t.equal(err.params.length, 21, 'twenty parameters and a marker');
  t.equal(err.params.at(-1), '…[cut: 10000 in all]');
  t.ok(messageLine!.length < LOG_TEXT_MAX + 200, `message line: ${messageLine!.length} bytes`);
  t.match(JSON.parse(messageLine!).msg, /…\[cut: 1000000 characters\]$/);

  const nested = { a: { b: { c: { d: { e: 'too deep' } } } }, fields: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i])) };
  app.log.error({ err: Object.assign(new Error('short'), nested) });
  const { err: small } = JSON.parse(newLines()[0]!) as { err: Record<string, unknown> & { fields: Record<string, unknown> } };
  t.same(small.a, { b: { c: { d: '…[cut: nested too deep]' } } });
  t.equal(Object.keys(small.fields).length, 21);
  t.equal(small.fields['…'], '…[cut: 30 in all]');
  app.log.error({ err: 'a text, not an error' });
  t.equal(JSON.parse(newLines()[0]!).err, 'a text, not an error');
});

t.test('a cut never splits a character in two', async (t) => {
  const text = `${'a'.repeat(9)}😀bbb`;
  t.equal(boundText(text, 10), `${'a'.repeat(9)}…[cut: 14 characters]`);
  t.equal(boundText(text, 11), `${'a'.repeat(9)}😀…[cut: 14 characters]`);
  t.equal(boundText(text), text);
});
