import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { tempDir } from './helpers.js';
import { compiledServerArgs, startServer, untilOutput, untilRefused } from './support/server-process.js';
import { copyLargeExportDatabase } from './support/template-db.js';

// SIGTERM while a large CSV export is streaming: the export is delivered whole, new connections are
// refused, and the process exits 0 within the grace period (past it, the exit code would be 1).

t.test('SIGTERM during a large streaming export lets it finish', async (t) => {
  const path = join(tempDir(t), 'export.sqlite');
  copyLargeExportDatabase(path);
  const db = new Database(path, { readonly: true });
  const total = db.prepare('select count(*) from recommendations').pluck().get() as number;
  db.close();

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
  // The CSV's lines, counted in the bytes as they come (no record holds a line break): decoding the 60 MB
  // into one string and splitting it cost the test more CPU than the server spent on the whole export.
  let lines = 0;
  let before = 0; // the byte before a chunk: a CRLF may span two
  const countLines = (chunk: Uint8Array) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) if ((i > 0 ? chunk[i - 1] : before) === 13) lines++;
    before = chunk[chunk.length - 1] ?? before;
  };
  countLines((await reader.read()).value!);

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
    countLines(value);
  }
  const rows = lines - 1; // the header
  t.ok(chunks > 10, `streamed in ${chunks} chunks`);
  t.equal(rows, total, `all ${total} records delivered after SIGTERM`);

  const exit = await server.exited;
  t.equal(exit.code, 0, 'exit 0: the export ended within the grace period');
  t.match(server.output(), /"clean":true/);
});
