import { inflateRawSync } from 'node:zlib';
import t from 'tap';
import { random } from '../src/common/random.js';
import { setTagger } from '../src/tagging/tagger.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, testBackend } from './helpers.js';
import { cell, entryRow, HEADER_ROW, matrixDocx, RECONCILE_TERMAN, RECONCILE_UPR_INFO, TERMAN_STYLE_CSV, themeRow, tr } from './import-helpers.js';
import { judgeMutant, postImport, withRssRise, type ImportPath } from './support/import-mutant-check.js';
import { mutant, type SeedFile } from './support/import-mutants.js';
import { CONTAINER_MUTATIONS, readZip, writeZip } from './support/import-zip-mutants.js';
import { testSql } from './support/test-sql.js';
import { fixtureTagger } from './tagging-helpers.js';

// The small import fixtures mutated at random (test/support/import-mutants.ts: bytes flipped, inserted, cut;
// lines swapped; encodings changed; a header cell renamed; a .docx's document.xml broken, its zip damaged), each
// sent through POST /v1/imports one of eight ways (raw or multipart, dry run or real, in the request's thread or
// the import thread) on the suite's backend. Each must be a 2xx or a 4xx problem, never a 5xx; a 4xx or a dry run
// changes nothing stored; a file imported again changes nothing. Seeded: a failure names seed and index, and
// `mutant(seedFile, SEED, index)` makes its bytes again. bench/import-fuzz.ts runs more, on the real data.
// Then each .docx's container damaged each way test/support/import-zip-mutants.ts knows: as above, and a 2xx finds
// the file's own records unchanged; for any mutant, the process's RSS rises by a bounded amount.

const SEED = 42;
const postgres = testBackend() === 'postgres';
// A small import costs ~1 s on PostgreSQL under load (its scratch file, the round trips; a file imported is imported
// twice) against ~0.03 s on SQLite: there, fewer mutants a file, each file's going the ways the one before did not
// (each of the eight ways at least once over the six files); the mutations are the same code on either backend.
const PER_SEED = postgres ? 2 : 24;
// The container's mutations: on SQLite each of every .docx twice; on PostgreSQL the odd-numbered ones (a huge size
// and a wrong checksum among them) once, of one .docx in turn.
// Each imported for real (a refusal must leave nothing), not again: the import of a file read is the test above's.
const CONTAINER_PER_SEED = postgres ? 1 : 2;
// The most the process's RSS may rise for one mutant: an import holds the file, a part inflated (at most 32 MiB)
// and its tree; the import thread's start (the tagger's model loaded again) takes ~125 MB, with whichever mutant
// first goes there. The failures this catches are gigabytes.
const MAX_RSS_RISE_MB = 300;

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
      bytes: await matrixDocx(
        [
          fourthCycleHeader,
          tr(cell('121.3 Abolish the death penalty (Norway);', 'Source of Position: A/HRC/43/15 - Para 121'), cell('Supported'), cell('- D23 Death penalty', 'Groups of Persons:', '- Women'), cell('16'), cell('')),
        ],
        { deflate: true },
      ),
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

// Both apps on their own database, built at once, shared by both tests: the request's thread (these files are far
// below the default IMPORT_THREAD_MIN_BYTES) and the import thread. The request's thread tags with a small model
// (loading the shipped one was 4 s of a loaded machine's first import); the import thread loads the shipped one.
setTagger(fixtureTagger());
t.teardown(() => setTagger(undefined)); // the shipped model again: a shard runs other files in this process
const [inRequest, inThread] = await Promise.all([buildTestApp(t), buildTestApp(t, { importThreadMinBytes: 0 })]);
const apps = [inRequest!, inThread!].map((app) => ({ app, sql: testSql(app), key: mintKey(app, 'admin') }));
const seeds = await seedFiles();

