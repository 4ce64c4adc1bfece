// A stand-in for src/import/import-worker.ts that speaks its protocol (test/import-thread.test.ts): a job named
// `crash` throws in the thread, uncaught (the thread's 'error', then its 'exit'); any other job is held, said so
// as `{ held: id }` on the BroadcastChannel `crashing-import-worker`, and answered with a report naming it once
// the test says `go` there.
import { BroadcastChannel, workerData } from 'node:worker_threads';

const port = workerData.importJobs;
const channel = new BroadcastChannel('crashing-import-worker');
const held = [];
// (The test sends nothing else.)
channel.onmessage = () => {
  for (const job of held.splice(0)) port.postMessage({ id: job.id, report: { file: job.name } });
};
port.on('message', (job) => {
  port.postMessage({ id: job.id, started: true });
  if (job.name === 'crash') throw new Error('the import thread crashed');
  held.push(job);
  channel.postMessage({ held: job.id });
});
// (Closed by ImportThread.close: the thread then exits.)
port.on('close', () => channel.close());
