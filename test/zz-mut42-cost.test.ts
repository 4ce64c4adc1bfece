import { readFileSync } from 'node:fs';
import t from 'tap';
import { run, seededDb } from './import-helpers.js';
import { mutant } from './support/import-mutants.js';
t.test('cost', async (t) => {
  const file = { name: 'slovenia', kind: 'docx' as const, bytes: readFileSync('/work/shared/data/ohchr-thematic-list/slovenia_upr34_thematic_list.docx') };
  for (const i of [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    const m = await mutant(file, 42, i);
    const db = seededDb(t);
    const s = performance.now(); const cpu = process.cpuUsage();
    const r = await run(db, m.bytes, { dryRun: true }).then((r) => `ok ${r.recommendations.created}`, (e) => `${e.name}: ${String(e.message).slice(0, 100)}`);
    const c = process.cpuUsage(cpu);
    console.log(m.what, m.bytes.length, Math.round(performance.now() - s), 'ms', Math.round((c.user + c.system) / 1000), 'cpu ms', r);
  }
});
