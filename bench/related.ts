import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOnHelpOrUsageError } from '../scripts/command-args.js';
import { openDatabase } from '../src/db/open.js';
import { importFile } from '../src/import/run.js';
import { refreshStaleRelations, relateAll } from '../src/related/refresh.js';
import { RECURRENCE_THRESHOLD } from '../src/related/settings.js';
import { buildQueries, type Query, readUprInfo, UPR_INFO_FILES, uprInfoDir } from './related-sample.js';
import type { BenchRow } from './row.js';

// Related recommendations (issue 11 §2), measured on UPR Info's database (sessions 1–17) imported as the
// importer does it: precision@3 of the ranking the related endpoint serves (`relation=earlier&limit=3`) on
// the labelled sample of related-sample.ts, the recurrence threshold's precision, and the time to compute the
// whole corpus's relations and one record's. Called by bench/run.ts; `npm run bench:related` runs it alone.

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Precision {
  queries: number;
  /** Relevant among the first three, over three. */
  strict: number;
  /** Relevant among the first three, over min(3, relevant candidates): 1 when every slot that could be right is. */
  capped: number;
  first: number;
}

function precisionAt3(queries: Query[], top3: (q: Query) => number[]): Precision {
  let strict = 0;
  let capped = 0;
  let first = 0;
  for (const q of queries) {
    const top = top3(q);
    const hits = top.filter((i) => q.relevant.has(i)).length;
    strict += hits / 3;
    capped += hits / Math.min(3, q.relevant.size);
    if (top.length > 0 && q.relevant.has(top[0]!)) first++;
  }
  const n = queries.length;
  return { queries: n, strict: round(strict / n), capped: round(capped / n), first: round(first / n) };
}

