import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { tempDir } from './helpers.js';
import { startServer } from './support/server-process.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// SIGTERM while a large CSV export is streaming: the export is delivered whole, new connections are
// refused, and the process exits 0 within the grace period.

t.test('SIGTERM during a large streaming export lets it finish', async (t) => {
  const path = join(tempDir(t), 'export.sqlite');
  copyGeneratedDatabase(path, 30_000);
  const db = openDatabase(path);
  const total = db.$client.prepare('select count(*) from recommendations').pluck().get() as number;
  db.$client.close();

  const server = await startServer(path, { SHUTDOWN_GRACE_MS: '60000', RATE_LIMIT_EXPORT_MAX: '1000' });
  t.teardown(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });
  const response = await fetch(`${server.baseUrl}/v1/recommendations?format=csv`);
  t.equal(response.status, 200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });

  const signalledAt = Date.now();
  server.child.kill('SIGTERM');
  await sleep(200);
  t.equal(server.child.exitCode, null, 'the server waits for the export');
  await t.rejects(fetch(`${server.baseUrl}/healthz`), 'and refuses new connections');

  let chunks = 1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
    // A slow reader: the server has to wait on the client, not buffer the rest.
    if (chunks % 50 === 0) await sleep(20);
  }
  text += decoder.decode();
  const rows = text.split('\r\n').filter((line) => line !== '').length - 1;
  t.ok(chunks > 10, `streamed in ${chunks} chunks`);
  t.equal(rows, total, `all ${total} records delivered after SIGTERM`);

  const exit = await server.exited;
  t.equal(exit.code, 0, 'exit 0');
  t.ok(Date.now() - signalledAt < 60_000, 'within the grace period');
});
