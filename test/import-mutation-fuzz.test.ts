import t from 'tap';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, testBackend } from './helpers.js';
import { cell, entryRow, HEADER_ROW, matrixDocx, RECONCILE_TERMAN, RECONCILE_UPR_INFO, TERMAN_STYLE_CSV, themeRow, tr } from './import-helpers.js';
import { judgeMutant } from './support/import-mutant-check.js';
import { mutant, type SeedFile } from './support/import-mutants.js';
import { testSql } from './support/test-sql.js';

// The small import fixtures mutated at random (test/support/import-mutants.ts: bytes flipped, inserted, cut;
// lines swapped; encodings changed; a header cell renamed; a .docx's document.xml broken, its zip damaged), each
// sent through POST /v1/imports one of eight ways (raw or multipart, dry run or real, in the request's thread or
// the import thread) on the suite's backend. Each must be a 2xx or a 4xx problem, never a 5xx; a 4xx or a dry run
// changes nothing stored; a file imported again changes nothing. Seeded: a failure names seed and index, and
// `mutant(seedFile, SEED, index)` makes its bytes again. bench/import-fuzz.ts runs more, on the real data.

const SEED = 42;
// A small import costs ~0.35 s on PostgreSQL (its scratch file, the round trips), ~0.03 s on SQLite: the same first
// mutants of each file on both, fewer on PostgreSQL to stay well under a minute.
const PER_SEED = testBackend() === 'postgres' ? 8 : 40;

const oldLayoutHeader = tr(cell('Recommendation'), cell('Recommending State/s'), cell('Position'), cell('Right or area'));
const fourthCycleHeader = tr(cell('Recommendation'), cell('Position'), cell('Full list of themes'), cell('Relevant SDGs'), cell('Assessment'));

async function seedFiles(): Promise<SeedFile[]> {
  return [
    { name: 'terman-style.csv', kind: 'csv', bytes: TERMAN_STYLE_CSV },
    { name: 'terman-kgz.csv', kind: 'csv', bytes: new TextEncoder().encode(RECONCILE_TERMAN) },
    { name: 'upr-info.csv', kind: 'csv', bytes: RECONCILE_UPR_INFO },
    {
      name: 'matrix-cycle3.docx',
      kind: 'docx',
      bytes: await matrixDocx([
        HEADER_ROW,
        themeRow('A12 Acceptance of international norms'),
        entryRow({ text: '121.1 Ratify the Convention (France);', tags: ['- A12 Acceptance of international norms', 'Affected persons:', '- Women'] }),
        entryRow({ text: '121.2 Adopt\na law on the Roma community (Spain, Italy);', position: 'Noted' }),
      ]),
    },
    {
      name: 'matrix-cycle4.docx',
      kind: 'docx',
      bytes: await matrixDocx([
        fourthCycleHeader,
        tr(cell('121.3 Abolish the death penalty (Norway);', 'Source of Position: A/HRC/43/15 - Para 121'), cell('Supported'), cell('- D23 Death penalty', 'Groups of Persons:', '- Women'), cell('16'), cell('')),
      ]),
    },
    {
      name: 'matrix-older.docx',
      kind: 'docx',
      bytes: await matrixDocx([
        oldLayoutHeader,
        tr(cell('121.4 Protect journalists', 'Source of Position: A/HRC/43/15 - Para 121'), cell('France', 'Germany;'), cell('Supported/Noted'), cell('Right or area: 2.1. Freedom of expression')),
      ]),
    },
  ];
}

t.test('mutated import files: a report or a 4xx problem, nothing half-written, again changes nothing', async (t) => {
  // The request's thread (these files are far below the default IMPORT_THREAD_MIN_BYTES) and the import thread.
  const inRequest = await buildTestApp(t);
  const inThread = await buildTestApp(t, { importThreadMinBytes: 0 });
  const apps = [inRequest, inThread].map((app) => ({ app, sql: testSql(app), key: mintKey(app, 'admin') }));
  const outcomes = new Map<string, number>();
  for (const file of await seedFiles()) {
    for (let index = 0; index < PER_SEED; index++) {
      const { what, bytes } = await mutant(file, SEED, index);
      const { app, sql, key } = apps[index % 2]!;
      const path = { multipart: (index >> 1) % 2 === 1, dryRun: (index >> 2) % 2 === 1 };
      const verdict = await judgeMutant(app, sql, key, bytes, path);
      const how = `${what} (seed ${SEED}, ${index % 2 ? 'import thread' : "request's thread"}, ${path.multipart ? 'multipart' : 'raw'}${path.dryRun ? ', dry run' : ''})`;
      if (!verdict.ok) t.fail(`${how}: ${verdict.why}`);
      else outcomes.set(String(verdict.status), (outcomes.get(String(verdict.status)) ?? 0) + 1);
    }
  }
  t.ok((outcomes.get('200') ?? 0) > PER_SEED && (outcomes.get('422') ?? 0) > PER_SEED, `both kinds of answer: ${JSON.stringify(Object.fromEntries(outcomes))}`);
});
