import t from 'tap';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { entryRow, HEADER_ROW, matrixDocx, RECONCILE_TERMAN, RECONCILE_UPR_INFO, termanFile, themeRow, uprInfoFile, uprInfoRow } from './import-helpers.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

// A mirror that follows the change feed (README, "Curation") applies each entry's changes to its copy of the
// record. It can only do so when each entry starts where the entries before it left the record: every field's
// `before` is what the mirror holds. Writes of every kind (the API's, curation of machine labels, imports that
// merge and split, on both backends), then the whole feed replayed.

type Change = { seq: number; entity: string; id: string; action: string; changes: Record<string, { before: unknown; after: unknown }> };

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

// The kinds of records with a version, each read alone at /v1/{entity}/{id} (sources have none).
const VERSIONED = new Set(['states', 'reviews', 'recommendations', 'developments', 'assessments', 'statements']);

t.test('a mirror replaying the change feed: each entry starts where the last left its record, and ends at its version', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  const write = async (method: string, url: string, body?: unknown) => {
    const { response, body: answer } = await send(app, method, url, { key, body, headers: { 'if-match': '*' } });
    t.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    return answer;
  };
  const importFile = async (bytes: Uint8Array | string, type = 'text/csv') => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/imports',
      headers: { authorization: `Bearer ${key}`, 'content-type': type },
      payload: Buffer.from(bytes),
    });
    t.equal(response.statusCode, 200, response.body.slice(0, 300));
  };

  // A recommendation with machine labels; its text changed (labels given again), a machine label confirmed and
  // another removed, then its themes set whole.
  const created = await write('POST', '/v1/recommendations', {
    reviewId: 'KGZ-3',
    text: 'Abolish the death penalty and ratify the Second Optional Protocol to the ICCPR',
    verbatim: false,
    recommendingStates: ['FIN'],
    themes: ['human-rights-defenders'],
  });
  const id = created.id as string;
  const machine = (labels: { id: string; source: string }[]) => labels.filter((l) => l.source === 'machine').map((l) => l.id);
  t.ok(machine(created.themes).length > 0, 'the machine gave labels');
  const retold = await write('PATCH', `/v1/recommendations/${id}`, { text: 'Ensure access to education for children with disabilities in rural schools' });
  const [confirm, remove] = machine(retold.themes);
  t.ok(confirm !== undefined && remove !== undefined, `two machine labels to curate: ${machine(retold.themes)}`);
  await write('PUT', `/v1/recommendations/${id}/themes/${confirm}`);
  await write('DELETE', `/v1/recommendations/${id}/themes/${remove}`);
  await write('PATCH', `/v1/recommendations/${id}`, { themes: [confirm, 'human-rights-defenders'] });
  // Goals given, then handed back to the files (the entry's curatedFields: who holds which field).
  await write('PATCH', `/v1/recommendations/${id}`, { sdgs: ['4'] });
  await write('PATCH', `/v1/recommendations/${id}`, { sdgs: [] });

  // A development linking it, changed, then deleted; a state's aliases changed.
  const development = await write('POST', '/v1/developments', {
    stateUnderReview: 'KGZ',
    reviewId: 'KGZ-3',
    title: 'A law on inclusive education',
    summary: 'Parliament adopted a law on inclusive education.',
    date: '2021-03',
    datePrecision: 'month',
    direction: 'progress',
    recommendationIds: [id],
    sources: [{ title: 'A news report', publisher: 'A newspaper', url: 'https://news.example/inclusive-education' }],
  });
  await write('PATCH', `/v1/developments/${development.id}`, { recommendationIds: [id, 'KGZ-3-FIN-1'] });
  await write('DELETE', `/v1/developments/${development.id}`);
  const kgz = (await getJson(app, '/v1/states/KGZ')).body;
  await write('PATCH', '/v1/states/KGZ', { aliases: [...kgz.aliases, 'Kirghiz Republic'] });
  const linked = await write('POST', '/v1/developments', {
    stateUnderReview: 'KGZ',
    title: 'A second law',
    summary: 'Another law.',
    date: '2022',
    datePrecision: 'year',
    direction: 'progress',
    sources: [{ title: 'A gazette', publisher: 'The parliament', url: 'https://gazette.example/2022' }],
  });
  await write('PUT', `/v1/developments/${linked.id}/recommendations/${id}`);
  await write('PUT', `/v1/developments/${linked.id}/recommendations/KGZ-3-FIN-1`);
  await write('DELETE', `/v1/developments/${linked.id}/recommendations/${id}`);

  // An assessment and a statement, changed; a review and a state of the API's own, changed and deleted.
  const assessment = await write('POST', '/v1/assessments', {
    recommendationId: id,
    status: 'partially_implemented',
    assessedOn: '2022-01-10',
    rationale: 'A law was adopted; funding is lacking.',
    sources: [{ title: 'A report', publisher: 'An NGO', url: 'https://ngo.example/report' }],
  });
  await write('PATCH', `/v1/assessments/${assessment.id}`, { status: 'implemented' });
  await write('DELETE', `/v1/assessments/${assessment.id}`);
  const statement = await write('POST', '/v1/statements', {
    reviewId: 'KGZ-3',
    speaker: { type: 'state', id: 'FIN' },
    stage: 'adoption',
    date: '2020-09',
    datePrecision: 'month',
    summary: 'Welcomed the acceptance of its recommendation.',
    themes: ['human-rights-defenders'],
    sources: [{ title: 'A webcast', publisher: 'UN Web TV', url: 'https://webtv.example/kgz' }],
  });
  await write('PATCH', `/v1/statements/${statement.id}`, { themes: [] });
  await write('POST', '/v1/states', { id: 'XXA', name: 'Testland', regionalGroup: null, unMember: false, aliases: ['Testia'] });
  await write('POST', '/v1/reviews', { stateUnderReview: 'XXA', cycle: 4 });
  await write('PATCH', '/v1/reviews/XXA-4', { reportSymbol: 'A/HRC/99/1' });
  await write('DELETE', '/v1/reviews/XXA-4');
  await write('PATCH', '/v1/states/XXA', { aliases: [] });
  await write('DELETE', '/v1/states/XXA');

  // Imports that create a review, merge records, split one by recommending state.
  await importFile(RECONCILE_TERMAN);
  await importFile(RECONCILE_UPR_INFO);
  // UPR Info first, then the corpus, on another review: UPR Info's one text for France and Italy is split by
  // paragraph, and the part created for Italy cites UPR Info's reading too.
  const tajik = (row: string[]) => ['Tajikistan', ...row.slice(1, 10), '12'];
  await importFile(uprInfoFile(['France', 'Italy'].map((from) => tajik(uprInfoRow('Protect journalists from attacks', from, 'Accepted', '4', 'Freedom of the press')))));
  await importFile(termanFile(['France', 'Italy'].map((from, i) => [`88.${i + 4}. Protect journalists from attacks (${from});`, 'tajikistan', 'support', from, '2011', ''])));
  const part = (await getJson(app, '/v1/recommendations/TJK-1-88.5')).body as { sources: { id: string; reading: unknown }[] };
  t.same(part.sources.filter((s) => s.reading).map((s) => s.id).sort(), ['terman-uprs-2008-2014', 'upr-info-database-2008-2013'], 'the part made by the split');
  // Our own export read back, one text and one record's themes changed in it.
  const exported = (await app.inject({ method: 'GET', url: '/v1/recommendations?reviewId=KGZ-1&format=csv' })).body;
  t.match(exported, 'Protect journalists from attacks');
  await importFile(exported.replace('Protect journalists from attacks', 'Protect journalists and bloggers from attacks'));
  // An OHCHR matrix (a new review, labels of its own), then a corrected one (a position changed).
  const matrix = (position: string) =>
    matrixDocx([
      HEADER_ROW,
      themeRow('Acceptance of international norms'),
      entryRow({ text: '121.1 Ratify the Convention on Enforced Disappearance (France);', tags: ['- Enforced disappearances'] }),
      entryRow({ text: '121.2 Combat hate speech (Germany);', position, tags: ['- Racial discrimination'] }),
    ]);
  await importFile(await matrix('Supported'), DOCX);
  await importFile(await matrix('Noted'), DOCX);
  await write('DELETE', `/v1/recommendations/${id}`);

  const feed: Change[] = [];
  for (let since = ''; ; ) {
    const { body } = await getJson(app, `/v1/changes?limit=500${since}`);
    feed.push(...body.data);
    if (!body.meta.hasMore) break;
    since = `&since=${body.meta.nextCursor}`;
  }

  const mirror = new Map<string, Record<string, unknown> | null>();
  const breaks: string[] = [];
  for (const change of feed) {
    const name = `${change.entity} ${change.id}`;
    const record = mirror.get(name);
    if (change.action === 'create' && record) breaks.push(`#${change.seq} creates ${name}, which the mirror holds`);
    if (change.action !== 'create' && !record) breaks.push(`#${change.seq} ${change.action}s ${name}, which the mirror does not hold`);
    const next: Record<string, unknown> = { ...record };
    const differs = (field: string, before: unknown, held: unknown) => {
      if (JSON.stringify(before) !== JSON.stringify(held)) {
        breaks.push(`#${change.seq} ${change.action} ${name}: ${field} before ${JSON.stringify(before)}, the mirror holds ${JSON.stringify(held)}`);
      }
    };
    for (const [field, { before, after }] of Object.entries(change.changes)) {
      // The context of a curator's PUT or DELETE of a theme: who gave each label, the machine's included
      // (README, "Machine labels"), not a field of the record.
      // Likewise a PATCH's curatedFields (the fields a curator holds, before and after one is handed back).
      if (field === 'themeSources' || field === 'curatedFields') continue;
      if (isMap(before) || isMap(after)) {
        // A map given by the keys that changed (a recommendation's `sources`: each source's reading).
        const held = (record?.[field] ?? {}) as Record<string, unknown>;
        for (const [key, value] of Object.entries(before ?? {})) differs(`${field}.${key}`, value, held[key] ?? null);
        const merged = { ...held };
        for (const [key, value] of Object.entries(after ?? {})) {
          if (value === null) delete merged[key];
          else merged[key] = value;
        }
        next[field] = merged;
        continue;
      }
      differs(field, before, record ? (field in record ? record[field] : null) : null);
      next[field] = after;
    }
    mirror.set(name, change.action === 'delete' ? null : next);
  }
  t.same(breaks, [], 'no entry starts elsewhere than the last left its record');

  // Every record the mirror holds is the API's, at the same version; what the history records of its labels
  // is the record's labels without the machine's.
  let checked = 0;
  for (const [name, record] of mirror) {
    const [entity, recordId] = name.split(' ') as [string, string];
    if (!VERSIONED.has(entity)) continue;
    const { response, body } = await getJson(app, `/v1/${entity}/${encodeURIComponent(recordId)}`);
    if (record === null) {
      t.equal(response.statusCode, 404, `${name} deleted`);
      continue;
    }
    checked++;
    if (body.version !== record.version) t.fail(`${name}: version ${body.version}, the mirror's ${record.version}`);
    if (entity === 'recommendations') {
      const themes = (body.themes as { id: string; source: string }[]).filter((l) => l.source !== 'machine').map((l) => l.id).sort();
      t.same([body.text, themes], [record.text, record.themes], `${name}: text and themes`);
      const readings = (body.sources as { id: string; reading?: Record<string, unknown> | null }[])
        .filter((source) => source.reading)
        .map((source) => source.id)
        .sort();
      t.same(Object.keys(record.sources ?? {}).sort(), readings, `${name}: the sources whose reading the history gave`);
    }
  }
  t.ok(checked > 200, `${checked} records checked against the API`);
  t.ok(feed.some((c) => c.entity === 'recommendations' && c.action === 'update' && c.changes.sources), 'an import merged a record');
  t.ok(feed.some((c) => String(c.changes.text?.after).includes('bloggers')), 'our own export, changed, updated a record');
  t.ok(feed.some((c) => c.id === 'SVN-3-121.2' && c.changes.position?.after === 'noted'), 'the corrected matrix updated a record');
});
