import t from 'tap';
import { YOUNG_GARBAGE_BYTES, youngGarbage } from '../src/http/young-garbage.js';

// An export's chunks are Buffers dropped as soon as the socket has them; V8 alone would let 32 MiB of them
// pile up in its young generation before scavenging. Counted through youngGarbage, they stay a few MiB.

t.test('Buffers counted through youngGarbage are scavenged every few MiB', async (t) => {
  const MiB = 1024 * 1024;
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = 0;
  for (let i = 0; i < 96; i++) {
    const chunk = Buffer.alloc(MiB, i); // one chunk handed out, then dropped
    youngGarbage(chunk.length);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
  }
  t.ok(
    peak < YOUNG_GARBAGE_BYTES + 8 * MiB,
    `young Buffers held at most ${(peak / MiB).toFixed(1)} MiB (scavenged every ${YOUNG_GARBAGE_BYTES / MiB} MiB)`,
  );
});
