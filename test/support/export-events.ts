import type { Test } from 'tap';
import { type ExportEvent, exportChannel, exportsStartedSoFar } from '../../src/http/export.js';

/**
 * The export events (src/http/export.ts) of the exports started from now on, until the test ends. Earlier
 * exports' events are left out: in a shard, a file runs in a process where an earlier file's abandoned
 * export may still close.
 */
export function recordExportEvents(t: Test): ExportEvent[] {
  const events: ExportEvent[] = [];
  const before = exportsStartedSoFar();
  const listener = (message: unknown) => {
    const event = message as ExportEvent;
    if (event.export > before) events.push(event);
  };
  exportChannel.subscribe(listener);
  t.teardown(() => exportChannel.unsubscribe(listener));
  return events;
}