/** One of the eight ways, and its name. */
function way(n: number): { app: (typeof apps)[number]; path: ImportPath; how: string } {
  const path = { multipart: (n >> 1) % 2 === 1, dryRun: (n >> 2) % 2 === 1 };
  return { app: apps[n % 2]!, path, how: `${n % 2 ? 'import thread' : "request's thread"}, ${path.multipart ? 'multipart' : 'raw'}${path.dryRun ? ', dry run' : ''}` };
}

t.test('mutated import files: a report or a 4xx problem, nothing half-written, again changes nothing', async (t) => {
  const outcomes = new Map<string, number>();
  for (const [fileNumber, file] of seeds.entries()) {
    for (let index = 0; index < PER_SEED; index++) {
      const { what, bytes } = await mutant(file, SEED, index);
      const { app: { app, sql, key }, path, how } = way(index + fileNumber * PER_SEED);
      const { result: verdict, riseMB } = await withRssRise(() => judgeMutant(app, sql, key, bytes, path));
      const named = `${what} (seed ${SEED}, ${how})`;
      if (!verdict.ok) t.fail(`${named}: ${verdict.why}`);
      else outcomes.set(String(verdict.status), (outcomes.get(String(verdict.status)) ?? 0) + 1);
      if (riseMB > MAX_RSS_RISE_MB) t.fail(`${named}: RSS rose ${Math.round(riseMB)} MB`);
    }
  }
  t.ok((outcomes.get('200') ?? 0) > PER_SEED && (outcomes.get('422') ?? 0) > PER_SEED, `both kinds of answer: ${JSON.stringify(Object.fromEntries(outcomes))}`);
});

t.test("a .docx's container damaged: a 4xx problem, or the file's own records unchanged; memory bounded", async (t) => {
  const outcomes = new Map<string, number>();
  const inflated = (entry: { method: number; data: Buffer }) => (entry.method === 8 ? inflateRawSync(entry.data) : entry.data);
  let n = 0;
  const matrices = seeds.filter((seed) => seed.kind === 'docx');
  for (const [fileNumber, file] of matrices.entries()) {
    // The file itself imported first (the test above imported its mutants): a mutant imported must then find each of
    // its records stored as it reads them (a bit flipped in a part, its checksum unchecked, was another text).
    let records = 0;
    for (const { app, key } of apps) {
      const own = (await postImport(app, key, file.bytes, { multipart: false, dryRun: false })).json().recommendations as Record<string, number>;
      records = own.created! + own.updated! + own.unchanged!;
    }
    for (const [mutationNumber, name] of Object.keys(CONTAINER_MUTATIONS).entries()) {
      if (postgres && (mutationNumber % 2 === 0 || ((mutationNumber - 1) / 2) % matrices.length !== fileNumber)) continue;
      for (let index = 0; index < CONTAINER_PER_SEED; index++) {
        const made = CONTAINER_MUTATIONS[name]!(readZip(file.bytes), random(SEED * 1000 + n), inflated);
        const { app: { app, sql, key }, path, how } = way(n++ % 4); // the four ways that are not a dry run
        const bytes = writeZip(made.entries, made.layout);
        const { result: verdict, riseMB } = await withRssRise(() => judgeMutant(app, sql, key, bytes, path, { again: false }));
        const named = `${file.name} ${name}: ${made.what} (random(${SEED * 1000 + n - 1}), ${how})`;
        if (!verdict.ok) t.fail(`${named}: ${verdict.why}`);
        else {
          outcomes.set(String(verdict.status), (outcomes.get(String(verdict.status)) ?? 0) + 1);
          if (verdict.status < 300 && (verdict.records !== records || verdict.created! + verdict.updated! > 0)) {
            t.fail(`${named}: ${verdict.records} records (${verdict.created} created, ${verdict.updated} updated), not the file's ${records} unchanged`);
          }
        }
        if (riseMB > MAX_RSS_RISE_MB) t.fail(`${named}: RSS rose ${Math.round(riseMB)} MB`);
      }
    }
  }
  t.ok(outcomes.has('200') && outcomes.has('413') && outcomes.has('422'), `imported, too large and refused: ${JSON.stringify(Object.fromEntries(outcomes))}`);
});
