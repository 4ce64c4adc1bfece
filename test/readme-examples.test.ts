import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { mintKey } from './curation-helpers.js';
import { buildTestApp } from './helpers.js';
import { sharedDataDir } from './support/shared-data.js';

// Every curl example of the README, pasted as an analyst would, against the seeded app (inject) in the README's
// order (its writes build on each other): each answers what the README says it does, so the examples cannot
// drift from the API unnoticed. Host and port are the README's; $KEY is a write key named as the README's.

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const DATA = sharedDataDir();

interface CurlCommand {
  line: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** A file it sends from the shared data (an import's). */
  file?: string;
  /** The status the README prints under it (`# → HTTP/1.1 201 Created`). */
  status?: number;
}

/** A shell line's words, as sh splits them: quotes, $VARIABLES, a # comment; no globbing or other expansion. */
function shellWords(line: string, variables: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const expand = (text: string) => text.replace(/\$([A-Z_]+)/g, (_, name: string) => variables[name] ?? `$${name}`);
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      word = (word ?? '') + expand(line.slice(i + 1, end));
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else {
      const run = /^[^\s'"]+/.exec(line.slice(i))![0];
      word = (word ?? '') + expand(run);
      i += run.length - 1;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Whether a file a curl example sends (`@2010data.csv`) is in the shared data folder, where the README's imports take it from. */
function inSharedData(name: string): boolean {
  return ['terman-upr-2008-2014', 'ohchr-thematic-list'].some((folder) => existsSync(join(DATA!, folder, name)));
}

/** The README's curl commands (in ```sh blocks), with the variables set before them and their heredoc bodies. */
function curlCommands(key: string): CurlCommand[] {
  const lines = README.split('\n');
  const commands: CurlCommand[] = [];
  const variables: Record<string, string> = {};
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('```')) {
      inBlock = lines[i] === '```sh';
      continue;
    }
    if (!inBlock) continue;
    const start = i;
    let text = lines[i]!;
    while (text.endsWith('\\')) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`;
    const assignment = /^([A-Z_]+)=(\S+)/.exec(text);
    if (assignment) variables[assignment[1]!] = assignment[1] === 'KEY' ? key : assignment[2]!; // KEY=uprk_… from npm run keys
    if (!text.startsWith('curl ')) continue;
    let stdin: string | undefined;
    const heredoc = /<<'([A-Z]+)'/.exec(text);
    if (heredoc) {
      const body: string[] = [];
      while (lines[++i] !== heredoc[1]) body.push(lines[i]!);
      stdin = body.join('\n');
      text = text.replace(heredoc[0], '');
    }
    const words = shellWords(text, variables);
    const command: CurlCommand = { line: start + 1, method: 'GET', url: '', headers: { accept: '*/*', 'user-agent': 'curl/8.11.1' } };
    const form: string[] = [];
    for (let w = 1; w < words.length; w++) {
      const word = words[w]!;
      if (word === '-X') command.method = words[++w]!;
      else if (word === '-H') {
        const [name, ...value] = words[++w]!.split(':');
        command.headers[name!.toLowerCase()] = value.join(':').trim();
      } else if (word === '-d' || word === '--data' || word === '--data-binary') {
        const data = words[++w]!;
        if (data === '@-') command.body = stdin;
        else if (data.startsWith('@')) command.file = data.slice(1);
        else command.body = data;
        if (command.method === 'GET') command.method = 'POST';
      } else if (word === '-F') form.push(words[++w]!);
      else if (word === '--compressed') command.headers['accept-encoding'] = 'deflate, gzip, br, zstd';
      else if (word === '-o') w++;
      else if (word.startsWith('-')) continue; // --fail, --fail-with-body, -i, -OJ: how curl reports, not what it sends
      else command.url = word;
    }
    const formFile = /^\w+=@(.+)$/.exec(form[0] ?? '');
    if (formFile) command.file = formFile[1];
    const shown = /^# → HTTP\/1\.1 (\d{3})/.exec(lines[i + 1] ?? '');
    if (shown) command.status = Number(shown[1]);
    commands.push(command);
  }
  return commands;
}

/**
 * The examples that the README says answer otherwise than 2xx on the seed alone, each with the README's words:
 * a pattern, how many examples it matches, and the status they answer.
 */
const NOT_2XX = [{ pattern: /source=upr-info-database-2008-2013/, commands: 1, status: 400, why: "UPR Info's database, once imported" }];

/**
 * What the README's comments say of an example's JSON answer on the seed (Kyrgyzstan's third review, as its
 * sources give it), by the example's path and query as printed.
 */
const CLAIMS: Record<string, object> = {
  '/v1/recommendations?stateUnderReview=KGZ': { meta: { total: 8 } },
  '/v1/recommendations/KGZ-3-FIN-1': {
    developments: [{ date: '2016' }, { date: '2020-07-25', title: 'Azimjon Askarov dies in custody' }, { date: '2020-07-29' }],
    assessments: [{ status: 'not_implemented', assessedOn: '2020-09-28', sources: [{ publisher: 'Human Rights Watch' }] }],
  },
  '/v1/recommendations?stateUnderReview=KGZ&position=noted': { meta: { total: 1 }, data: [{ id: 'KGZ-3-ESP-1' }] },
  '/v1/recommendations?recommendingState=GBR&position=supported': { meta: { total: 3 } },
  '/v1/recommendations?stateUnderReview=KGZ&position=unknown': {
    data: [{ recommendingStates: [{ id: 'FIN' }] }, { recommendingStates: [{ id: 'USA' }] }, { recommendingStates: [{ id: 'USA' }] }, { recommendingStates: [{ id: 'USA' }] }],
  },
  '/v1/reviews/KGZ-3': {
    reportSymbol: 'A/HRC/44/9',
    session: 35,
    dialogueDate: '2020-01-20',
    adoptionSession: 45,
    adoptionDate: '2020-09',
    recommendationCount: 8,
    recommendationsComplete: false,
    recommendationsNote: /full list is not yet imported/,
  },
  '/v1/developments?stateUnderReview=KGZ': {
    meta: { total: 9 },
    data: [{ date: '2016', reviewId: null }, ...Array.from({ length: 8 }, () => ({ reviewId: 'KGZ-3' }))],
  },
  '/v1/developments?from=2020-07&to=2020-07': { meta: { total: 5 } },
  '/v1/statements?reviewId=KGZ-3': {
    meta: { total: 4 },
    data: [{ speaker: { id: 'IRL' } }, { speaker: { id: 'USA' } }, { speaker: { id: 'GBR' } }, { speaker: { name: 'Human Rights Watch' } }],
  },
  '/v1/states?name=Kyrgyz%20Republic': { data: [{ id: 'KGZ' }] },
  '/v1/recommendations/KGZ-3-FIN-1/related?limit=5': { data: [], meta: { limit: 5, floor: 0.15, recurrenceThreshold: 0.5 } },
  '/v1/stats/recommendations?groupBy=position,recommendingState&stateUnderReview=KGZ': {
    data: [{ position: 'supported', recommendingState: 'GBR', count: 3 }],
    meta: { groupBy: ['position', 'recommendingState'], total: 8, sum: 8, multiValued: true },
  },
};

t.test('every curl example of the README answers as the README says, on the seeded app', async (t) => {
  const app = await buildTestApp(t);
  const commands = curlCommands(mintKey(app, 'write', 'kyrgyz-watch'));
  t.ok(commands.length >= 55, `the README's curl examples are found (${commands.length})`);
  for (const { pattern, commands: n } of NOT_2XX) t.equal(commands.filter((c) => pattern.test(c.url)).length, n, `${pattern} names README examples`);

  const totals = async () =>
    Promise.all(['assessments', 'developments', 'statements', 'recommendations'].map(async (kind) => (await app.inject(`/v1/${kind}?limit=1`)).json().meta.total));
  const before = await totals();
  const claimed = new Set<string>();
  let lastBody: { meta?: { nextCursor?: string } } | undefined;
  for (const command of commands) {
    if (command.file !== undefined) {
      // A real import's 403 takes seconds to tens of seconds (the whole file is read first): test/hostile-import.test.ts
      // checks it on a small file.
      if (DATA !== undefined) t.ok(inSharedData(command.file), `line ${command.line}: ${command.file} is in the shared data`);
      continue;
    }
    const origin = /^http:\/\/127\.0\.0\.1:3000(\/.*)$/.exec(command.url);
    t.ok(origin, `line ${command.line}: the README's host and port (${command.url})`);
    // The change feed's second example continues from the first's answer, as the README says to.
    const url = origin![1]!.replace('<meta.nextCursor of the last answer>', () => encodeURIComponent(lastBody?.meta?.nextCursor ?? 'none'));
    const response = await app.inject({ method: command.method as 'GET', url, headers: command.headers, ...(command.body === undefined ? {} : { payload: command.body }) });
    const expected = NOT_2XX.find((e) => e.pattern.test(url));
    const what = `line ${command.line}: ${command.method} ${url} answers ${response.statusCode}`;
    if (expected) t.equal(response.statusCode, expected.status, `${what} (${expected.why})`);
    else if (command.status !== undefined) t.equal(response.statusCode, command.status, `${what}, as the README shows`);
    else {
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      t.ok(ok, ok ? what : `${what}: ${response.body.slice(0, 500)}`);
    }
    lastBody = String(response.headers['content-type']).startsWith('application/json') ? response.json() : undefined;
    const claim = CLAIMS[url];
    if (claim !== undefined && lastBody !== undefined) {
      t.match(lastBody, claim, `line ${command.line}: what the README says of its answer`);
      claimed.add(url);
    }
  }
  // The examples that write add copies of seeded records: an analyst who runs them on the real database must not
  // be left with a second assessment of one recommendation by one source on one day.
  t.same(await totals(), before, 'the examples delete again what they add');
  t.same(Object.keys(CLAIMS).filter((url) => !claimed.has(url)), [], "every claim is of a README example's answer");
});
