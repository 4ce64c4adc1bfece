import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { random } from '../src/common/random.js';
import { RECURRENCE_THRESHOLD } from '../src/related/settings.js';

// An audit of `recurrence` independent of bench/related-sample.ts (session 40): a seeded random sample of the
// pairs that count toward it (earlier cycle, score ≥ RECURRENCE_THRESHOLD), drawn from a database holding the
// whole record (the Terman files and UPR Info's imported) in four score bands, each pair judged by reading both
// texts (bench/data/recurrence-audit.json: is the later one the same request as the earlier one?).
//   npm run -s bench:recurrence-audit -- sample <db>   the sample as JSON lines, to judge
//   npm run -s bench:recurrence-audit -- score <db>    the judged pairs' scores in <db> (related by the current
//                                                      code): of each sample, precision per band and the pairs not counted
//   npm run -s bench:recurrence-audit -- kinds <db> [n] the hard false positives counted, n examples of each
//   npm run -s bench:recurrence-audit -- changed <before> <after>   40 pairs each that a change of scoring brought
//                                                      to the threshold and took below it, to judge

const BANDS = [
  [0.5, 0.6],
  [0.6, 0.7],
  [0.7, 0.85],
  [0.85, 1.0001],
] as const;
const PER_BAND = 32;
const SEED = 40;

export const bandOf = (score: number): string => {
  const band = BANDS.find(([low, high]) => score >= low && score < high);
  return band === undefined ? 'below 0.5' : `${band[0]}–${Math.min(1, band[1])}`;
};

export const textHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

interface Pair {
  id: string;
  relatedId: string;
  score: number;
  text: string;
  relatedText: string;
}

const PAIRS = `select l.recommendation_id as id, l.related_id as relatedId, l.score, r.text, e.text as relatedText
  from recommendation_relations l join recommendations r on r.id = l.recommendation_id join recommendations e on e.id = l.related_id
  where l.relation = 'earlier' and l.score >= ? order by l.recommendation_id, l.related_id`;

