import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { importFile } from '../src/import/run.js';
import { uhriThemeIds, wantedLabels } from '../src/tagging/apply.js';
import { UPR_INFO_TO_UHRI } from '../src/tagging/crosswalk.js';
import { machineTagger } from '../src/tagging/tagger.js';
import { agrees } from './tagging-ohchr-nearest.js';

// Session 43: machine labels where users get them, off the training data's distribution. Slovenia's 2019 OHCHR
// matrix (../shared/data/ohchr-thematic-list/, 215 recommendations, UHRI themes by OHCHR) is imported into a new
// database under the temporary folder, as `npm run import` would; each text is then labelled as if it had no
// labels (src/tagging/apply.ts's wantedLabels with no other labels: the shipped tagger's UPR Info issues and the
// UHRI themes the crosswalk derives from them, in the database's vocabulary), and the derived themes are compared
// with OHCHR's: per theme precision (of the themes we would show, how many OHCHR gave) and recall (of the texts
// OHCHR gave a theme the crosswalk can reach, how many we derive it for), the confidence shown against how often
// right, and every derived theme OHCHR did not give with its judgement (bench/data/tagging-ohchr-audit.json: read
// by hand, is OHCHR's list incomplete, our label wrong, or the crosswalk?). And a proxy for the issues themselves:
// how often an issue given has one of its nearest OHCHR themes or groups (bench/tagging-ohchr-nearest.ts), by the
// confidence shown. Never used to tune the model.
//   npm run -s bench:tagging-ohchr-audit [-- --json] [--texts]   (--texts: the unjudged and missed texts in full)

const { values: args } = parseArgs({
  options: { json: { type: 'boolean', default: false }, texts: { type: 'boolean', default: false } },
});

// SHARED_DATA_DIR: where the shared data is when this checkout is not beside it (a git worktree).
const DATA = process.env.SHARED_DATA_DIR ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const MATRIX = join(DATA, 'ohchr-thematic-list/slovenia_upr34_thematic_list.docx');
const REVIEW = 'SVN-3';
const JUDGED = fileURLToPath(new URL('data/tagging-ohchr-audit.json', import.meta.url));

type Verdict = 'ohchr incomplete' | 'label wrong' | 'crosswalk wrong';
interface Judged {
  paragraph: string;
  theme: string;
  verdict: Verdict;
  why: string;
}

interface Derived {
  paragraph: string;
  theme: string;
  confidence: number;
  right: boolean;
  /** The UPR Info issue it came from. */
  issue: string;
}

if (!existsSync(MATRIX)) {
  process.stderr.write(`${MATRIX}: not found (SHARED_DATA_DIR names the shared data folder)\n`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'upr-ohchr-audit-'));
