// Preloaded into the built server by bench/soak-steady.ts (`node --import ./bench/soak-sampler.mjs`): every
// SOAK_SAMPLE_MS (10 s) one JSON line appended to SOAK_SAMPLES with the process's memory, the event loop's delay
// since the last line and its active handles by kind; every sixth line after a full collection (`--expose-gc`),
// so that the heap it gives is what is still referenced. Not part of the service: nothing in src/ knows of it.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SOAK_SAMPLES;
// --import preloads it into the import thread too: its lines say `thread: 'import'` (its heap is its own).
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let n = 0;
  setInterval(() => {
    const afterGc = ++n % 6 === 0 && typeof globalThis.gc === 'function';
    const eld = { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
    delay.reset();
    if (afterGc) globalThis.gc();
    const memory = process.memoryUsage();
    const resources = {};
    for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), thread: isMainThread ? 'main' : 'import', afterGc, ...memory, eld, resources })}\n`);
  }, Number(process.env.SOAK_SAMPLE_MS ?? 10_000)).unref();
}
