import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runRelateCli } from '../src/related/cli.js';
import { runTagCli } from '../src/tagging/cli.js';
import { runSeedCommand } from '../seed/cli.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, testBackend } from './helpers.js';
import { databaseEnv } from './import-helpers.js';
import { differences, fullCopy, type Get, Mirror } from './support/mirror.js';
import { sharedDataDir } from './support/shared-data.js';
import { testSql } from './support/test-sql.js';

// A mirror built from the public API alone (test/support/mirror.ts) follows writes of every kind, interleaved
// in a random order (a fixed seed; MIRROR_SEED to try another), and after each sync holds exactly what a fresh
// full copy holds, field by field, related lists included.

const DATA = sharedDataDir();
const SEED = Number(process.env.MIRROR_SEED ?? 34);

/** The rows of a real CSV file whose column `column` is `value` (any case), with its header, as the file's own bytes. */
function slice(path: string, column: number, value: string, most = Infinity): Uint8Array {
  const text = readFileSync(path).toString('latin1');
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (i === text.length || (!quoted && (char === '\n' || char === '\r'))) {
      if (i > start) records.push(text.slice(start, i));
      if (char === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  const cells = (record: string) => record.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((cell) => cell.replace(/,$/, ''));
  const wanted = records.slice(1).filter((record) => cells(record)[column]?.toLowerCase() === value).slice(0, most);
  return Buffer.from([records[0], ...wanted].join('\r\n') + '\r\n', 'latin1');
}

function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('a mirror following the change feed holds what a fresh full copy holds, after writes of every kind', { skip: DATA === undefined && 'no shared data' }, async (t) => {
  let app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'mirror-test');
  const get: Get = async (url, headers) => {
    const response = await app.inject({ method: 'GET', url, ...(headers && { headers }) });
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  };
  const write = async (method: string, url: string, body?: unknown) => {
    const { response, body: answer } = await send(app, method, url, { key, body, headers: { 'if-match': '*' } });
    t.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    return answer;
  };
  const importFile = async (bytes: Uint8Array, type = 'text/csv') => {
    const response = await app.inject({ method: 'POST', url: '/v1/imports', headers: { authorization: `Bearer ${key}`, 'content-type': type }, payload: Buffer.from(bytes) });
    t.equal(response.statusCode, 200, response.body.slice(0, 300));
  };
  const io = { out: () => {}, err: (text: string) => t.comment(text) };
  const env = () => ({ ...databaseEnv(app), DATABASE_OPEN_WAIT_MS: '60000' });
  const next = random(SEED);
  const pick = <T>(values: T[]): T | undefined => values[Math.floor(next() * values.length)];

  const TEXTS = [
    'Abolish the death penalty and ratify the Second Optional Protocol to the ICCPR',
    'Ensure access to education for children with disabilities in rural schools',
    'Protect journalists and human rights defenders from attacks and harassment',
    'Release the human rights defender Azimjon Askarov',
    'Combat violence against women, including bride kidnapping',
  ];
  const ours = { recommendations: [] as string[], developments: [] as string[], assessments: [] as string[], statements: [] as string[] };
  let n = 0;
  const source = (i: number) => ({ title: `A report ${i}`, publisher: 'An NGO', url: `https://ngo.example/report-${i % 3}` });

  const operations: Record<string, () => Promise<unknown>> = {
    'create a recommendation': async () => {
      const made = await write('POST', '/v1/recommendations', { reviewId: 'KGZ-3', text: `${pick(TEXTS)} (${++n})`, verbatim: false, recommendingStates: [pick(['FIN', 'ESP', 'USA'])] });
      ours.recommendations.push(made.id);
    },
    'change a text': async () => {
      const id = pick([...ours.recommendations, 'KGZ-3-FIN-1']);
      await write('PATCH', `/v1/recommendations/${id}`, { text: `${pick(TEXTS)} [${++n}]` });
    },
    'change a position': async () => {
      const id = pick([...ours.recommendations, 'KGZ-3-ESP-1']);
      await write('PATCH', `/v1/recommendations/${id}`, { position: pick(['supported', 'noted']), positionSource: 'https://ngo.example/positions' });
    },
    'delete a recommendation': async () => {
      const free = [];
      for (const id of ours.recommendations) {
        const { body } = await send(app, 'GET', `/v1/recommendations/${id}`);
        if (body.developmentCount === 0 && body.assessments.length === 0) free.push(id);
      }
      const id = pick(free);
      if (id === undefined) return;
      await write('DELETE', `/v1/recommendations/${id}`);
      ours.recommendations.splice(ours.recommendations.indexOf(id), 1);
    },
    'confirm or remove a theme': async () => {
      const id = pick([...ours.recommendations, 'KGZ-3-FIN-1', 'KGZ-3-ESP-1'])!;
      const { body } = await send(app, 'GET', `/v1/recommendations/${id}`);
      const theme = pick(body.themes as { id: string; source: string }[]);
      if (theme === undefined) await write('PUT', `/v1/recommendations/${id}/themes/human-rights-defenders`);
      else await write(next() < 0.5 ? 'PUT' : 'DELETE', `/v1/recommendations/${id}/themes/${theme.id}`);
    },
    'set themes whole': async () => {
      const id = pick([...ours.recommendations, 'KGZ-3-ESP-1']);
      await write('PATCH', `/v1/recommendations/${id}`, { themes: [pick(['human-rights-defenders', 'upr-info-death-penalty', 'right-to-education'])] });
    },
    'create a development': async () => {
      const made = await write('POST', '/v1/developments', {
        stateUnderReview: 'KGZ', title: `A law (${++n})`, summary: 'Parliament adopted a law.', date: '2021-03', datePrecision: 'month', direction: 'progress',
        recommendationIds: [pick([...ours.recommendations, 'KGZ-3-FIN-1'])], sources: [source(n)],
      });
      ours.developments.push(made.id);
    },
    'change, link or unlink a development': async () => {
      const id = pick(ours.developments);
      const rec = pick([...ours.recommendations, 'KGZ-3-FIN-1', 'KGZ-3-ESP-1']);
      if (id === undefined) return;
      const choice = next();
      if (choice < 0.3) await write('PATCH', `/v1/developments/${id}`, { direction: pick(['setback', 'neutral']), recommendationIds: [rec] });
      else if (choice < 0.65) await write('PUT', `/v1/developments/${id}/recommendations/${rec}`);
      else await write('DELETE', `/v1/developments/${id}/recommendations/${rec}`);
    },
    'delete a development': async () => {
      const id = ours.developments.shift();
      if (id !== undefined) await write('DELETE', `/v1/developments/${id}`);
    },
    'create, change or delete an assessment': async () => {
      const id = pick(ours.assessments);
      const choice = next();
      if (id === undefined || choice < 0.4) {
        const made = await write('POST', '/v1/assessments', {
          recommendationId: pick([...ours.recommendations, 'KGZ-3-FIN-1']), status: 'partially_implemented', assessedOn: `2022-01-${10 + (++n % 18)}`,
          rationale: 'A law was adopted; funding is lacking.', sources: [source(n)],
        });
        ours.assessments.push(made.id);
      } else if (choice < 0.7) await write('PATCH', `/v1/assessments/${id}`, { status: pick(['implemented', 'not_implemented']) });
      else {
        await write('DELETE', `/v1/assessments/${id}`);
        ours.assessments.splice(ours.assessments.indexOf(id), 1);
      }
    },
    'create, change or delete a statement': async () => {
      const id = pick(ours.statements);
      if (id === undefined || next() < 0.4) {
        const made = await write('POST', '/v1/statements', {
          reviewId: 'KGZ-3', speaker: { type: 'state', id: 'FIN' }, stage: 'adoption', date: '2020-09', datePrecision: 'month',
          summary: `Welcomed it (${++n}).`, themes: ['human-rights-defenders'], sources: [source(n)],
        });
        ours.statements.push(made.id);
      } else if (next() < 0.5) await write('PATCH', `/v1/statements/${id}`, { themes: [] });
      else {
        await write('DELETE', `/v1/statements/${id}`);
        ours.statements.splice(ours.statements.indexOf(id), 1);
      }
    },
    'change a review': () => write('PATCH', '/v1/reviews/KGZ-3', { reportSymbol: `A/HRC/44/${++n}` }),
    'change a state': async () => {
      const { body } = await send(app, 'GET', '/v1/states/FIN');
      await write('PATCH', '/v1/states/FIN', { aliases: [...body.aliases, `Suomi ${++n}`] });
    },
    'rename a state': async () => {
      const { body } = await send(app, 'GET', '/v1/states/FIN');
      await write('PATCH', '/v1/states/FIN', { name: body.name === 'Finland' ? 'Finland (Suomi)' : 'Finland' });
    },
    'import the corpus': () => importFile(slice(join(DATA!, 'terman-upr-2008-2014', '2011data.csv'), 1, 'tajikistan', 60)),
    "import UPR Info's database": () => importFile(slice(join(DATA!, 'upr-info-2008-2013', 'uprinfo_sessions_10-13.csv'), 0, 'tajikistan', 60)),
    'import an OHCHR matrix': () =>
      importFile(readFileSync(join(DATA!, 'ohchr-thematic-list', 'slovenia_upr34_thematic_list.docx')), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    'import our own export, changed': async () => {
      const exported = (await app.inject({ method: 'GET', url: '/v1/recommendations?reviewId=KGZ-3&format=csv' })).body;
      await importFile(Buffer.from(exported.replace('Spain', 'Spain').replace('primacy', `primacy (${++n})`)));
    },
    'npm run tag': async () => t.equal(await runTagCli(['--all'], env(), io), 0),
    // What a new model does, by hand: the machine labels of a review taken away, then given again by npm run
    // tag, which writes no history entry (README, "Machine labels").
    'npm run tag after a new model': async () => {
      await testSql(app).run("delete from recommendation_themes where label_source = 'machine' and recommendation_id in (select id from recommendations where review_id = 'KGZ-3')");
      t.equal(await runTagCli([], env(), io), 0);
    },
    'npm run seed': async () => t.equal(await runSeedCommand(env(), { out: () => {}, err: io.err }), 0),
    'npm run relate': async () => {
      if (testBackend() === 'sqlite') t.equal(runRelateCli([], env(), io), 0);
    },
  };

  const mirror = new Mirror(get);
  await mirror.start();
  const start = mirror.cursor;
  t.same(differences(mirror.copy, await fullCopy(get)), [], 'the first copy');
  const names = Object.keys(operations);
  const curated = names.filter((name) => !/import|npm/.test(name));
  const order = [...names, ...curated.filter(() => next() < 0.5)].map((name) => ({ name, at: next() })).sort((a, b) => a.at - b.at).map(({ name }) => name);
  const seen: number[] = [];
  // Beside it, a poller of `updatedSince` (at or after the latest `updatedAt` it holds, so equal instants are read
  // again): every record's own changes, never a deletion, so compared by version on the records that exist.
  const KINDS = ['recommendations', 'developments', 'assessments', 'statements'] as const;
  const polled = new Map<string, number>();
  let since = '';
  const poll = async () => {
    let latest = since;
    for (const kind of KINDS) {
      for (const row of await ndjsonRows(`/v1/${kind}?format=ndjson${since && `&updatedSince=${since}`}`)) {
        polled.set(`${kind} ${row.id}`, row.version as number);
        if ((row.updatedAt as string) > latest) latest = row.updatedAt as string;
      }
    }
    since = latest;
  };
  const ndjsonRows = async (url: string) => (await get(url)).body.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  await poll();
  for (let i = 0; i < order.length; i++) {
    await operations[order[i]!]!();
    if (i % 4 !== 3 && i !== order.length - 1) continue;
    await mirror.sync();
    seen.push(...mirror.last.seqs);
    const fresh = await fullCopy(get);
    const found = differences(mirror.copy, fresh);
    t.same(found.slice(0, 20), [], `after ${order.slice(i - 3, i + 1).join(', ')}: ${mirror.last.entries} entries${mirror.last.recopied ? ', copied again' : ''} (${found.length} differences)`);
    await poll();
    const behind = KINDS.flatMap((kind) => [...fresh.records[kind]].filter(([id, row]) => polled.get(`${kind} ${id}`) !== row.version).map(([id]) => `${kind} ${id}`));
    t.same(behind, [], `updatedSince ${since}: every record at its version`);
  }

  // A recommendation given a new text and its themes whole, none of UPR Info's scheme: no machine label is added
  // then (README, "Machine labels"), npm run tag adds those of its new text later, and writes no entry.
  const untagged = async () => {
    const made = await write('POST', '/v1/recommendations', { reviewId: 'KGZ-3', text: `${TEXTS[0]} (untagged ${++n})`, verbatim: false, recommendingStates: ['FIN'] });
    await write('PATCH', `/v1/recommendations/${made.id}`, { text: `${TEXTS[1]} (untagged ${n})`, themes: ['human-rights-defenders'] });
    await mirror.sync();
    seen.push(...mirror.last.seqs);
  };
  const tag = async () => t.equal(await runTagCli([], env(), io), 0);
  // What no entry records, done alone: the copy falls behind (the change is real), then the mirror sees a
  // revision that no entry explains (npm run tag; also when a write's entries follow it), or an entry it cannot
  // follow record by record (a new name, shown by records and related lists everywhere), and copies again.
  const cases: [string, (() => Promise<unknown>)[]][] = [
    ['npm run tag', [untagged, tag]],
    ['npm run tag, then a write', [untagged, tag, operations['change a state']!]],
    ['a new name', [operations['rename a state']!]],
  ];
  for (const [name, steps] of cases) {
    for (const step of steps) await step();
    t.not(differences(mirror.copy, await fullCopy(get)).length, 0, `${name}: the copy is behind`);
    await mirror.sync();
    seen.push(...mirror.last.seqs);
    t.ok(mirror.last.recopied, `${name}: copied again`);
    t.same(differences(mirror.copy, await fullCopy(get)), [], `${name}: synced`);
  }

  // A walk of the feed, one entry a page, while writes go on between its pages: every entry once, in order.
  mirror.pageSize = 1;
  let during = 0;
  mirror.betweenPages = async () => {
    if (during++ < 3) await operations[pick(['create a recommendation', 'change a text', 'create a development'])!]!();
  };
  await operations['create, change or delete a statement']!();
  await operations['change a position']!();
  await mirror.sync();
  seen.push(...mirror.last.seqs);
  t.same(differences(mirror.copy, await fullCopy(get)), [], `a walk across writes: ${mirror.last.entries} entries`);
  mirror.pageSize = 100;
  mirror.betweenPages = async () => {};

  // A restart: the same database served by a new app; the cursor taken before it still reads on from there.
  // (Its imports run in a worker thread, the service answering meanwhile: see the last check.)
  const restarted = await buildTestApp(t, { importThreadMinBytes: 0, ...(testBackend() === 'sqlite' ? { databasePath: app.db.$client.name } : { databaseUrl: databaseEnv(app).DATABASE_URL }) });
  await app.close();
  app = restarted;
  await operations['create a recommendation']!();
  await mirror.sync();
  seen.push(...mirror.last.seqs);
  t.same(differences(mirror.copy, await fullCopy(get)), [], `after a restart: ${mirror.last.entries} entries`);

  // Every entry after the first position read exactly once, in order.
  const all: number[] = [];
  for (let since = start; ; ) {
    const { meta, data } = JSON.parse((await get(`/v1/changes?limit=500&since=${since}`)).body);
    all.push(...data.map((entry: { seq: number }) => entry.seq));
    if (!meta.hasMore) break;
    since = meta.nextCursor;
  }
  t.same(seen, all, `${all.length} entries, each read once, in order`);

  // A first copy taken while an import runs (in a worker thread, the service answering meanwhile), from the
  // position read before the copy: the import is in the copy or in the feed after it.
  const second = new Mirror(get);
  const importing = importFile(slice(join(DATA!, 'terman-upr-2008-2014', '2014data.csv'), 1, 'slovenia', 40));
  await second.start();
  await importing;
  await second.sync();
  t.same(differences(second.copy, await fullCopy(get)), [], 'a copy taken across an import, then synced');
});
