import { type MessagePort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { copyLogUnwaited } from './wal.js';

// The checkpoint thread (src/db/wal-thread.ts): the server's log copied into the database and the -wal truncated
// when asked, on a connection of its own that only checkpoints (no reads, no writes, no migrations).

const { port, path } = (workerData as { walCheckpoints: { port: MessagePort; path: string } }).walCheckpoints;
const client = new Database(path, { fileMustExist: true });
port.on('message', () => port.postMessage(copyLogUnwaited(client)));
// (Closed by WalCheckpointThread.close: the connection closes and the thread exits.)
port.on('close', () => client.close());
