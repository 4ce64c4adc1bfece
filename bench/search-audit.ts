import Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { configFromEnv, loadEnv } from '../src/config.js';

// Does `q=` find what a researcher searches for? (session 43) For each query below, the recommendations the API
// answers (through the app, every page) against a brute-force scan of every recommendation's text with a test
// written for that query by hand, on a text folded as a reader reads it (diacritics and case dropped, curly
// apostrophes and dashes made plain, `_` a space): recall and precision of q= against that scan, and the first page's best
// matches of the judged queries, to read.
//   npm run -s bench:search-audit -- <db> [--top] [--misses N]
// <db>: a SQLite file holding the whole record (the Terman corpus's 7 files, then UPR Info's 4, then the OHCHR
// matrix: README, Import). --top prints the first five of the judged queries' first page; --misses N, N texts
// missed and N found wrongly of each query.

type Test = (text: string) => boolean;
const has = (re: RegExp): Test => (text) => re.test(text);
const all = (...tests: Test[]): Test => (text) => tests.every((test) => test(text));
const any = (...tests: Test[]): Test => (text) => tests.some((test) => test(text));
const word = (stem: string) => has(new RegExp(`\\b${stem}\\b`));

/** A query, what it is meant to find, and whether its first page is printed to be judged. */
interface Query {
  q: string;
  finds: Test;
  judge?: boolean;
}

const CEDAW = has(/\bcedaw\b|elimination of (all forms of )?discrimination against women/);
const OPCAT = has(/\bop[-. ]{0,2}cat\b|optional protocol (to|of) the (un |united nations )?convention against torture/);
const ICCPR = has(/\biccpr\b|international covenant on civil and political rights/);
const CRPD = has(/\bcrpd\b|convention on the rights of persons with disabilities/);
const NON_DISCRIMINATION = has(/\bnon[- .]?discrimination\b/);
const ANTI_CORRUPTION = has(/\banti[- .]?corruption\b/);
const LABOUR = has(/\blabou?r(s|ers?|ed|ing)?\b/);
const PROGRAMME = has(/\bprogram(me)?s?\b/);
const CRIMINALISE = has(/\bcriminali[sz](e|es|ed|ing|ation)\b/);
const TORTURE = has(/\btortur(e|es|ed|ing)\b/);
const JOURNALIST = has(/\bjournalists?\b/);
const WOMAN = has(/\bwom[ae]n\b/);
const CHILD = has(/\bchild(ren)?\b/);
const DEATH_PENALTY = all(word('death'), has(/\bpenalt(y|ies)\b/));
const CAPITAL_PUNISHMENT = all(word('capital'), has(/\bpunish(ment|ments|ed|es|ing)?\b/));