function shuffled<T>(list: T[], next: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** Seeded samples of the pairs a change of scoring brought above the threshold and took below it. */
function changed(beforePath: string, afterPath: string): void {
  const counted = (path: string) => {
    const db = new Database(path, { readonly: true });
    return new Map((db.prepare(PAIRS).all(RECURRENCE_THRESHOLD) as Pair[]).map((p) => [`${p.id} ${p.relatedId}`, p]));
  };
  const [before, after] = [counted(beforePath), counted(afterPath)];
  const next = random(SEED);
  for (const [drawn, from, other] of [['entered', after, before], ['left', before, after]] as const) {
    const pairs = [...from.values()].filter((p) => !other.has(`${p.id} ${p.relatedId}`));
    process.stderr.write(`${drawn}: ${pairs.length} pairs\n`);
    for (const p of shuffled(pairs, next).slice(0, 40)) process.stdout.write(`${JSON.stringify({ ...p, drawn })}\n`);
  }
}

function sample(path: string): void {
  const db = new Database(path, { readonly: true });
  const pairs = db.prepare(PAIRS).all(RECURRENCE_THRESHOLD) as Pair[];
  const next = random(SEED);
  for (const [low, high] of BANDS) {
    const band = pairs.filter((p) => p.score >= low && p.score < high);
    process.stderr.write(`band ${low}–${high}: ${band.length} pairs\n`);
    for (const p of shuffled(band, next).slice(0, PER_BAND)) process.stdout.write(`${JSON.stringify({ ...p, band: bandOf(p.score) })}\n`);
  }
}

interface Judged {
  drawn: 'band' | 'entered' | 'left';
  /** The session that drew and judged it, when not session 40, and the change of scoring drawn for (each drew its own). */
  session?: number;
  change?: string;
  id: string;
  relatedId: string;
  textHash: string;
  relatedTextHash: string;
  score: number;
  verdict: 'same' | 'partial' | 'different';
  kind?: string;
  reason: string;
}

interface Tally {
  same: number;
  partial: number;
  all: number;
}

const line = (name: string, { same, partial, all }: Tally) =>
  `${name}: ${all} pairs, ${same} the same request, ${partial} partly, ${all - same - partial} another; asked before ${(
    (same + partial) /
    all
  ).toFixed(3)}, the same request ${(same / all).toFixed(3)}`;

function score(path: string): void {
  const judged = (JSON.parse(readFileSync(new URL('data/recurrence-audit.json', import.meta.url), 'utf8')) as { pairs: Judged[] }).pairs;
  const db = new Database(path, { readonly: true });
  const stored = db.prepare(`select score from recommendation_relations where recommendation_id = ? and related_id = ? and relation = 'earlier'`).pluck();
  const text = db.prepare('select text from recommendations where id = ?').pluck();
  const add = (t: Tally, p: Judged) => {
    t.all++;
    if (p.verdict === 'same') t.same++;
    if (p.verdict === 'partial') t.partial++;
  };
  const drawnBy = (p: Judged) => (p.session === undefined ? p.drawn : `${p.drawn} (session ${p.session}, ${p.change})`);
  for (const drawn of [...new Set(judged.map(drawnBy))]) {
    console.log(`${drawn}:`);
    const bands = new Map<string, Tally>();
    const dropped: Tally = { same: 0, partial: 0, all: 0 };
    for (const p of judged.filter((j) => drawnBy(j) === drawn)) {
      if (textHash(text.get(p.id) as string) !== p.textHash || textHash(text.get(p.relatedId) as string) !== p.relatedTextHash) {
        throw new Error(`${p.id} / ${p.relatedId}: not the texts judged`);
      }
      const now = (stored.get(p.id, p.relatedId) as number | undefined) ?? 0;
      if (now < RECURRENCE_THRESHOLD) {
        add(dropped, p);
        continue;
      }
      const band = bandOf(now);
      if (!bands.has(band)) bands.set(band, { same: 0, partial: 0, all: 0 });
      add(bands.get(band)!, p);
    }
    const total: Tally = { same: 0, partial: 0, all: 0 };
    for (const [band, tally] of [...bands].sort()) {
      total.same += tally.same;
      total.partial += tally.partial;
      total.all += tally.all;
      console.log(line(`  ${band}`, tally));
    }
    if (total.all > 0) console.log(line('  counted', total));
    if (dropped.all > 0) console.log(line('  not counted (below the threshold)', dropped));
  }
}

// The hard false positives the audit looked for, found by patterns written for it (not src/related's), over every
// pair counted: a treaty against its own protocol, ratifying against another act on a treaty, abolition against
// a moratorium, decriminalising against criminalising, women against children.
const TREATIES: [name: string, treaty: RegExp, protocolOf: RegExp, protocol: RegExp][] = [
  ['CAT / OP-CAT', /convention against torture|\bcat\b/,
    /\bop-?cat\b|optional protocol (?:to|of|on) (?:the )?(?:un |united nations )?(?:convention against torture(?: and other cruel,? inhuman or degrading treatment or punishment)?|cat)\b/g,
    /\bop-?cat\b|optional protocol (?:to|of|on) (?:the )?(?:un |united nations )?(?:convention against torture|cat)\b|(?:torture|punishment|\bcat\)?) and (?:its|the) optional protocol/],
  ['CEDAW / OP-CEDAW', /\bcedaw\b|discrimination against women/,
    /\bop-?cedaw\b|optional protocol (?:to|of|on) (?:the )?(?:cedaw|convention on the elimination of all forms of discrimination against women)/g,
    /\bop-?cedaw\b|optional protocol (?:to|of|on) (?:the )?(?:cedaw|convention on the elimination of all forms of discrimination against women)|(?:cedaw|against women)\)? and (?:its|the) optional protocol/],
  ['ICCPR / ICCPR-OP2', /\biccpr\b|civil and political rights/,
    /(?:first |second )?optional protocols? (?:to|of) (?:the )?(?:iccpr|international covenant on civil and political rights)|second optional protocol|\biccpr-? ?op ?[12]\b|\bop[12]\b/g,
    /second optional protocol|\biccpr-? ?op ?2\b|\bop2\b/],
  ['CRC / its protocols', /\bcrc\b|convention on the rights of the child/,
    /optional protocols? (?:to|of|on) (?:the )?(?:crc|convention on the rights of the child)|\bop-?crc[a-z-]*|\bop(?:sc|ac|ic)\b/g,
    /optional protocols? (?:to|of|on) (?:the )?(?:crc|convention on the rights of the child)|\bop-?crc|\bop(?:sc|ac|ic)\b|sale of children|children in armed conflict|communications? procedure|(?:child|crc)\)? and (?:its|the) (?:two )?optional protocols?/],
  ['ICESCR / OP-ICESCR', /\bicescr\b|economic,? social and cultural rights/,
    /\bop-?icescr\b|optional protocol (?:to|of) (?:the )?(?:icescr|international covenant on economic,? social and cultural rights)/g,
    /\bop-?icescr\b|optional protocol (?:to|of) (?:the )?(?:icescr|international covenant on economic,? social and cultural rights)|(?:icescr|cultural rights)\)? and (?:its|the) optional protocol/],
];
const RATIFIES = /\b(?:ratif\w*|acced\w*|accession|adher\w*|(?:becom\w*|being) (?:a )?(?:state )?part(?:y|ies)|sign|signing|signature)\b/;
const A_TREATY = /convention|covenant|protocol|statute|\b(?:cedaw|crc|crpd|iccpr|icescr|cat|icrmw|cped|icerd|cerd)\b/;

