import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import t from 'tap';
import { keysetOrder } from '../src/db/keyset.js';
import { PG_MIGRATIONS_FOLDER } from '../src/db/pg/open.js';
import { FROM, resolveSort, selectRowsQuery } from '../src/statements/queries.js';
import { buildTestApp, getJson, migrationDate, postgresSide, UNDO_UNREPEATABLE_MIGRATIONS } from './helpers.js';
import { mintKey, send } from './curation-helpers.js';

// Facts from seed/kyrgyzstan-upr3.ts: four statements at Kyrgyzstan's third review.

const IRL = 'KGZ-3-IRL-interactive-dialogue';
const USA = 'KGZ-3-USA-interactive-dialogue';
const GBR = 'KGZ-3-GBR-adoption';
const HRW = 'KGZ-3-HRW-adoption';

// Default order: date as recorded, then id.
const BY_DATE = [IRL, USA, GBR, HRW];

type Body = { data: { id: string }[]; meta: { total: number; limit: number; nextCursor: string | null } };
const ids = (body: Body) => body.data.map((s) => s.id);
const sorted = (body: Body) => ids(body).sort();

t.test('speaker: state codes alone, on an app whose other filters have read the states but not the organizations', async (t) => {
  // The states' names were loaded by a recommendations filter, the organizations by nothing yet: speaker=USA,GBR
  // then read the organizations without loading them (a 500).
  const app = await buildTestApp(t);
  t.equal((await getJson(app, '/v1/recommendations?stateUnderReview=KGZ&limit=1')).response.statusCode, 200);
  const { response, body } = await getJson<Body>(app, '/v1/statements?speaker=USA,GBR');
  t.equal(response.statusCode, 200, JSON.stringify(body));
  t.same(ids(body), [USA, GBR]);
});

