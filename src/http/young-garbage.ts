import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// An export hands the socket one new Buffer per chunk (SQLite's joined lines), and almost nothing else that
// V8 would count as allocation: V8 only scavenges its young generation once the young Buffers' backing
// stores reach twice the semi-space size (32 MiB by default), so a fresh server's first export grew its RSS
// by that much garbage (measured: arrayBuffers peak 31 MiB, RSS +60 MiB with malloc's fragmentation, against
// 6 MiB when scavenged every few chunks). A scavenge costs about a millisecond when the young generation
// holds little besides those Buffers: one every YOUNG_GARBAGE_BYTES keeps an export's garbage that small.

/** Bytes of chunks handed out between two scavenges. */
export const YOUNG_GARBAGE_BYTES = 4 * 1024 * 1024;

type Gc = (options: { type: 'minor'; execution: 'sync' }) => void;

let gc: Gc | undefined;
let since = 0;

/** Counts `bytes` of short-lived Buffers; scavenges V8's young generation every YOUNG_GARBAGE_BYTES. */
export function youngGarbage(bytes: number): void {
  since += bytes;
  if (since < YOUNG_GARBAGE_BYTES) return;
  since = 0;
  if (!gc) {
    // The gc() of --expose-gc, without that command-line flag: the flag applies to contexts created after it.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  }
  gc({ type: 'minor', execution: 'sync' });
}