const db = openDatabase(join(dir, 'audit.sqlite'));
try {
  await importFile(db, { name: MATRIX, chunks: () => createReadStream(MATRIX) }, { actor: 'bench', newDatabase: true });
  const client = db.$client;
  const rows = client
    .prepare(
      `select r.id, r.paragraph, r.text, (select json_group_array(t.label) from recommendation_themes l join themes t on t.id = l.theme_id
        where l.recommendation_id = r.id and t.scheme = 'uhri' and l.label_source = 'ohchr') as ohchr,
        (select json_group_array(g.group_id) from recommendation_affected_persons g where g.recommendation_id = r.id) as groups
      from recommendations r where r.review_id = ? order by r.id`,
    )
    .all(REVIEW) as { id: string; paragraph: string; text: string; ohchr: string; groups: string }[];
  const labelOf = new Map(client.prepare('select id, label from themes').raw().all() as [string, string][]);
  const uhriIds = uhriThemeIds(db);
  const issueOf = new Map([...uhriIds].map(([issue, theme]) => [theme, labelOf.get(issue)!]));
  const tagger = machineTagger()!;
  const derived: Derived[] = [];
  const missed: { paragraph: string; theme: string; issues: string[]; text: string }[] = [];
  const texts = new Map<string, string>();
  const reachable = new Set(uhriIds.values());
  const issues: { issue: string; confidence: number; agrees: boolean }[] = [];
  const allIssues: number[] = [];
  for (const row of rows) {
    texts.set(row.paragraph, row.text);
    const ohchr = new Set(JSON.parse(row.ohchr) as string[]);
    const labels = wantedLabels(tagger, row.text, [], uhriIds);
    const ours = labels.filter((l) => reachable.has(l.themeId));
    const groups = new Set(JSON.parse(row.groups) as string[]);
    for (const label of labels.filter((l) => l.themeId.startsWith('upr-info-'))) {
      allIssues.push(label.confidence);
      const issue = labelOf.get(label.themeId)!;
      const near = agrees(issue, ohchr, groups);
      if (near !== undefined) issues.push({ issue, confidence: label.confidence, agrees: near });
    }
    for (const label of ours) {
      const theme = labelOf.get(label.themeId)!;
      derived.push({ paragraph: row.paragraph, theme, confidence: label.confidence, right: ohchr.has(theme), issue: issueOf.get(label.themeId)! });
    }
    for (const themeId of reachable) {
      const theme = labelOf.get(themeId)!;
      if (ohchr.has(theme) && !ours.some((l) => l.themeId === themeId)) {
        const issues = labels.filter((l) => l.themeId.startsWith('upr-info-')).map((l) => labelOf.get(l.themeId)!);
        missed.push({ paragraph: row.paragraph, theme, issues, text: row.text });
      }
    }
  }
  const judged: Judged[] = existsSync(JUDGED) ? (JSON.parse(readFileSync(JUDGED, 'utf8')) as { judged: Judged[] }).judged : [];
  const verdictOf = (d: Derived) => judged.find((j) => j.paragraph === d.paragraph && j.theme === d.theme);

  // Right once OHCHR's omissions are counted as right (judged by reading the text).
  const rightJudged = (d: Derived) => d.right || verdictOf(d)?.verdict === 'ohchr incomplete';
  const perTheme = [...UPR_INFO_TO_UHRI.values()].map((theme) => {
    const given = derived.filter((d) => d.theme === theme);
    const right = given.filter((d) => d.right).length;
    const judgedRight = given.filter(rightJudged).length;
    const ohchr = rows.filter((r) => (JSON.parse(r.ohchr) as string[]).includes(theme)).length;
    const inDatabase = [...reachable].some((id) => labelOf.get(id) === theme);
    return { theme, inDatabase, derived: given.length, right, precision: given.length ? right / given.length : null, precisionJudged: given.length ? judgedRight / given.length : null, ohchr, recall: ohchr ? right / ohchr : null };
  });
  const bands = [0, 0.5, 0.7, 0.9, 1.001].slice(1).map((high, i, all) => {
    const low = i === 0 ? 0 : all[i - 1]!;
    const band = derived.filter((d) => d.confidence >= low && d.confidence < high);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const right = mean(band.map((d) => (d.right ? 1 : 0)));
    return { band: `${low}–${Math.min(high, 1)}`, labels: band.length, meanShown: mean(band.map((d) => d.confidence)), right, rightJudged: mean(band.map((d) => (rightJudged(d) ? 1 : 0))) };
  });
  const issueBands = [0.3, 0.5, 0.7, 0.9, 1.001].map((high, i, all) => {
    const low = i === 0 ? 0 : all[i - 1]!;
    const band = issues.filter((d) => d.confidence >= low && d.confidence < high);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    return { band: `${low}–${Math.min(high, 1)}`, labels: band.length, meanShown: mean(band.map((d) => d.confidence)), agree: mean(band.map((d) => (d.agrees ? 1 : 0))) };
  });
  const perIssue = [...new Set(issues.map((d) => d.issue))].sort().map((issue) => {
    const given = issues.filter((d) => d.issue === issue);
    return { issue, labels: given.length, meanShown: given.reduce((a, d) => a + d.confidence, 0) / given.length, agree: given.filter((d) => d.agrees).length / given.length };
  });
  const wrong = derived.filter((d) => !d.right).map((d) => ({ ...d, judged: verdictOf(d) ?? null }));
  const verdicts: Record<string, number> = {};
  for (const w of wrong) verdicts[w.judged?.verdict ?? 'not judged'] = (verdicts[w.judged?.verdict ?? 'not judged'] ?? 0) + 1;
  const summary = {
    recommendations: rows.length,
    derived: derived.length,
    right: derived.filter((d) => d.right).length,
    precision: derived.length ? derived.filter((d) => d.right).length / derived.length : null,
    precisionJudged: derived.length ? derived.filter(rightJudged).length / derived.length : null,
    reachableGiven: perTheme.reduce((n, t) => n + t.ohchr, 0),
    recall: perTheme.reduce((n, t) => n + t.right, 0) / Math.max(1, perTheme.reduce((n, t) => n + t.ohchr, 0)),
    verdicts,
    perTheme,
    bands,
    issuesGiven: { labels: allIssues.length, under05: allIssues.filter((c) => c < 0.5).length, mean: allIssues.reduce((a, c) => a + c, 0) / Math.max(1, allIssues.length) },
    issues: { labels: issues.length, agree: issues.filter((d) => d.agrees).length / Math.max(1, issues.length), bands: issueBands, perIssue },
  };
  if (args.json) process.stdout.write(`${JSON.stringify({ ...summary, wrong, missed: missed.map(({ text: _, ...m }) => m) }, null, 1)}\n`);
  else {
    const pct = (x: number | null) => (x === null ? '–' : x.toFixed(3));
    const out: string[] = [];
    out.push(`${REVIEW}: ${rows.length} recommendations; ${summary.derived} UHRI themes derived, ${summary.right} of them OHCHR's (precision ${pct(summary.precision)}; ${pct(summary.precisionJudged)} with OHCHR's omissions judged right); recall ${pct(summary.recall)} of ${summary.reachableGiven} reachable themes OHCHR gave`);
    out.push('', 'theme | in the database | derived | OHCHR gave too | precision | judged right | OHCHR gave | recall');
    for (const t of perTheme) out.push(`${t.theme} | ${t.inDatabase ? 'yes' : 'no'} | ${t.derived} | ${t.right} | ${pct(t.precision)} | ${pct(t.precisionJudged)} | ${t.ohchr} | ${pct(t.recall)}`);
    out.push('', 'confidence shown | labels | mean shown | OHCHR gave | judged right');
    for (const b of bands) out.push(`${b.band} | ${b.labels} | ${pct(b.meanShown)} | ${pct(b.right)} | ${pct(b.rightJudged)}`);
    out.push('', `the tagger's issues: ${allIssues.length} given, mean shown ${pct(summary.issuesGiven.mean)}, ${summary.issuesGiven.under05} under 0.5`);
    out.push(`those with a nearest OHCHR theme or group: ${issues.length} given, ${pct(summary.issues.agree)} near OHCHR's`);
    out.push('confidence shown | labels | mean shown | near OHCHR\'s');
    for (const b of issueBands) out.push(`${b.band} | ${b.labels} | ${pct(b.meanShown)} | ${pct(b.agree)}`);
    out.push('issue | labels | mean shown | near OHCHR\'s');
    for (const p of perIssue) out.push(`${p.issue} | ${p.labels} | ${pct(p.meanShown)} | ${pct(p.agree)}`);
    out.push('', `derived, not OHCHR's (${wrong.length}): ${JSON.stringify(verdicts)}`);
    for (const w of wrong) {
      out.push(`  ${w.paragraph} ${w.theme} (from ${w.issue}, ${w.confidence}): ${w.judged ? `${w.judged.verdict}: ${w.judged.why}` : 'NOT JUDGED'}`);
      if (args.texts && !w.judged) out.push(`    ${texts.get(w.paragraph)}`);
    }
    out.push('', `OHCHR's reachable themes not derived (${missed.length}):`);
    for (const m of missed) {
      out.push(`  ${m.paragraph} ${m.theme}; the tagger's issues: ${m.issues.join(', ')}`);
      if (args.texts) out.push(`    ${m.text}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
} finally {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
