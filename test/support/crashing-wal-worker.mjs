// A stand-in for src/db/wal-worker.ts (test/wal-checkpoint-thread.test.ts): asked for a checkpoint, it throws in
// the thread, uncaught (the thread's 'error', then its 'exit').
import { workerData } from 'node:worker_threads';

const { port } = workerData.walCheckpoints;
port.on('message', () => {
  throw new Error('the checkpoint thread crashed');
});