export async function relatedBench(progress: (message: string) => void = () => {}): Promise<BenchRow[]> {
  const dir = uprInfoDir();
  if (dir === undefined) return [{ name: 'related recommendations: skipped (no shared/data)', value: 0, unit: '' }];
  const tmp = mkdtempSync(join(tmpdir(), 'upr-related-'));
  const rows: BenchRow[] = [];
  const db = openDatabase(join(tmp, 'related.sqlite'));
  try {
    progress('related: importing UPR Info sessions 1–17 …');
    let started = performance.now();
    for (const file of UPR_INFO_FILES) {
      const path = join(dir, file);
      await importFile(db, { name: file, chunks: () => createReadStream(path) }, { actor: 'bench', format: 'upr-info' });
    }
    const imported = performance.now() - started;
    const total = db.$client.prepare('select count(*) from recommendations').pluck().get() as number;

    progress('related: recomputing every state …');
    started = performance.now();
    const cpu = process.cpuUsage();
    const counts = db.transaction(() => relateAll(db, undefined, () => {}), { behavior: 'immediate' });
    const whole = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    const relations = db.$client.prepare('select count(*) from recommendation_relations').pluck().get() as number;
    const cpuSeconds = (user + system) / 1e6;
    rows.push({
      name: `related: relations of the whole corpus (${total.toLocaleString('en')} recommendations), CPU time`,
      value: round(cpuSeconds, 1),
      unit: 's',
      target: '≤ 10 s',
      met: cpuSeconds <= 10,
      detail: `wall ${round(whole / 1000, 1)} s (on a shared machine, waiting for a core); ${counts.states} states, ${relations.toLocaleString('en')} relations kept; the 4 UPR Info imports (which compute them too) took ${round(imported / 1000, 1)} s`,
    });

    // One record listed stale: its state recomputed whole, as after a create or a text change (here with the
    // texts unchanged, so no pair is rewritten), for 25 records.
    const ids = db.$client.prepare('select id from recommendations order by id limit 25 offset 1000').pluck().all() as string[];
    const cpuBefore = process.cpuUsage();
    const times = ids.map((id) => {
      const t0 = performance.now();
      db.transaction(
        () => {
          db.$client.prepare('insert into recommendation_relations_stale (recommendation_id) values (?)').run(id);
          refreshStaleRelations(db);
        },
        { behavior: 'immediate' },
      );
      return performance.now() - t0;
    });
    const oneCpu = process.cpuUsage(cpuBefore);
    rows.push({
      name: 'related: one record updated (its state re-read and scored), wall time',
      value: round(median(times), 1),
      unit: 'ms',
      detail: `median of ${times.length}; max ${round(Math.max(...times), 1)} ms; CPU ${round((oneCpu.user + oneCpu.system) / 1000 / times.length, 1)} ms per record on average`,
    });

    // The labelled sample: the records as read from the files, matched to the stored ones by review and text.
    progress('related: the labelled sample …');
    const records = await readUprInfo(db, dir);
    const idOf = db.$client.prepare(`select r.id from recommendations r join reviews v on v.id = r.review_id
      where v.state_code = ? and v.cycle = ? and r.text = ?`).pluck();
    const ids2 = records.map((r) => idOf.get(r.state, r.cycle, r.text) as string);
    const indexOf = new Map(ids2.map((id, i) => [id, i]));
    const earlier = db.$client.prepare(`select related_id from recommendation_relations
      where recommendation_id = ? and relation = 'earlier' order by score desc, related_id limit 3`).pluck();
    const top3 = (q: Query) => (earlier.all(ids2[q.query]) as string[]).map((id) => indexOf.get(id)!);
    const queries = buildQueries(records);
    for (const kind of ['instrument', 'issue'] as const) {
      const p = precisionAt3(
        queries.filter((q) => q.kind === kind),
        top3,
      );
      const about = kind === 'instrument' ? 'ratifying the same instrument' : "the same narrow UPR Info issue";
      rows.push({
        name: `related: precision@3, ${kind} queries (${about})`,
        value: p.capped,
        unit: '',
        ...(kind === 'instrument' ? { target: '≥ 0.9', met: p.capped >= 0.9 } : {}),
        detail: `${p.queries} second-cycle queries against the state's first cycle; relevant in the top 3 over min(3, relevant candidates); over 3: ${p.strict}; precision@1 ${p.first}`,
      });
    }

    // The recurrence threshold: of the earlier-cycle relations at or above it, how many are relevant.
    const instrumentQueries = queries.filter((q) => q.kind === 'instrument');
    const above = db.$client.prepare(`select related_id from recommendation_relations
      where recommendation_id = ? and relation = 'earlier' and score >= ?`).pluck();
    const detail = [0.3, 0.4, RECURRENCE_THRESHOLD, 0.6, 0.7]
      .filter((t, i, all) => all.indexOf(t) === i)
      .sort()
      .map((threshold) => {
        let kept = 0;
        let right = 0;
        let found = 0;
        for (const q of instrumentQueries) {
          const hits = (above.all(ids2[q.query], threshold) as string[]).map((id) => indexOf.get(id)!);
          kept += hits.length;
          right += hits.filter((i) => q.relevant.has(i)).length;
          if (hits.some((i) => q.relevant.has(i))) found++;
        }
        return { threshold, precision: round(right / kept), recall: round(found / instrumentQueries.length) };
      });
    const chosen = detail.find((d) => d.threshold === RECURRENCE_THRESHOLD)!;
    rows.push({
      name: `related: recurrence threshold ${RECURRENCE_THRESHOLD}, precision of the earlier-cycle matches counted`,
      value: chosen.precision,
      unit: '',
      detail: `instrument queries; queries with a relevant match counted: ${chosen.recall}; ${detail
        .map((d) => `at ${d.threshold}: precision ${d.precision}, queries found ${d.recall}`)
        .join('; ')}`,
    });
    return rows;
  } finally {
    db.$client.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  exitOnHelpOrUsageError(
    { json: { type: 'boolean' } },
    'Usage: npm run bench:related [-- --json]\n  Related recommendations on UPR Info\'s sessions 1–17 (needs ../shared/data or SHARED_DATA_DIR; minutes).\n  --json  the rows as JSON',
  );
  const rows = await relatedBench((message) => process.stderr.write(`${message}\n`));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}: ${r.met ? 'met' : 'MISSED'})` : ''}${r.detail ? `\n    ${r.detail}` : ''}`);
}