export const QUERIES: Query[] = [
  // People and places.
  { q: 'Askarov', finds: word('askarov'), judge: true },
  { q: '"Azimjon Askarov"', finds: has(/\bazimjon askarov\b/) },
  { q: 'Tibet', finds: has(/\btibet(an|ans)?\b/), judge: true },
  { q: 'Chechnya', finds: word('chechnya') },
  { q: 'Rohingya', finds: has(/\brohingyas?\b/) },
  { q: 'Uyghur', finds: has(/\bu[iy]gh?urs?\b/) },
  { q: 'Uighur', finds: has(/\bu[iy]gh?urs?\b/) },
  { q: 'Roma', finds: word('roma') },
  { q: 'Sri Lanka', finds: has(/\bsri lanka/) },
  { q: 'Guantanamo', finds: word('guantanamo') },
  // Treaties by name and abbreviation.
  { q: 'CEDAW', finds: CEDAW, judge: true },
  { q: 'OP-CAT', finds: OPCAT, judge: true },
  { q: 'OPCAT', finds: OPCAT },
  { q: '"Optional Protocol to the Convention against Torture"', finds: OPCAT },
  { q: 'ICCPR', finds: ICCPR },
  { q: '"International Covenant on Civil and Political Rights"', finds: ICCPR },
  { q: 'CRPD', finds: CRPD },
  { q: '"Rome Statute"', finds: has(/\brome statute\b/), judge: true },
  { q: 'ILO 169', finds: has(/\bilo\b[^;]{0,60}\b169\b|\b169\b[^;]{0,60}\bilo\b/) },
  { q: '"Convention against Torture"', finds: has(/\bconvention against torture\b/) },
  // Hyphenated and joined words.
  { q: 'non-discrimination', finds: NON_DISCRIMINATION },
  { q: 'nondiscrimination', finds: NON_DISCRIMINATION },
  { q: 'child-labour', finds: has(/\bchild[- ]labou?r\b/) },
  { q: 'anti-corruption', finds: ANTI_CORRUPTION },
  { q: 'anticorruption', finds: ANTI_CORRUPTION },
  { q: 'e-government', finds: has(/\be-?government\b/) },
  { q: 'ill-treatment', finds: has(/\bill[- ]?treatments?\b/) },
  { q: 'cooperation', finds: has(/\bco-?operat(e|es|ed|ing|ion)\b/) },
  // British and American spelling.
  { q: 'labour', finds: LABOUR },
  { q: 'labor', finds: LABOUR },
  { q: '"child labor"', finds: has(/\bchild labou?r\b/) },
  { q: 'programme', finds: PROGRAMME },
  { q: 'program', finds: PROGRAMME },
  { q: 'criminalise', finds: CRIMINALISE },
  { q: 'criminalize', finds: CRIMINALISE },
  { q: 'organization', finds: has(/\borgani[sz]ations?\b/) },
  { q: 'defence', finds: has(/\bdefen[cs]es?\b/) },
  { q: 'centre', finds: has(/\bcent(re|er)(s|ed)?\b/) },
  // Word forms.
  { q: 'torture', finds: TORTURE, judge: true },
  { q: 'tortured', finds: TORTURE },
  { q: 'journalist', finds: JOURNALIST },
  { q: 'journalists', finds: JOURNALIST },
  { q: 'woman', finds: WOMAN },
  { q: 'women', finds: WOMAN },
  { q: 'child', finds: CHILD },
  { q: 'trafficking', finds: has(/\btraffick(ing|ed|ers?)\b/) },
  { q: 'migrant', finds: has(/\bmigrants?\b/) },
  // Apostrophes, quotes and diacritics.
  { q: "women's", finds: has(/\bwomen['.]s\b/) },
  { q: "Côte d'Ivoire", finds: has(/\bcote d'ivoire\b/) },
  { q: 'Cote d’Ivoire', finds: has(/\bcote d'ivoire\b/) },
  { q: '"People\'s Republic"', finds: has(/\bpeople['.]s republic\b/) },
  { q: '"Democratic People\'s Republic of Korea"', finds: has(/\bdemocratic people['.]s republic of korea\b/) },
  { q: 'Côte', finds: word('cote') },
  { q: 'São Tomé', finds: all(word('sao'), word('tome')) },
  { q: 'Türkiye', finds: word('turkiye') },
  // Case, phrases, typed operators.
  { q: 'TORTURE', finds: TORTURE },
  { q: '"death penalty"', finds: has(/\bdeath penalt(y|ies)\b/), judge: true },
  { q: 'death penalty', finds: DEATH_PENALTY },
  { q: '"human rights defenders"', finds: has(/\bhuman rights defenders?\b/), judge: true },
  { q: '"freedom of expression"', finds: has(/\bfreedoms? of expression\b/) },
  { q: 'torture AND women', finds: all(TORTURE, WOMAN) },
  { q: 'death penalty OR capital punishment', finds: any(DEATH_PENALTY, CAPITAL_PUNISHMENT) },
  { q: 'FGM', finds: has(/\bfgm\b|female genital mutilation/) },
  { q: 'LGBT', finds: has(/\blgbt(i|iq|q)?s?\b/) },
  // Numbers and very common words.
  { q: '1325', finds: word('1325'), judge: true },
  { q: '"resolution 1325"', finds: has(/\bresolutions? 1325\b/), judge: true },
  { q: '2030', finds: word('2030') },
  { q: 'right', finds: has(/\brights?\b/) },
  { q: 'human', finds: has(/\bhuman(s|e)?\b/), judge: true },
];

/** A text as a reader reads it: no diacritics, lower case, plain apostrophes, quotes and hyphens, one space. */
export function readerFold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’‘ʼ`´]/g, "'")
    .replace(/[‐‑‒–—]/g, '-')
    .replace(/_/g, ' ')
    .replace(/\s+/g, ' ');
}

const args = process.argv.slice(2);
const path = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
if (path === undefined) {
  console.error('usage: npm run -s bench:search-audit -- <db> [--top] [--misses N]');
  process.exit(2);
}
const showTop = args.includes('--top');
const missesAt = args.indexOf('--misses');
const misses = missesAt >= 0 ? Number(args[missesAt + 1]) : 0;

const rows = new Database(path, { readonly: true }).prepare('select id, text from recommendations').all() as { id: string; text: string }[];
const folded = rows.map((row) => ({ id: row.id, text: row.text, folded: readerFold(row.text) }));
const textOf = new Map(rows.map((row) => [row.id, row.text]));

const app = await buildApp(
  configFromEnv(
    loadEnv({
      ...process.env,
      DATABASE_PATH: path,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MAX: '1000000000',
      MAX_EVENT_LOOP_DELAY_MS: '0',
    }),
  ),
);

async function found(q: string): Promise<{ ids: string[]; status: number; detail?: string }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/v1/recommendations?limit=500&q=${encodeURIComponent(q)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await app.inject({ method: 'GET', url });
    if (response.statusCode !== 200) return { ids, status: response.statusCode, detail: response.json().detail };
    const body = response.json();
    ids.push(...body.data.map((r: { id: string }) => r.id));
    cursor = body.meta.nextCursor;
  } while (cursor);
  return { ids, status: 200 };
}

const clip = (text: string) => (text.length > 150 ? `${text.slice(0, 150)}…` : text);
let [sumRecall, sumPrecision] = [0, 0];
console.log(`${rows.length} recommendations; ${QUERIES.length} queries\nquery\tq=\tscan\tboth\trecall\tprecision`);
for (const query of QUERIES) {
  const expected = new Set(folded.filter((row) => query.finds(row.folded)).map((row) => row.id));
  const answer = await found(query.q);
  const got = new Set(answer.ids);
  const both = [...got].filter((id) => expected.has(id)).length;
  const recall = expected.size === 0 ? 1 : both / expected.size;
  const precision = got.size === 0 ? (expected.size === 0 ? 1 : 0) : both / got.size;
  sumRecall += recall;
  sumPrecision += precision;
  const status = answer.status === 200 ? '' : `\t${answer.status}: ${answer.detail}`;
  console.log(`${query.q}\t${got.size}\t${expected.size}\t${both}\t${recall.toFixed(3)}\t${precision.toFixed(3)}${status}`);
  if (misses > 0) {
    for (const id of [...expected].filter((id) => !got.has(id)).slice(0, misses)) console.log(`    missed ${id}: ${clip(textOf.get(id)!)}`);
    for (const id of [...got].filter((id) => !expected.has(id)).slice(0, misses)) console.log(`    wrong  ${id}: ${clip(textOf.get(id)!)}`);
  }
  if (showTop && query.judge) answer.ids.slice(0, 5).forEach((id, i) => console.log(`    ${i + 1}. ${id}: ${clip(textOf.get(id)!)}`));
}
console.log(`mean recall ${(sumRecall / QUERIES.length).toFixed(3)}, mean precision ${(sumPrecision / QUERIES.length).toFixed(3)}`);
await app.close();