function kindsOf(later: string, earlier: string): string[] {
  const [a, b] = [later.toLowerCase(), earlier.toLowerCase()];
  const kinds: string[] = [];
  for (const [name, treaty, protocolOf, protocol] of TREATIES) {
    const only = (t: string) => {
      const named = treaty.test(t.replace(protocolOf, ' '));
      const op = protocol.test(t);
      return named && !op ? 'treaty' : op && !named ? 'protocol' : undefined;
    };
    const [x, y] = [only(a), only(b)];
    if (x !== undefined && y !== undefined && x !== y) kinds.push(`treaty vs protocol: ${name}`);
  }
  if (RATIFIES.test(a) !== RATIFIES.test(b)) {
    const other = RATIFIES.test(a) ? b : a;
    if (/reservation/.test(other)) kinds.push('ratify vs withdraw reservations');
    else if (A_TREATY.test(other)) kinds.push('ratify vs another act on a treaty');
  }
  const abolition = (t: string) => /abolish|abolition/.test(t) && !/moratori/.test(t);
  const moratorium = (t: string) => /moratori/.test(t) && !/abolish|abolition/.test(t);
  if ((abolition(a) && moratorium(b)) || (moratorium(a) && abolition(b))) kinds.push('abolish vs moratorium');
  const de = (t: string) => /decriminali[sz]/.test(t);
  const crime = (t: string) => /(?<!de)criminali[sz]/.test(t) && !de(t) && !/repeal|abolish|remove|amend|revis|review/.test(t);
  if ((de(a) && crime(b)) || (crime(a) && de(b))) kinds.push('decriminalise vs criminalise');
  const women = (t: string) => /\bwom[ae]n\b|\bgirls?\b/.test(t) && !/\bchild(?:ren)?\b/.test(t);
  const children = (t: string) => /\bchild(?:ren)?\b/.test(t) && !/\bwom[ae]n\b|\bgirls?\b/.test(t);
  if ((women(a) && children(b)) || (children(a) && women(b))) kinds.push('women vs children');
  return kinds;
}

function kinds(path: string, examples: number): void {
  const db = new Database(path, { readonly: true });
  const pairs = db.prepare(PAIRS).all(RECURRENCE_THRESHOLD) as Pair[];
  const found = new Map<string, Pair[]>();
  for (const p of pairs) for (const kind of kindsOf(p.text, p.relatedText)) found.set(kind, [...(found.get(kind) ?? []), p]);
  console.log(`${pairs.length} earlier-cycle pairs at or above ${RECURRENCE_THRESHOLD}`);
  for (const [kind, list] of [...found].sort()) {
    console.log(`${kind}: ${list.length}`);
    for (const p of list.slice(0, examples)) console.log(`    ${p.score} ${p.relatedText.slice(0, 110)} => ${p.text.slice(0, 110)}`);
  }
}

const USAGE = 'Usage: npm run -s bench:recurrence-audit -- sample|score|kinds <database> [examples] | changed <before> <after>';
const [mode, path, ...rest] = process.argv.slice(2);
if (mode === '--help' || mode === '-h') console.log(USAGE);
else if (mode === 'sample' && path !== undefined && rest.length === 0) sample(path);
else if (mode === 'score' && path !== undefined && rest.length === 0) score(path);
else if (mode === 'changed' && path !== undefined && rest.length === 1) changed(path, rest[0]!);
else if (mode === 'kinds' && path !== undefined && rest.length <= 1) kinds(path, Number(rest[0] ?? 0));
else {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
}