t.test('statements', async (t) => {
  const app = await buildTestApp(t);

  t.test('lists the four statements of KGZ-3, oldest first, in the list envelope', async (t) => {
    const { response, body } = await getJson<Body>(app, '/v1/statements?reviewId=KGZ-3');
    t.equal(response.statusCode, 200);
    t.match(response.headers['content-type'], /^application\/json/);
    t.same(ids(body), BY_DATE);
    t.same(body.meta, { total: 4, limit: 50, nextCursor: null });
    t.notOk(response.headers.link);
  });

  t.test('state filters by the state under review', async (t) => {
    const kgz = await getJson<Body>(app, '/v1/statements?stateUnderReview=KGZ');
    t.equal(kgz.body.meta.total, 4);
    const irl = await getJson<Body>(app, '/v1/statements?stateUnderReview=IRL');
    t.equal(irl.body.meta.total, 0, 'Ireland spoke but was not under review');
    const unknownReview = await getJson<Body>(app, '/v1/statements?reviewId=KGZ-2');
    t.equal(unknownReview.body.meta.total, 0);
  });

  t.test('speaker matches a state code or an organization name', async (t) => {
    const hrw = await getJson(app, '/v1/statements?speaker=' + encodeURIComponent('Human Rights Watch'));
    t.same(ids(hrw.body), [HRW]);
    t.same(hrw.body.data[0].speaker, { type: 'organization', id: null, name: 'Human Rights Watch' });

    const irl = await getJson(app, '/v1/statements?speaker=IRL');
    t.same(ids(irl.body), [IRL]);
    t.same(irl.body.data[0].speaker, { type: 'state', id: 'IRL', name: 'Ireland' });

    const both = await getJson<Body>(app, '/v1/statements?speaker=IRL&speaker=' + encodeURIComponent('Human Rights Watch'));
    t.same(ids(both.body), [IRL, HRW]);
    const commaList = await getJson<Body>(app, '/v1/statements?speaker=USA,GBR');
    t.same(ids(commaList.body), [USA, GBR]);

  });

  t.test('speaker takes a state by any code, name or alias and an organization in any case, as every state filter does', async (t) => {
    // speaker=Ireland and speaker=irl answered 0 statements, as if Ireland had said nothing at the review.
    for (const speaker of ['irl', 'Ireland', 'IRELAND', 'Republic of Ireland']) {
      const { response, body } = await getJson<Body>(app, '/v1/statements?speaker=' + encodeURIComponent(speaker));
      t.equal(response.statusCode, 200, speaker);
      t.same(ids(body), [IRL], speaker);
    }
    for (const speaker of ['human rights watch', 'HUMAN RIGHTS WATCH', ' Human Rights Watch ']) {
      const { body } = await getJson<Body>(app, '/v1/statements?speaker=' + encodeURIComponent(speaker));
      t.same(ids(body), [HRW], speaker);
    }
    const names = await getJson<Body>(app, '/v1/statements?speaker=' + encodeURIComponent('United States,United Kingdom'));
    t.same(ids(names.body), [USA, GBR]);

    // Equivalent spellings are one query: one cache entry and ETag.
    const byCode = await getJson(app, '/v1/statements?speaker=IRL');
    const byName = await getJson(app, '/v1/statements?speaker=ireland');
    t.equal(byName.response.headers.etag, byCode.response.headers.etag);
  });

  t.test('a speaker no state and no statement has is a 400 with close matches, not an empty page that reads as silence', async (t) => {
    const cases: [speaker: string, suggests: RegExp][] = [
      ['Human Right Watch', /did you mean Human Rights Watch \(organization\)/],
      ['Human', /did you mean Human Rights Watch \(organization\)/],
      ['Irland', /did you mean IRL \(Ireland\)/],
      ['Amnesty International', /see GET \/v1\/states/],
    ];
    for (const [speaker, suggests] of cases) {
      const { response, body } = await getJson(app, '/v1/statements?speaker=' + encodeURIComponent(speaker));
      t.equal(response.statusCode, 400, speaker);
      t.match(response.headers['content-type'], /^application\/problem\+json/, speaker);
      t.equal(body.errors.length, 1, speaker);
      t.match(body.errors[0], { in: 'query', name: 'speaker' }, speaker);
      t.match(body.errors[0].message, `"${speaker}"`, speaker);
      t.match(body.errors[0].message, suggests, speaker);
    }
    const csv = await app.inject({ method: 'GET', url: '/v1/statements?format=csv&speaker=Irland' });
    t.equal(csv.statusCode, 400, 'the export refuses it too');
  });

  t.test('an organization is known as a speaker once a statement of it is stored', async (t) => {
    const key = mintKey(app);
    const before = await getJson(app, '/v1/statements?speaker=' + encodeURIComponent('amnesty international'));
    t.equal(before.response.statusCode, 400);
    // An organization's statement at KGZ-3's adoption.
    const organizationSaid = (id: string, name: string, summary: string, url: string) =>
      send(app, 'POST', '/v1/statements', {
        key,
        body: {
          id,
          reviewId: 'KGZ-3',
          speaker: { type: 'organization', name },
          stage: 'adoption',
          date: '2020-09-28',
          datePrecision: 'day',
          summary,
          themes: [],
          sources: [{ title: `${name} at the adoption`, publisher: name, url }],
        },
      });
    const created = await organizationSaid(
      'KGZ-3-AI-adoption',
      'Amnesty International',
      'Regretted that Kyrgyzstan noted the recommendations on torture.',
      'https://example.org/ai-kgz-3',
    );
    t.equal(created.response.statusCode, 201, JSON.stringify(created.body));
    const after = await getJson<Body>(app, '/v1/statements?speaker=' + encodeURIComponent('amnesty international'));
    t.equal(after.response.statusCode, 200);
    t.same(ids(after.body), ['KGZ-3-AI-adoption']);
    await send(app, 'DELETE', '/v1/statements/KGZ-3-AI-adoption', { key, headers: { 'if-match': '*' } });

    // A name with commas arrives split at them, as every list value: the parts are read together.
    const withCommas = 'Article 19, Global Campaign for Free Expression';
    const article19 = await organizationSaid(
      'KGZ-3-A19-adoption',
      withCommas,
      'Regretted that Kyrgyzstan noted the recommendations on the freedom of expression.',
      'https://example.org/a19-kgz-3',
    );
    t.equal(article19.response.statusCode, 201, JSON.stringify(article19.body));
    for (const speaker of [withCommas, 'article 19,global campaign for free expression', `${withCommas},IRL`, `Ireland,${withCommas}`]) {
      const { response, body } = await getJson<Body>(app, '/v1/statements?speaker=' + encodeURIComponent(speaker));
      t.equal(response.statusCode, 200, speaker);
      t.same(sorted(body), speaker.includes('IRL') || speaker.includes('Ireland') ? [IRL, 'KGZ-3-A19-adoption'].sort() : ['KGZ-3-A19-adoption'], speaker);
    }
    t.equal((await getJson(app, '/v1/statements?speaker=Article%2019')).response.statusCode, 400, 'a part of the name is no speaker');
    await send(app, 'DELETE', '/v1/statements/KGZ-3-A19-adoption', { key, headers: { 'if-match': '*' } });

    // A name with İ, which JavaScript's toLowerCase makes "i" and a combining dot: typed in lower case it was a 400.
    const ihd = await organizationSaid('KGZ-3-IHD-adoption', 'İnsan Hakları Derneği', 'Spoke at the adoption.', 'https://example.org/ihd-kgz-3');
    t.equal(ihd.response.statusCode, 201, JSON.stringify(ihd.body));
    // Its name with İ and ğ decomposed (a letter and a combining mark, NFD, as a PDF or a Mac may give them).
    for (const speaker of ['İnsan Hakları Derneği', 'insan hakları derneği', 'İNSAN HAKLARı DERNEĞİ', 'İnsan Hakları Derneği'.normalize('NFD')]) {
      const { response, body } = await getJson<Body>(app, '/v1/statements?speaker=' + encodeURIComponent(speaker));
      t.equal(response.statusCode, 200, speaker);
      t.same(ids(body), ['KGZ-3-IHD-adoption'], speaker);
    }
    await send(app, 'DELETE', '/v1/statements/KGZ-3-IHD-adoption', { key, headers: { 'if-match': '*' } });

    // A joint statement names every organization that made it: its speaker had five parts, and the filter read
    // at most four together, so it answered 400 that no stored statement's speaker had the name.
    const joint = 'Human Rights Watch, Amnesty International, Article 19, Freedom House, International Partnership for Human Rights';
    const jointStatement = await send(app, 'POST', '/v1/statements', {
      key,
      body: {
        id: 'KGZ-3-joint-adoption',
        reviewId: 'KGZ-3',
        speaker: { type: 'organization', name: joint },
        stage: 'adoption',
        date: '2020-09-28',
        datePrecision: 'day',
        summary: 'Five organizations regretted that Kyrgyzstan noted the recommendations on Azimjon Askarov.',
        themes: [],
        sources: [{ title: 'Joint statement at the adoption', publisher: 'Human Rights Watch', url: 'https://example.org/joint-kgz-3' }],
      },
    });
    t.equal(jointStatement.response.statusCode, 201, JSON.stringify(jointStatement.body));
    for (const speaker of [joint, `IRL,${joint.toUpperCase()}`]) {
      const { response, body } = await getJson<Body>(app, '/v1/statements?speaker=' + encodeURIComponent(speaker));
      t.equal(response.statusCode, 200, speaker);
      t.same(sorted(body), speaker.startsWith('IRL') ? [IRL, 'KGZ-3-joint-adoption'].sort() : ['KGZ-3-joint-adoption'], speaker);
    }
    const hrw = await getJson<Body>(app, '/v1/statements?speaker=Human%20Rights%20Watch');
    t.same(ids(hrw.body), [HRW], 'its first organization alone is its own speaker');
    await send(app, 'DELETE', '/v1/statements/KGZ-3-joint-adoption', { key, headers: { 'if-match': '*' } });
  });

  t.test('q searches summaries, as it does developments: words by their stem, phrases, prefixes, with the other filters', async (t) => {
    const { response, body } = await getJson<Body>(app, '/v1/statements?q=Askarov');
    t.equal(response.statusCode, 200);
    t.same(ids(body).sort(), [...BY_DATE].sort(), 'every statement names him');
    t.equal(body.meta.total, 4);
    const cases: [string, string[]][] = [
      ['q=parliamentary', [GBR]],
      ['q=elections', [GBR]],
      ['q=election', [GBR]], // its stem
      ['q=' + encodeURIComponent('"died in custody"'), [HRW]],
      ['q=' + encodeURIComponent('"in custody died"'), []],
      ['q=relea*', [IRL, USA, HRW]],
      ['q=' + encodeURIComponent('"human rights defend*"'), [IRL]],
      ['q=Askarov%20release', [IRL, USA, HRW]],
      ['q=ASKAROV%20OR%20zzzz', BY_DATE], // OR typed between two terms: either side
      ['q=ASKAROV%20or%20zzzz', []], // in lower case a word like any other
      ['q=zzzzunmatched', []],
      ['q=Askarov&stage=adoption', [GBR, HRW]],
      ['q=release&speaker=USA', [USA]],
      ['q=Askarov&sort=-id', [USA, IRL, HRW, GBR]],
    ];
    for (const [query, expected] of cases) {
      // In date order (relevance, the default with q, ranks them: tested below).
      const found = await getJson<Body>(app, `/v1/statements?${query}${query.includes('sort=') ? '' : '&sort=date'}`);
      t.equal(found.response.statusCode, 200, query);
      t.same(ids(found.body), expected, query);
      t.equal(found.body.meta.total, expected.length, `${query}: total`);
    }
    const csv = await app.inject('/v1/statements?q=relea*&sort=date&format=csv');
    t.same(csv.body.trimEnd().split('\r\n').slice(1).map((row) => row.split(',')[0]), [IRL, USA, HRW], 'a CSV export searches too');
    const ndjson = await app.inject('/v1/statements?q=custody&format=ndjson');
    t.same(ndjson.body.trimEnd().split('\n').map((line) => JSON.parse(line).id), [HRW], 'and an NDJSON export');
    const refused = await app.inject('/v1/statements?q=tor*ure&format=csv');
    t.equal(refused.statusCode, 400, 'an export refuses a bad q');
  });

  t.test('the full-text index follows every write: create, a changed summary, another change, delete', async (t) => {
    const key = mintKey(app);
    const search = async (q: string) => ids((await getJson<Body>(app, `/v1/statements?q=${encodeURIComponent(q)}`)).body);
    const created = await send(app, 'POST', '/v1/statements', {
      key,
      body: {
        reviewId: 'KGZ-3',
        speaker: { type: 'state', id: 'FIN' },
        stage: 'interactive_dialogue',
        date: '2020-01-20',
        datePrecision: 'day',
        summary: 'Asked about the quillwort registry of civil society organisations.',
        themes: [],
        sources: [{ title: 'Finland at the dialogue', publisher: 'UN Web TV', url: 'https://example.org/fin-kgz-3' }],
      },
    });
    t.equal(created.response.statusCode, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    t.same(await search('quillwort'), [id], 'a new statement is found');
    const themed = await send(app, 'PATCH', `/v1/statements/${id}`, { key, body: { stage: 'adoption' }, headers: { 'if-match': '*' } });
    t.equal(themed.response.statusCode, 200, JSON.stringify(themed.body));
    t.same(await search('quillwort registr*'), [id], 'a change that keeps the summary keeps its terms');
    const changed = await send(app, 'PATCH', `/v1/statements/${id}`, {
      key,
      body: { summary: 'Asked about the hornwort registry.' },
      headers: { 'if-match': '*' },
    });
    t.equal(changed.response.statusCode, 200, JSON.stringify(changed.body));
    t.same(await search('quillwort'), [], "the old summary's words are gone");
    t.same(await search('hornwort'), [id], "the new summary's are found");
    await send(app, 'DELETE', `/v1/statements/${id}`, { key, headers: { 'if-match': '*' } });
    t.same(await search('hornwort'), [], 'a deleted statement is not');
    t.same((await search('Askarov')).sort(), [...BY_DATE].sort(), 'the others are as they were');
  });

  t.test('relevance: the default with q, best matches first (as on recommendations), walked by its cursor; a 400 without q', async (t) => {
    const key = mintKey(app);
    const made: string[] = [];
    // Once, three times, twice: the same order by bm25 (SQLite) and by ts_rank (PostgreSQL).
    for (const [speaker, date, summary] of <[string, string, string][]>[
      ['FIN', '2020-01-21', 'Mentioned the pondweed registry once, among the other registries of the state.'],
      ['SWE', '2020-01-22', 'Pondweed, pondweed and pondweed: the registry of the state.'],
      ['NOR', '2020-01-23', 'Pondweed and pondweed again: the registry of the state.'],
    ]) {
      const created = await send(app, 'POST', '/v1/statements', {
        key,
        body: {
          reviewId: 'KGZ-3',
          speaker: { type: 'state', id: speaker },
          stage: 'interactive_dialogue',
          date,
          datePrecision: 'day',
          summary,
          themes: [],
          sources: [{ title: `${speaker} at the dialogue`, publisher: 'UN Web TV', url: `https://example.org/${speaker.toLowerCase()}-kgz-3` }],
        },
      });
      t.equal(created.response.statusCode, 201, JSON.stringify(created.body));
      made.push(created.body.id as string);
    }
    t.teardown(async () => {
      for (const id of made) await send(app, 'DELETE', `/v1/statements/${id}`, { key, headers: { 'if-match': '*' } });
    });
    const [once, thrice, twice] = made as [string, string, string];
    const byRelevance = [thrice, twice, once];
    for (const query of ['q=pondweed', 'q=pondweed&sort=relevance']) {
      const { response, body } = await getJson<Body>(app, `/v1/statements?${query}`);
      t.equal(response.statusCode, 200, query);
      t.same(ids(body), byRelevance, query);
    }
    t.same(ids((await getJson<Body>(app, '/v1/statements?q=pondweed&sort=date')).body), made, 'sort=date as asked');
    const walked: string[] = [];
    for (let url: string | null = '/v1/statements?q=pondweed&limit=1'; url !== null; ) {
      const { body }: { body: Body } = await getJson<Body>(app, url);
      walked.push(...ids(body));
      url = body.meta.nextCursor === null ? null : `/v1/statements?q=pondweed&limit=1&cursor=${encodeURIComponent(body.meta.nextCursor)}`;
    }
    t.same(walked, byRelevance, 'a cursor walk in relevance order, each once');
    const csv = await app.inject('/v1/statements?q=pondweed&format=csv');
    t.same(csv.body.trimEnd().split('\r\n').slice(1).map((row) => row.split(',')[0]), byRelevance, 'an export in relevance order');
    t.equal((await app.inject('/v1/statements?q=pondweed&sort=-relevance')).statusCode, 400, 'not reversed, as on recommendations (README)');
    const refused = await getJson(app, '/v1/statements?sort=relevance');
    t.equal(refused.response.statusCode, 400);
    t.match(refused.body, { errors: [{ in: 'query', name: 'sort', message: /needs a full-text query in q/ }] });
  });

  t.test('stage filter', async (t) => {
    const adoption = await getJson<Body>(app, '/v1/statements?stage=adoption');
    t.same(ids(adoption.body), [GBR, HRW]);
    const dialogue = await getJson<Body>(app, '/v1/statements?stage=interactive_dialogue');
    t.same(ids(dialogue.body), [IRL, USA]);
    const both = await getJson<Body>(app, '/v1/statements?stage=interactive_dialogue,adoption');
    t.equal(both.body.meta.total, 4);
  });

  t.test('theme filter', async (t) => {
    const domestic = await getJson<Body>(app, '/v1/statements?theme=domestic-violence');
    t.same(ids(domestic.body), [GBR, HRW]);
    const hrd = await getJson<Body>(app, '/v1/statements?theme=human-rights-defenders');
    t.equal(hrd.body.meta.total, 4);
    const religion = await getJson<Body>(
      app,
      '/v1/statements?theme=freedom-of-thought-conscience-and-religion,arbitrary-arrest-and-detention',
    );
    t.same(ids(religion.body), [IRL, USA]);
  });

  t.test('filters combine', async (t) => {
    const cases: [string, string[]][] = [
      ['reviewId=KGZ-3&stage=adoption', [GBR, HRW]],
      ['stateUnderReview=KGZ&speaker=IRL', [IRL]],
      ['speaker=IRL&stage=adoption', []],
      ['speaker=GBR,USA&stage=adoption', [GBR]],
      ['stage=adoption&theme=freedom-of-association', [HRW]],
      ['speaker=USA&theme=freedom-of-thought-conscience-and-religion', [USA]],
      ['reviewId=KGZ-3&stateUnderReview=KGZ&speaker=' + encodeURIComponent('Human Rights Watch') + '&stage=adoption&theme=domestic-violence', [HRW]],
      ['stateUnderReview=FIN&stage=adoption', []],
      ['source=hrw-2020-09-28-kgz-upr-adoption', [IRL, HRW]],
      ['source=HRW-2020-09-28-KGZ-UPR-ADOPTION&stage=adoption', [HRW]],
      ['source=usa-2020-01-22-kgz-upr-statement&source=gbr-hrc45-kgz-upr-adoption-statement', [USA, GBR]],
    ];
    for (const [query, expected] of cases) {
      const { response, body } = await getJson<Body>(app, `/v1/statements?${query}`);
      t.equal(response.statusCode, 200, query);
      t.same(sorted(body), [...expected].sort(), query);
      t.equal(body.meta.total, expected.length, `${query}: total`);
    }
  });

  t.test('from and to: a statement matches when its period (a year, a month or a day) overlaps [from, to], as developments', async (t) => {
    // The seed's four are dated to the month (IRL, USA 2020-01; GBR, HRW 2020-09): one known to the year, one to
    // a leap day, each at the boundaries.
    const key = mintKey(app);
    const said = (id: string, date: string, datePrecision: string) =>
      send(app, 'POST', '/v1/statements', {
        key,
        body: {
          id,
          reviewId: 'KGZ-3',
          speaker: { type: 'state', id: 'FIN' },
          stage: 'interactive_dialogue',
          date,
          datePrecision,
          summary: 'Asked about Azimjon Askarov.',
          themes: [],
          sources: [{ title: `${id} as given`, publisher: 'Finland', url: `https://example.org/${id}` }],
        },
      });
    const YEAR = 'KGZ-3-FIN-year';
    const DAY = 'KGZ-3-FIN-day';
    for (const [id, date, precision] of [[YEAR, '2019', 'year'], [DAY, '2020-02-29', 'day']] as const) {
      const created = await said(id, date, precision);
      t.equal(created.response.statusCode, 201, JSON.stringify(created.body));
    }
    const cases: [string, string[]][] = [
      ['from=2019-12-31&to=2019-12-31', [YEAR]],
      ['to=2019-12-31', [YEAR]],
      ['from=2019&to=2019', [YEAR]],
      ['to=2019-01-01', [YEAR]],
      ['to=2018', []],
      ['to=2020-01-01', [YEAR, IRL, USA]],
      ['from=2020-01-31&to=2020-01-31', [IRL, USA]],
      ['from=2020-01&to=2020-01', [IRL, USA]],
      ['from=2020', [IRL, USA, DAY, GBR, HRW]],
      ['from=2020-02-01', [DAY, GBR, HRW]],
      ['from=2020-02-29&to=2020-02-29', [DAY]],
      ['from=2020-02&to=2020-02', [DAY]],
      ['to=2020-02-28', [YEAR, IRL, USA]],
      ['from=2020-03-01&to=2020-08-31', []],
      ['from=2020-09-30', [GBR, HRW]],
      ['from=2020-09-01&to=2020-09-01', [GBR, HRW]],
      ['from=2020-10-01', []],
      ['from=2019-06&to=2020', [YEAR, IRL, USA, DAY, GBR, HRW]],
      ['stage=adoption&from=2020-09', [GBR, HRW]],
      ['speaker=IRL&to=2020-01', [IRL]],
      ['q=Askarov&from=2020-02&sort=date', [DAY, GBR, HRW]],
    ];
    for (const [query, expected] of cases) {
      const { response, body } = await getJson<Body>(app, `/v1/statements?${query}`);
      t.equal(response.statusCode, 200, query);
      t.same(ids(body), expected, query);
      t.equal(body.meta.total, expected.length, `${query}: total`);
      // The exports, with q (the full-text path) and without, select alike.
      const ndjson = await app.inject(`/v1/statements?${query}&format=ndjson`);
      t.equal(ndjson.statusCode, 200, `${query}: ndjson`);
      t.same(ndjson.body.split('\n').filter(Boolean).map((line) => JSON.parse(line).id), expected, `${query}: ndjson`);
    }
    const csv = await app.inject('/v1/statements?from=2020-01-31&to=2020-02-29&format=csv');
    t.equal(csv.statusCode, 200);
    t.equal(csv.body.trim().split('\n').length, 1 + 3, 'the CSV: a header and IRL, USA, the leap day');

    // A cursor resumes the filtered list (the link repeats from and to): each match once, in order.
    for (const sort of ['date', '-id']) {
      const seen: string[] = [];
      let url: string | undefined = `/v1/statements?from=2020-01-31&to=2020-09-01&limit=2&sort=${sort}`;
      while (url) {
        const page: string = url;
        const { response, body } = await getJson<Body>(app, page);
        t.equal(body.meta.total, 5, page);
        seen.push(...ids(body));
        const next = /^<([^>]+)>/.exec((response.headers.link as string | undefined) ?? '');
        url = body.meta.nextCursor === null ? undefined : next![1];
      }
      const byDate = [IRL, USA, DAY, GBR, HRW];
      t.same(seen, sort === 'date' ? byDate : [...byDate].sort().reverse(), sort);
    }

    // Refused as on developments: from after to, and bounds that are no day, month or year, on the list and its exports.
    for (const query of ['from=2020-09&to=2020-01', 'from=2020-01-02&to=2020-01-01', 'from=2021&to=2020-12-31']) {
      for (const format of ['', '&format=csv', '&format=ndjson']) {
        const { response, body } = await getJson(app, `/v1/statements?${query}${format}`);
        t.equal(response.statusCode, 400, query + format);
        t.match(response.headers['content-type'], /^application\/problem\+json/, query + format);
        t.match(body.errors, [{ in: 'query', name: 'from', message: /is after to/ }], query + format);
      }
    }
    for (const id of [YEAR, DAY]) await send(app, 'DELETE', `/v1/statements/${id}`, { key, headers: { 'if-match': '*' } });
  });

  t.test('the default order is read from an index (date, id): a page is not every statement sorted', async (t) => {
    for (const name of ['date', '-date'] as const) {
      const page = selectRowsQuery(FROM, [], keysetOrder(resolveSort(name, {})), 51);
      const side = postgresSide(app);
      if (side === undefined) {
        // Statistics of a large table (the four seeded statements are read faster by scanning them).
        app.db.$client.exec(`delete from sqlite_stat1 where tbl in ('statements', 'reviews', 'sources');
          insert into sqlite_stat1 (tbl, idx, stat) values ('statements', 'statements_review_idx', '100000 100 1'),
            ('statements', 'sqlite_autoindex_statements_1', '100000 1'), ('statements', 'statements_source_idx', '100000 10'),
            ('statements', 'statements_date_idx', '100000 20 1'), ('reviews', 'sqlite_autoindex_reviews_1', '1000 1'),
            ('sources', 'sqlite_autoindex_sources_1', '10000 1');
          analyze sqlite_schema`);
        const plan = app.db.all<{ detail: string }>(sql`explain query plan ${page}`).map((row) => row.detail);
        t.ok(plan.some((detail) => detail.includes('statements_date_idx')), `${name}: ${plan.join('; ')}`);
        t.notOk(plan.some((detail) => detail.includes('TEMP B-TREE FOR ORDER BY')), `${name}: not sorted`);
        app.db.$client.exec(`delete from sqlite_stat1 where tbl in ('statements', 'reviews', 'sources'); analyze sqlite_schema`);
        continue;
      }
      const { sql: text, params } = new PgDialect().sqlToQuery(page);
      const client = await side.pool.connect();
      try {
        await client.query('set enable_sort = off'); // as on a table too large to sort for one page
        const plan = (await client.query({ text: `explain ${text}`, values: params })).rows.map((row) => row['QUERY PLAN'] as string).join('\n');
        t.match(plan, /Index Scan( Backward)? using statements_date_idx on statements s/, name);
        t.notMatch(plan, /\bSort\b/, `${name}: not sorted`);
      } finally {
        client.release(true);
      }
    }
  });

  t.test('sort=-date reverses', async (t) => {
    const { body } = await getJson<Body>(app, '/v1/statements?sort=-date');
    t.same(ids(body), [...BY_DATE].reverse());
    // By id as the other lists of records sort (it was a 400).
    t.same(ids((await getJson<Body>(app, '/v1/statements?sort=id')).body), [...BY_DATE].sort(), 'sort=id');
    t.same(ids((await getJson<Body>(app, '/v1/statements?sort=-id')).body), [...BY_DATE].sort().reverse(), 'sort=-id');
    const bad = await getJson(app, '/v1/statements?sort=speaker');
    t.equal(bad.response.statusCode, 400);
  });

  t.test('a cursor walk with limit=1 returns every record exactly once', async (t) => {
    for (const sort of ['date', '-date', 'id', '-id']) {
      const seen: string[] = [];
      let url: string | undefined = `/v1/statements?limit=1&sort=${sort}`;
      let pages = 0;
      while (url) {
        const { response, body } = await getJson<Body>(app, url);
        pages++;
        t.equal(body.meta.total, 4);
        seen.push(...ids(body));
        const link = response.headers.link as string | undefined;
        if (body.meta.nextCursor === null) {
          t.notOk(link);
          url = undefined;
        } else {
          const match = /^<([^>]+)>; rel="next"$/.exec(link ?? '');
          t.ok(match, 'Link: rel="next" header');
          t.equal(new URL(match![1]!, 'http://x').searchParams.get('cursor'), body.meta.nextCursor);
          url = match![1];
        }
        if (pages > 10) throw new Error('cursor walk does not end');
      }
      t.equal(pages, 4);
      const order = sort.endsWith('date') ? BY_DATE : [...BY_DATE].sort();
      t.same(seen, sort.startsWith('-') ? [...order].reverse() : order, `${sort}: each record once, in order`);
    }
  });

  t.test('detail', async (t) => {
    const { response, body } = await getJson(app, `/v1/statements/${HRW}`);
    t.equal(response.statusCode, 200);
    t.match(body, {
      id: HRW,
      reviewId: 'KGZ-3',
      stateUnderReview: { id: 'KGZ', name: 'Kyrgyzstan' },
      speaker: { type: 'organization', id: null, name: 'Human Rights Watch' },
      stage: 'adoption',
      date: '2020-09',
      datePrecision: 'month',
      sources: [{ publisher: 'Human Rights Watch', publishedOn: '2020-09-28' }],
    });
    t.match(body.summary, /Askarov/);
    t.equal(body.themes.length, 8);
    t.ok(body.themes.every((th: { id: string; label: string }) => th.id && th.label));
    t.match(body.createdAt, /^\d{4}-\d{2}-\d{2}T/);

    const usa = await getJson(app, `/v1/statements/${USA}`);
    t.same(usa.body.speaker, { type: 'state', id: 'USA', name: 'United States of America' });
    t.equal(usa.body.stage, 'interactive_dialogue');
    t.equal(usa.body.date, '2020-01');
    t.same(
      usa.body.themes.map((th: { id: string }) => th.id).sort(),
      ['freedom-of-thought-conscience-and-religion', 'human-rights-defenders'],
    );
    t.equal(usa.body.sources[0].publishedOn, '2020-01-22');
  });

  t.test('unknown id is a 404 problem', async (t) => {
    const { response, body } = await getJson(app, '/v1/statements/KGZ-3-XXX-adoption');
    t.equal(response.statusCode, 404);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.match(body, { status: 404, title: 'Not Found', instance: '/v1/statements/KGZ-3-XXX-adoption' });
    t.match(body.detail, /Statement "KGZ-3-XXX-adoption" does not exist/);
  });

  t.test('invalid parameters are 400 problems naming the parameter', async (t) => {
    const cases: [string, string][] = [
      ['stage=review', 'stage'],
      ['stateUnderReview=Kyrgyzstann', 'stateUnderReview'],
      ['state=KGZ', 'state'], // the old name is no parameter any more
      ['speaker=', 'speaker'],
      ['q=', 'q'],
      ['q=' + encodeURIComponent('"" *'), 'q'],
      ['q=tor*ure', 'q'],
      ['q=As*', 'q'],
      ['q=a%00b', 'q'],
      ['q=' + encodeURIComponent('one two three four five six seven eight nine'), 'q'],
      ['cursor=%%%', 'cursor'],
      ['cursor=bm90LWpzb24', 'cursor'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['from=2020-13', 'from'],
      ['from=2021-02-29', 'from'],
      ['to=2020-02-30', 'to'],
      ['from=2020-2', 'from'],
      ['to=20201', 'to'],
      ['from=2020-07-01T00:00:00Z', 'from'],
      ['to=abcd', 'to'],
      ['from=', 'from'],
    ];
    for (const [query, name] of cases) {
      const { response, body } = await getJson(app, `/v1/statements?${query}`);
      t.equal(response.statusCode, 400, query);
      t.match(response.headers['content-type'], /^application\/problem\+json/, query);
      t.ok(
        body.errors?.some((e: { in: string; name: string }) => e.in === 'query' && e.name === name),
        `${query}: names ${name}`,
      );
    }
  });
});

t.test("a database from before statements' full text: the migration indexes the statements it holds, and new ones after them", async (t) => {
  const first = await buildTestApp(t);
  const pool = postgresSide(first)?.pool;
  const path = pool ? '' : first.db.$client.name;
  const key = mintKey(first);
  await postgresSide(first)?.pending;
  await first.close();
  if (pool) {
    // As before migrations/postgres/0017_statements_full_text.sql.
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    await pool.query(`drop trigger statements_search_unfilled on statements;
      alter table statements drop column fts_rowid, drop column search;
      delete from __drizzle_migrations where created_at >= ${journal.entries.find((e) => e.tag === '0017_statements_full_text')!.when}`);
  } else {
    // As before migrations/0026_statements_full_text.sql.
    const old = new Database(path);
    old.exec(`${UNDO_UNREPEATABLE_MIGRATIONS}
      delete from __drizzle_migrations where created_at >= ${migrationDate('0026_statements_full_text')};`);
    old.close();
  }
  const app = await buildTestApp(t, pool ? { databaseUrl: pool.options.connectionString! } : { databasePath: path });
  t.same(ids((await getJson<Body>(app, '/v1/statements?q=Askarov&sort=date')).body), BY_DATE, 'the statements held before are found');
  const created = await send(app, 'POST', '/v1/statements', {
    key,
    body: {
      reviewId: 'KGZ-3',
      speaker: { type: 'organization', name: 'Bir Duino' },
      stage: 'adoption',
      date: '2020-09-28',
      datePrecision: 'day',
      summary: 'Asked for the Askarov case to be reopened.',
      themes: [],
      sources: [{ title: 'Bir Duino at the adoption', publisher: 'Bir Duino', url: 'https://example.org/bir-duino-kgz-3' }],
    },
  });
  t.equal(created.response.statusCode, 201, JSON.stringify(created.body));
  t.same(ids((await getJson<Body>(app, '/v1/statements?q=reopened')).body), [created.body.id], 'a new one too');
  t.same(ids((await getJson<Body>(app, '/v1/statements?q=Askarov')).body).length, 5);
});
