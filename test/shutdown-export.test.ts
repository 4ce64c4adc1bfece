import { join } from 'node:path';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { tempDir } from './helpers.js';
import { compiledServerArgs, startServer, untilOutput, untilRefused } from './support/server-process.js';
import { copyLargeExportDatabase } from './support/template-db.js';

// SIGTERM while a large CSV export is streaming: the export is delivered whole, new connections are
// refused, and the process exits 0 within the grace period (past it, the exit code would be 1).

t.test('SIGTERM during a large streaming export lets it finish', async (t) => {
  const path = join(tempDir(t), 'export.sqlite');
  copyLargeExportDatabase(path);
  const db = openDatabase(path);
  const total = db.$client.prepare('select count(*) from recommendations').pluck().get() as number;
  db.$client.close();

  const server = await startServer(
    path,
    { SHUTDOWN_GRACE_MS: '600000', RATE_LIMIT_EXPORT_MAX: '1000', LOG_LEVEL: 'info' },
    await compiledServerArgs(),
  );
  t.teardown(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });
  const response = await fetch(`${server.baseUrl}/v1/recommendations?format=csv`);
  t.equal(response.status, 200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });

  server.child.kill('SIGTERM');
  await untilOutput(server.output, /shutting down/);
  await untilRefused(`${server.baseUrl}/healthz`);
  t.pass('new connections are refused');
  t.equal(server.child.exitCode, null, 'the server waits for the export');

  // Until now the client read nothing: the server has been waiting on it, not buffering the rest.
  let chunks = 1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  text += decoder.decode();
  const rows = text.split('\r\n').filter((line) => line !== '').length - 1;
  t.ok(chunks > 10, `streamed in ${chunks} chunks`);
  t.equal(rows, total, `all ${total} records delivered after SIGTERM`);

  const exit = await server.exited;
  t.equal(exit.code, 0, 'exit 0: the export ended within the grace period');
  t.match(server.output(), /"clean":true/);
});
