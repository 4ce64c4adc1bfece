// Metamorphic checks of the recommendations API on real data (session 35): relations that must hold between
// endpoints, filters, sorts, formats and backends, on thousands of random valid requests, seeded (the same seed
// makes the same requests). Run a built server on each database (rate limits raised: RATE_LIMIT_MAX,
// RATE_LIMIT_EXPORT_MAX; MAX_EVENT_LOOP_DELAY_MS=0), then
//   node bench/metamorphic.mjs SEED ITERATIONS URL_A [URL_B]
// With URL_B (the same data on the other backend, e.g. after `npm run db:copy`) every iteration runs on both and
// compares them. MAX_ROWS (4000) bounds each filter set's rows (broader ones are narrowed). Prints each failed
// relation (up to 8 of a kind), then the requests sent and relations checked per backend, also on SIGINT/SIGTERM.
// Relations: list total == stats total == NDJSON lines == CSV rows (same ids, same order); every record agrees
// with each filter's field; stats buckets == a recount from the records (multi-valued: each value, null when
// none, regionalGroup's null for a state in no group too) and each bucket == the list with its value as a
// filter; A∧B ⊆ A; x=a,b == x=a ∪ x=b; labelSource unions; q: a phrase ⊆ its words, word* ⊇ word (a shorter
// prefix may not: the index holds stems, see the README); ids in any case; every sort total, consistent with
// the fields shown and reversed by `-`; a page walk == the export, item for item; a record == its list item,
// NDJSON object and CSV row; related: symmetric, recurrence == earlier ≥ 0.5, earliest cycle; developments'
// from/to halves; a cached answer == a fresh one (ETag and body); SQLite == PostgreSQL (ids, records, stats).
const [seedArg, nArg, urlA, urlB] = process.argv.slice(2);
let seed = Number(seedArg) >>> 0;
function rnd() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const chance = (p) => rnd() < p;
const pickN = (a, n) => {
  const s = new Set();
  while (s.size < Math.min(n, a.length)) s.add(pick(a));
  return [...s];
};

const stats = { requests: {}, relations: {}, failures: [] };
const servers = urlB ? { A: urlA, B: urlB } : { A: urlA };
function count(kind, backend) {
  stats.relations[backend] ??= {};
  stats.relations[backend][kind] = (stats.relations[backend][kind] ?? 0) + 1;
}
function fail(kind, backend, msg, extra) {
  const line = `${backend} ${kind}: ${msg}`;
  if (stats.failures.filter((f) => f.kind === kind).length < 8) console.log('FAIL', line, extra ? JSON.stringify(extra).slice(0, 600) : '');
  stats.failures.push({ kind, backend, msg });
}
function check(ok, kind, backend, msg, extra) {
  count(kind, backend);
  if (!ok) fail(kind, backend, msg, extra);
  return ok;
}

async function get(backend, path, accept, cached = false) {
  stats.requests[backend] = (stats.requests[backend] ?? 0) + 1;
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(servers[backend] + path, { headers: cached ? { accept: accept ?? 'application/json' } : { accept: accept ?? 'application/json', 'cache-control': 'no-cache' } });
    const body = await res.text();
    if (res.status === 503 && attempt < 5) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (res.status >= 500) fail('no-5xx', backend, `${res.status} ${path}`, body.slice(0, 300));
    return { status: res.status, body, headers: res.headers };
  }
}
async function json(backend, path) {
  // the response cache and ETags (keyed by a normalised query) must give what a fresh answer gives: the cached
  // answer first (another URL normalised alike may have filled it), then a fresh one
  const c = chance(0.4) ? await get(backend, path, undefined, true) : null;
  const r = await get(backend, path);
  if (r.status !== 200) {
    fail('status', backend, `${r.status} ${path}`, r.body.slice(0, 300));
    return null;
  }
  if (c) check(c.body === r.body && c.headers.get('etag') === r.headers.get('etag'), 'cached == fresh', backend, path, { fresh: r.body.slice(0, 150), cached: c.body.slice(0, 150) });
  return JSON.parse(r.body);
}
const qs = (f) =>
  Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(Array.isArray(v) ? v.join(',') : String(v))}`)
    .join('&');

async function ndjson(backend, filters, extra = {}) {
  const r = await get(backend, `/v1/recommendations?${qs({ ...filters, ...extra, format: 'ndjson' })}`);
  if (r.status !== 200) return fail('status', backend, `${r.status} ndjson ${qs(filters)}`, r.body.slice(0, 300)), null;
  return r.body.split('\n').filter((l) => l).map((l) => JSON.parse(l));
}

// RFC 4180 parser
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, q = false;
  while (i < text.length) {
    const c = text[i];
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') (cell += '"'), (i += 2);
        else (q = false), i++;
      } else (cell += c), i++;
    } else if (c === '"') (q = true), i++;
    else if (c === ',') row.push(cell), (cell = ''), i++;
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), (i += 2);
    else (cell += c), i++;
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  const [head, ...rest] = rows;
  return rest.map((r) => Object.fromEntries(head.map((h, j) => [h, r[j]])));
}
async function csv(backend, filters) {
  const r = await get(backend, `/v1/recommendations?${qs({ ...filters, format: 'csv' })}`);
  if (r.status !== 200) return fail('status', backend, `${r.status} csv ${qs(filters)}`, r.body.slice(0, 300)), null;
  return parseCsv(r.body);
}

// ---- vocabularies (from backend A) ----
const V = {};
async function vocab() {
  const g = async (groupBy) => (await json('A', `/v1/stats/recommendations?groupBy=${groupBy}`)).data;
  V.suR = (await g('stateUnderReview')).map((d) => d.stateUnderReview);
  V.recS = (await g('recommendingState')).map((d) => d.recommendingState).filter(Boolean);
  V.themes = (await g('theme')).map((d) => d.theme).filter(Boolean);
  V.years = (await g('year')).map((d) => d.year).filter(Boolean);
  const reviews = [];
  let cursor = null;
  do {
    const p = await json('A', `/v1/reviews?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    reviews.push(...p.data);
    cursor = p.meta.nextCursor;
  } while (cursor);
  V.reviews = reviews.map((r) => r.id);
  V.reviewYear = Object.fromEntries(reviews.map((r) => [r.id, r.year ?? null]));
  V.sessions = [...new Set(reviews.map((r) => r.session).filter(Boolean))];
  const states = [];
  cursor = null;
  do {
    const p = await json('A', `/v1/states?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    states.push(...p.data);
    cursor = p.meta.nextCursor;
  } while (cursor);
  V.stateGroup = Object.fromEntries(states.map((s) => [s.id, s.regionalGroup ?? null]));
  V.sources = (await json('A', '/v1/sources?limit=500')).data.map((s) => s.id);
  V.ap = (await json('A', '/v1/affected-persons')).data.map((a) => a.id);
  // words and labels from a sample of records
  const sample = (await json('A', '/v1/recommendations?limit=500&sort=updatedAt')).data;
  sample.push(...(await json('A', '/v1/recommendations?limit=500&sort=-id')).data);
  sample.push(...(await json('A', '/v1/recommendations?limit=300&sort=id')).data);
  V.sample = sample;
  V.words = [...new Set(sample.flatMap((r) => r.text.toLowerCase().match(/[a-z]{4,}/g) ?? []))];
  V.labels = [...new Set(sample.map((r) => r.positionLabel).filter(Boolean))];
  for (const r of sample) for (const s of r.sources ?? []) if (s.reading?.positionLabel) V.labels.push(s.reading.positionLabel);
  V.labels = [...new Set(V.labels)];
  V.updatedAts = sample.map((r) => r.updatedAt);
  console.log(
    `vocab: ${V.suR.length} states under review, ${V.recS.length} recommending, ${V.themes.length} themes, ${V.reviews.length} reviews, ${V.sources.length} sources, ${V.words.length} words, labels ${V.labels.join('|')}`,
  );
}

const LABEL_SOURCES = ['curated', 'ohchr', 'upr-info', 'machine'];
const FILTERS = {
  stateUnderReview: () => pickN(V.suR, chance(0.7) ? 1 : 2),
  recommendingState: () => pickN(V.recS, chance(0.7) ? 1 : 2),
  regionalGroup: () => pickN(['African', 'Asia-Pacific', 'Eastern European', 'GRULAC', 'WEOG'], chance(0.7) ? 1 : 2),
  cycle: () => pickN(['1', '2', '3'], chance(0.7) ? 1 : 2),
  session: () => pickN(V.sessions.map(String), 1 + Math.floor(rnd() * 2)),
  reviewId: () => pickN(V.reviews, chance(0.7) ? 1 : 3),
  position: () => pickN(['supported', 'partially_supported', 'noted', 'pending', 'unknown'], chance(0.6) ? 1 : 2),
  theme: () => pickN(V.themes, chance(0.7) ? 1 : 2),
  sdg: () => pickN(['1', '3', '4', '5', '8', '10', '16', '17'], 1),
  affectedPersons: () => pickN(V.ap, 1),
  source: () => pickN(V.sources, 1),
  implementation: () => pickN(['not_implemented', 'partially_implemented', 'implemented', 'unknown'], chance(0.5) ? 1 : 2),
  actionCategory: () => pickN(['1', '2', '3', '4', '5', 'unknown'], chance(0.7) ? 1 : 2),
  positionLabel: () => pickN(V.labels, 1),
  year: () => pickN(V.years.map(String), chance(0.7) ? 1 : 2),
  labelSource: () => pickN(LABEL_SOURCES, 1 + Math.floor(rnd() * 3)),
  recurring: () => pick(['true', 'false']),
  hasDevelopments: () => pick(['true', 'false']),
  q: () => (chance(0.3) ? `${pick(V.words).slice(0, 4)}*` : chance(0.2) ? `"${pick(V.words)} ${pick(V.words)}"` : pick(V.words)),
  updatedSince: () => pick(V.updatedAts),
  id: () => [...pickN(V.sample.map((r) => r.id), 1 + Math.floor(rnd() * 20)), ...(chance(0.3) ? ['NOPE-1-1.1'] : [])],
};
const LIST_FILTERS = ['stateUnderReview', 'recommendingState', 'regionalGroup', 'cycle', 'reviewId', 'position', 'theme', 'implementation', 'actionCategory', 'year'];

function randomFilters() {
  const f = {};
  const n = Math.floor(rnd() * 3) + (chance(0.2) ? 0 : 1);
  const keys = Object.keys(FILTERS);
  for (let i = 0; i < n; i++) {
    const k = pick(keys);
    f[k] = FILTERS[k]();
  }
  if (f.labelSource && !f.theme && chance(0.5)) f.theme = FILTERS.theme();
  return f;
}

// what a grouping's value(s) are for a record (as stats count it)
function groupValues(g, r, filters) {
  switch (g) {
    case 'position': return [r.position ?? 'unknown'];
    case 'implementation': return [r.implementation ?? 'unknown'];
    case 'cycle': return [r.cycle];
    case 'stateUnderReview': return [r.stateUnderReview.id];
    case 'year': return [V.reviewYear[r.reviewId] ?? null];
    case 'actionCategory': return [r.actionCategory ?? null];
    case 'recurring': return [r.recurrence.count > 0 ? 'true' : 'false'];
    case 'recommendingState': return r.recommendingStates.length ? [...new Set(r.recommendingStates.map((s) => s.id))] : [null];
    case 'regionalGroup': {
      // a state in no group (the Holy See) counts under null, beside its co-authors' groups (openapi: "null: none (no recommending state, or one in no group)")
      const gs = [...new Set(r.recommendingStates.map((s) => V.stateGroup[s.id] ?? null))];
      return gs.length ? gs : [null];
    }
    case 'sdg': return r.sdgs.length ? [...new Set(r.sdgs.map((s) => String(s.id)))] : [null];
    case 'theme': {
      const ls = filters.labelSource;
      const ts = r.themes.filter((t) => !ls || ls.includes(t.source)).map((t) => t.id);
      return ts.length ? [...new Set(ts)] : [null];
    }
  }
}
const bucketFilter = { position: 'position', implementation: 'implementation', cycle: 'cycle', stateUnderReview: 'stateUnderReview', year: 'year', actionCategory: 'actionCategory', recurring: 'recurring', recommendingState: 'recommendingState', regionalGroup: 'regionalGroup', sdg: 'sdg', theme: 'theme' };
const GROUPINGS = Object.keys(bucketFilter);
const key = (v) => (v === null ? 'null' : String(v));

async function total(b, f) {
  const p = await json(b, `/v1/recommendations?${qs({ ...f, limit: 1 })}`);
  return p ? { total: p.meta.total, capped: !!p.meta.totalCapped } : null;
}
const ids = (rows) => rows.map((r) => r.id);
const setEq = (a, b) => a.length === b.length && new Set([...a, ...b]).size === a.length;
const subset = (a, b) => { const s = new Set(b); return a.every((x) => s.has(x)); };

async function checkFilterSet(b, f) {
  const desc = qs(f);
  const t = await total(b, f);
  if (!t) return null;
  const rows = await ndjson(b, f, { sort: 'id' });
  if (!rows) return null;
  if (!t.capped) check(rows.length === t.total, 'total==ndjson', b, `${desc}: total ${t.total} ndjson ${rows.length}`);
  const wrong = rows.map((r) => [r.id, agrees(f, r)]).filter(([, x]) => x.length);
  check(wrong.length === 0, 'records agree with filters', b, `${desc}: ${wrong.length}`, wrong.slice(0, 3));
  const csvRows = await csv(b, { ...f, sort: 'id' });
  if (csvRows) {
    check(csvRows.length === rows.length, 'csv==ndjson rows', b, `${desc}: csv ${csvRows.length} ndjson ${rows.length}`);
    check(csvRows.every((c, i) => c.id === rows[i]?.id), 'csv ids==ndjson ids', b, desc);
  }
  // stats
  const g = [pick(GROUPINGS)];
  if (chance(0.3)) { const g2 = pick(GROUPINGS); if (g2 !== g[0]) g.push(g2); }
  const st = await json(b, `/v1/stats/recommendations?${qs({ ...f, groupBy: g })}`);
  if (st) {
    check(st.meta.total === rows.length, 'stats total==rows', b, `${desc} groupBy=${g}: stats ${st.meta.total} rows ${rows.length}`);
    const sum = st.data.reduce((s, d) => s + d.count, 0);
    check(st.meta.sum === undefined || st.meta.sum === sum, 'stats meta.sum', b, `${desc} groupBy=${g}`);
    // recompute buckets client side
    const expected = new Map();
    for (const r of rows) {
      const combos = g.length === 1 ? groupValues(g[0], r, f).map((v) => [v]) : groupValues(g[0], r, f).flatMap((v) => groupValues(g[1], r, f).map((w) => [v, w]));
      for (const c of combos) { const k = c.map(key).join('|'); expected.set(k, (expected.get(k) ?? 0) + 1); }
    }
    const got = new Map(st.data.map((d) => [g.map((x) => key(d[x])).join('|'), d.count]));
    const expSum = [...expected.values()].reduce((a, c) => a + c, 0);
    const multi = g.some((x) => ['recommendingState', 'regionalGroup', 'theme', 'sdg'].includes(x));
    if (!multi) check(sum === rows.length, 'single-valued sum==total', b, `${desc} groupBy=${g}: ${sum} vs ${rows.length}`);
    else check(sum >= rows.length, 'multi-valued sum>=total', b, `${desc} groupBy=${g}`);
    const diffs = [];
    for (const k of new Set([...expected.keys(), ...got.keys()])) if ((expected.get(k) ?? 0) !== (got.get(k) ?? 0)) diffs.push([k, expected.get(k) ?? 0, got.get(k) ?? 0]);
    check(diffs.length === 0 && expSum === sum, 'buckets==records', b, `${desc} groupBy=${g}: ${diffs.length} buckets differ`, diffs.slice(0, 5));
    // bucket == list with that value as filter
    if (g.length === 1) {
      for (const d of pickN(st.data, 3)) {
        let v = d[g[0]];
        if (v === null) {
          if (!['actionCategory'].includes(g[0])) continue;
          v = 'unknown';
        }
        const f2 = { ...f };
        const name = bucketFilter[g[0]];
        // the bucket's value added as a filter: intersect with an existing filter of that name
        if (f2[name] && !f2[name].includes?.(String(v)) && f2[name] !== String(v)) continue;
        f2[name] = name === 'recurring' ? String(v) : [String(v)];
        const t2 = await total(b, f2);
        if (t2 && !t2.capped) check(t2.total === d.count, 'bucket==filtered list', b, `${desc} + ${name}=${v}: bucket ${d.count} list ${t2.total}`);
      }
    }
  }
  return rows;
}

// filters whose meaning can be read off the record's own fields
function agrees(f, r) {
  const bad = [];
  const has = (k, v) => !f[k] || f[k].includes(String(v));
  if (!has('position', r.position ?? 'unknown')) bad.push('position');
  if (!has('implementation', r.implementation ?? 'unknown')) bad.push('implementation');
  if (!has('cycle', r.cycle)) bad.push('cycle');
  if (!has('session', r.session)) bad.push('session');
  if (!has('stateUnderReview', r.stateUnderReview.id)) bad.push('stateUnderReview');
  if (!has('reviewId', r.reviewId)) bad.push('reviewId');
  if (!has('actionCategory', r.actionCategory ?? 'unknown')) bad.push('actionCategory');
  if (f.year && !f.year.includes(String(V.reviewYear[r.reviewId]))) bad.push('year');
  if (f.recurring && (r.recurrence.count > 0) !== (f.recurring === 'true')) bad.push('recurring');
  if (f.hasDevelopments && (r.developmentCount > 0) !== (f.hasDevelopments === 'true')) bad.push('hasDevelopments');
  if (f.updatedSince && !(r.updatedAt >= f.updatedSince)) bad.push('updatedSince');
  if (f.id && !f.id.includes(r.id)) bad.push('id');
  if (f.recommendingState && !r.recommendingStates.some((s) => f.recommendingState.includes(s.id))) bad.push('recommendingState');
  if (f.regionalGroup && !r.recommendingStates.some((s) => f.regionalGroup.includes(V.stateGroup[s.id]))) bad.push('regionalGroup');
  if (f.theme && !r.themes.some((t) => f.theme.includes(t.id) && (!f.labelSource || f.labelSource.includes(t.source)))) bad.push('theme');
  if (f.sdg && !r.sdgs.some((t) => f.sdg.includes(String(t.id)))) bad.push('sdg');
  if (f.affectedPersons && !r.affectedPersons.some((t) => f.affectedPersons.includes(t.id))) bad.push('affectedPersons');
  if (f.source && !r.sources.some((t) => f.source.includes(t.id))) bad.push('source');
  if (f.positionLabel) {
    const l = f.positionLabel[0].toLowerCase();
    if (!([r.positionLabel, ...r.sources.map((s) => s.reading?.positionLabel)].some((x) => x && x.toLowerCase() === l))) bad.push('positionLabel');
  }
  return bad;
}

// ids and names in any case (README: Id filters, State filters, positionLabel) give the same records
async function checkCaseFold(b, f, rows) {
  const f2 = { ...f };
  let changed = false;
  for (const k of ['theme', 'affectedPersons', 'reviewId', 'source', 'positionLabel']) if (f2[k]) (f2[k] = f2[k].map((v) => (chance(0.5) ? v.toUpperCase() : v.toLowerCase()))), (changed = true);
  for (const k of ['stateUnderReview', 'recommendingState']) if (f2[k]) (f2[k] = f2[k].map((v) => v.toLowerCase())), (changed = true);
  if (!changed) return;
  const r2 = await ndjson(b, f2, { sort: 'id' });
  if (r2) check(ids(r2).join() === ids(rows).join(), 'case-folded ids same records', b, `${qs(f)} vs ${qs(f2)}: ${rows.length} vs ${r2.length}`);
}

async function checkNarrowing(b, f, rows) {
  // A ∧ B ⊆ A
  const k = pick(Object.keys(FILTERS));
  if (f[k]) return;
  const f2 = { ...f, [k]: FILTERS[k]() };
  const r2 = await ndjson(b, f2, { sort: 'id' });
  if (!r2) return;
  check(subset(ids(r2), ids(rows)), 'A∧B⊆A', b, `${qs(f)} + ${k}=${f2[k]}: ${r2.length} not within ${rows.length}`);
  // and the added filter agrees with the records' fields, where checkable client-side
  if (k === 'updatedSince') check(r2.every((r) => r.updatedAt >= f2.updatedSince), 'updatedSince field', b, qs(f2));
}

async function checkUnion(b, f) {
  const k = pick(LIST_FILTERS);
  const vals = FILTERS[k]();
  let a = vals[0], c = vals[1] ?? FILTERS[k]()[0];
  if (a === c) return;
  const base = { ...f };
  delete base[k];
  const tb = await total(b, { ...base, [k]: [a, c] });
  if (!tb || tb.total > MAX_ROWS * 2) return;
  const [ra, rc, rac] = await Promise.all([ndjson(b, { ...base, [k]: [a] }), ndjson(b, { ...base, [k]: [c] }), ndjson(b, { ...base, [k]: [a, c] })]);
  if (!ra || !rc || !rac) return;
  const u = [...new Set([...ids(ra), ...ids(rc)])];
  check(setEq(u, ids(rac)), 'x=a,b == x=a ∪ x=b', b, `${qs(base)} ${k}=${a},${c}: ${ra.length}+${rc.length} union ${u.length} vs ${rac.length}`);
}

async function checkLabelSourceUnion(b, f) {
  const theme = f.theme ?? [pick(V.themes)];
  const base = { ...f, theme };
  const tb = await total(b, base);
  if (!tb || tb.total > MAX_ROWS * 2) return;
  const [s1, s2] = pickN(LABEL_SOURCES, 2);
  const [r1, r2, r12] = await Promise.all([ndjson(b, { ...base, labelSource: [s1] }), ndjson(b, { ...base, labelSource: [s2] }), ndjson(b, { ...base, labelSource: [s1, s2] })]);
  if (!r1 || !r2 || !r12) return;
  check(setEq([...new Set([...ids(r1), ...ids(r2)])], ids(r12)), 'labelSource union', b, `${qs(base)} labelSource=${s1},${s2}`);
  // each record's theme really comes from that source
  check(r1.every((r) => r.themes.some((t) => theme.includes(t.id) && t.source === s1)), 'labelSource field', b, `${qs(base)} labelSource=${s1}`);
}

async function checkQ(b, f) {
  const base = { ...f };
  delete base.q;
  const w1 = pick(V.words), w2 = pick(V.words);
  const tq = await total(b, { ...base, q: `${w1}*` });
  if (!tq || tq.total > MAX_ROWS * 2) return;
  const [a, c, or, and, phrase, prefix, whole] = await Promise.all([
    ndjson(b, { ...base, q: w1 }), ndjson(b, { ...base, q: w2 }), ndjson(b, { ...base, q: `${w1} or ${w2}` }),
    ndjson(b, { ...base, q: `${w1} ${w2}` }), ndjson(b, { ...base, q: `"${w1} ${w2}"` }), ndjson(b, { ...base, q: `${w1.slice(0, Math.max(3, w1.length - 2))}*` }), ndjson(b, { ...base, q: `${w1}*` }),
  ]);
  if (!a || !c || !and || !phrase || !prefix) return;
  const d = `${qs(base)} q=${w1}/${w2}`;
  // OR is a plain word (src/db/fulltext.ts): "a or b" needs all three
  if (or) check(subset(ids(or), ids(a)) && subset(ids(or), ids(c)), 'a or b ⊆ each (or is a word)', b, d);
  if (whole) check(subset(ids(a), ids(whole)), 'word* ⊇ word', b, `${d}: word ${a.length} word* ${whole.length}`);
  check(subset(ids(and), ids(a)) && subset(ids(and), ids(c)), 'AND ⊆ each', b, d);
  check(subset(ids(phrase), ids(and)), 'phrase ⊆ words', b, d);
  // not a relation: the index holds stems, so a prefix past a word's stem misses it (README, Full text)
  if (!subset(ids(a), ids(prefix))) count('known: a shorter prefix misses the word (stems)', b);
}

function cmpKey(sort, r) {
  switch (sort.replace('-', '')) {
    case 'id': return [r.id];
    case 'updatedAt': return [r.updatedAt, r.id];
    default: return null;
  }
}
const cmp = (x, y) => { for (let i = 0; i < x.length; i++) { if (x[i] < y[i]) return -1; if (x[i] > y[i]) return 1; } return 0; };

async function checkSortsAndWalk(b, f, rows) {
  if (rows.length > 3000) return;
  const sort = pick(['paragraph', '-paragraph', 'updatedAt', '-updatedAt', 'id', '-id', ...(f.q ? ['relevance'] : [])]);
  const exp = await ndjson(b, f, { sort });
  if (!exp) return;
  check(setEq(ids(exp), ids(rows)), 'sort keeps set', b, `${qs(f)} sort=${sort}`);
  const ck = cmpKey(sort, exp[0] ?? {});
  if (sort.replace('-', '') === 'paragraph') {
    const dir = sort.startsWith('-') ? -1 : 1;
    const num = (p) => (p && /^\d+(\.\d+)*$/.test(p) ? p.split('.').map(Number) : null);
    let ok = true, where = '';
    for (let i = 1; i < exp.length; i++) {
      const x = exp[i - 1], y = exp[i];
      if (x.reviewId !== y.reviewId) { if ((x.reviewId < y.reviewId ? 1 : -1) !== dir) (ok = false), (where = `${x.id} ${y.id}`); continue; }
      const px = num(x.paragraph), py = num(y.paragraph);
      if (px && py) { const c = cmp(px, py); if (c === dir) (ok = false), (where = `${x.id} ${y.id}`); }
    }
    check(ok, 'paragraph sort consistent with fields', b, `${qs(f)} sort=${sort}: ${where}`);
  }
  if (ck) {
    const dir = sort.startsWith('-') ? -1 : 1;
    let ok = true;
    for (let i = 1; i < exp.length; i++) if (cmp(cmpKey(sort, exp[i - 1]), cmpKey(sort, exp[i])) * dir >= 0) ok = false;
    check(ok, 'sort consistent with fields', b, `${qs(f)} sort=${sort}`);
  }
  if (sort !== 'relevance') {
    const rev = await ndjson(b, f, { sort: sort.startsWith('-') ? sort.slice(1) : `-${sort}` });
    if (rev) check(ids(rev).reverse().join() === ids(exp).join(), 'reverse sort reverses', b, `${qs(f)} sort=${sort}`);
  }
  // page walk
  const limit = pick([1, 7, 50, 173, 500]);
  if (rows.length / limit > 60) return;
  const walked = [];
  let cursor = null, pages = 0;
  do {
    const p = await json(b, `/v1/recommendations?${qs({ ...f, sort, limit, cursor: cursor ?? undefined })}`);
    if (!p) return;
    walked.push(...p.data);
    cursor = p.meta.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  const firstDiff = walked.findIndex((x, i) => JSON.stringify(x) !== JSON.stringify(exp[i]));
  check(firstDiff === -1 || walked.length !== exp.length, 'page items == ndjson objects', b, `${qs(f)} sort=${sort}: ${walked[firstDiff]?.id}`);
  check(ids(walked).join() === ids(exp).join(), 'page walk == export', b, `${qs(f)} sort=${sort} limit=${limit}: walk ${walked.length} export ${exp.length}`);
}

const CSV_SKIP = new Set(['url']);
async function checkRecord(b, f, rows) {
  if (!rows.length) return;
  const r = pick(rows);
  const det = await json(b, `/v1/recommendations/${encodeURIComponent(r.id)}`);
  if (!det) return;
  const diff = Object.keys(r).filter((k) => JSON.stringify(r[k]) !== JSON.stringify(det[k]));
  check(diff.length === 0, 'record==ndjson item', b, `${r.id}: ${diff}`);
  const page = await json(b, `/v1/recommendations?id=${encodeURIComponent(r.id)}`);
  if (page) {
    const li = page.data[0];
    const d2 = Object.keys(li ?? {}).filter((k) => JSON.stringify(li[k]) !== JSON.stringify(det[k]));
    check(li && d2.length === 0 && page.meta.total === 1, 'record==list item', b, `${r.id}: ${d2}`);
  }
  const c = (await csv(b, { id: [r.id] }))?.[0];
  if (c) {
    const unq = (s) => (s?.startsWith("'") ? s.slice(1) : s);
    const j = (a) => a.join('; ');
    const expect = {
      id: r.id, reviewId: r.reviewId, stateUnderReview: r.stateUnderReview.id, stateUnderReviewName: r.stateUnderReview.name,
      cycle: String(r.cycle), session: r.session == null ? '' : String(r.session), paragraph: r.paragraph ?? '', text: r.text,
      verbatim: String(r.verbatim), recommendingStates: j(r.recommendingStates.map((s) => s.id)),
      recommendingStateNames: j(r.recommendingStates.map((s) => s.name)), position: r.position ?? '', positionLabel: r.positionLabel ?? '',
      positionSource: r.positionSource ?? '', actionCategory: r.actionCategory == null ? '' : String(r.actionCategory),
      themes: j(r.themes.map((t) => t.id)), themeLabels: j(r.themes.map((t) => t.label)), themeSources: j(r.themes.map((t) => t.source ?? '')),
      themeConfidences: j(r.themes.map((t) => (t.confidence == null ? '' : String(t.confidence)))),
      sdgs: j(r.sdgs.map((s) => s.id)), affectedPersons: j(r.affectedPersons.map((s) => s.id)), implementation: r.implementation ?? '',
      developmentCount: String(r.developmentCount), recurrenceCount: String(r.recurrence.count),
      recurrenceEarliestCycle: r.recurrence.earliestCycle == null ? '' : String(r.recurrence.earliestCycle),
      sources: j(r.sources.map((s) => s.id)), version: String(r.version), createdAt: r.createdAt, updatedAt: r.updatedAt,
    };
    const bad = Object.entries(expect).filter(([k, v]) => k in c && unq(c[k]) !== v && c[k] !== v).map(([k]) => [k, c[k], expect[k]]);
    const missing = Object.keys(expect).filter((k) => !(k in c));
    check(bad.length === 0 && missing.length === 0, 'csv row==record', b, `${r.id}`, { bad: bad.slice(0, 3), missing });
  }
}

async function checkRelated(b, rows) {
  if (!rows.length) return;
  const r = pick(rows);
  const rel = await json(b, `/v1/recommendations/${encodeURIComponent(r.id)}/related?limit=50`);
  if (!rel) return;
  const earlier = rel.data.filter((x) => x.relation === 'earlier');
  const rec = earlier.filter((x) => x.score >= 0.5);
  check(rec.length === r.recurrence.count, 'recurrence.count == earlier ≥ threshold', b, `${r.id}: ${r.recurrence.count} vs ${rec.length}`);
  const ec = rec.length ? Math.min(...rec.map((x) => x.cycle)) : null;
  check(ec === r.recurrence.earliestCycle, 'earliestCycle', b, `${r.id}: ${r.recurrence.earliestCycle} vs ${ec}`);
  check(rel.data.every((x) => (x.cycle < r.cycle ? 'earlier' : x.cycle > r.cycle ? 'later' : 'same') === x.relation), 'relation matches cycles', b, r.id);
  for (let i = 1; i < rel.data.length; i++) if (rel.data[i - 1].score < rel.data[i].score) { fail('related order', b, r.id); break; }
  for (const x of pickN(rel.data, 2)) {
    const back = await json(b, `/v1/recommendations/${encodeURIComponent(x.id)}/related?limit=50`);
    if (!back) continue;
    const y = back.data.find((z) => z.id === r.id);
    const full = back.data.length >= 50;
    if (!y) { if (!full) check(false, 'related symmetric', b, `${r.id} → ${x.id} (${x.score}) not back (${back.data.length})`); else if (back.data[back.data.length - 1].score <= x.score) check(false, 'related symmetric (cut)', b, `${r.id} → ${x.id} (${x.score}) not back, last ${back.data.at(-1).score}`); continue; }
    const inv = { earlier: 'later', later: 'earlier', same: 'same' }[x.relation];
    check(y.relation === inv && y.score === x.score, 'related symmetric', b, `${r.id} ↔ ${x.id}: ${x.relation}/${x.score} vs ${y.relation}/${y.score}`);
  }
}

async function checkFromTo(b, f) {
  // developments from/to halves
  const y = pick(['2016', '2018', '2019', '2020', '2021']);
  const [whole, h1, h2] = await Promise.all([
    json(b, `/v1/developments?from=${y}-01-01&to=${y}-12-31&limit=500`),
    json(b, `/v1/developments?from=${y}-01-01&to=${y}-06-30&limit=500`),
    json(b, `/v1/developments?from=${y}-07-01&to=${y}-12-31&limit=500`),
  ]);
  if (!whole || !h1 || !h2) return;
  const u = [...new Set([...ids(h1.data), ...ids(h2.data)])];
  check(setEq(u, ids(whole.data)), 'from/to halves union == whole', b, `${y}: ${h1.meta.total}+${h2.meta.total} vs ${whole.meta.total}`);
}

async function crossBackend(f) {
  const [a, c] = await Promise.all([ndjson('A', f, { sort: 'id' }), ndjson('B', f, { sort: 'id' })]);
  if (!a || !c) return;
  check(ids(a).join() === ids(c).join(), 'sqlite==pg ids', 'AB', `${qs(f)}: ${a.length} vs ${c.length}`);
  const diffRec = a.find((x, i) => c[i] && JSON.stringify(x) !== JSON.stringify(c[i]));
  check(!diffRec, 'sqlite==pg records', 'AB', `${qs(f)}: ${diffRec?.id}`);
  const g = pick(GROUPINGS);
  const [sa, sb] = await Promise.all([json('A', `/v1/stats/recommendations?${qs({ ...f, groupBy: g })}`), json('B', `/v1/stats/recommendations?${qs({ ...f, groupBy: g })}`)]);
  if (sa && sb) {
    const norm = (s) => JSON.stringify(s.data.map((d) => JSON.stringify(d)).sort());
    check(norm(sa) === norm(sb) && sa.meta.total === sb.meta.total, 'sqlite==pg stats', 'AB', `${qs(f)} groupBy=${g}`);
  }
  if (f.q) {
    const [ta, tb] = await Promise.all([total('A', f), total('B', f)]);
    check(ta?.total === tb?.total, 'sqlite==pg q total', 'AB', qs(f));
  }
}

function summary() {
  const byKind = {};
  for (const x of stats.failures) byKind[`${x.backend} ${x.kind}`] = (byKind[`${x.backend} ${x.kind}`] ?? 0) + 1;
  const relations = Object.fromEntries(Object.entries(stats.relations).map(([b, r]) => [b, Object.entries(r).filter(([k]) => !k.startsWith('known')).reduce((s, [, n]) => s + n, 0)]));
  console.log(JSON.stringify({ requests: stats.requests, relations, relationsByKind: stats.relations, failuresByKind: byKind }, null, 1));
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (summary(), process.exit(1)));

await vocab();
const N = Number(nArg);
const t0 = Date.now();
const MAX_ROWS = Number(process.env.MAX_ROWS ?? 4000);
async function boundedFilters() {
  for (;;) {
    const f = randomFilters();
    for (let tries = 0; tries < 4; tries++) {
      const t = await total('A', f);
      if (t && t.total <= MAX_ROWS && !t.capped) return f;
      const k = pick(['stateUnderReview', 'reviewId', 'recommendingState', 'theme', 'session', 'year']);
      f[k] = FILTERS[k]();
    }
  }
}
for (let i = 0; i < N; i++) {
  const f = await boundedFilters();
  for (const b of Object.keys(servers)) {
    const s = seed;
    const rows = await checkFilterSet(b, f);
    if (rows) {
      await checkNarrowing(b, f, rows);
      await checkCaseFold(b, f, rows);
      await checkSortsAndWalk(b, f, rows);
      await checkRecord(b, f, rows);
      await checkRelated(b, rows);
    }
    await checkUnion(b, f);
    if (chance(0.3)) await checkLabelSourceUnion(b, f);
    if (chance(0.3)) await checkQ(b, f);
    if (chance(0.1)) await checkFromTo(b, f);
    if (b === 'A' && servers.B) seed = s; // the same random choices on B
  }
  if (servers.B) await crossBackend(f);
  if (i % 20 === 0) console.log(`#${i} ${((Date.now() - t0) / 1000).toFixed(0)}s requests ${JSON.stringify(stats.requests)} failures ${stats.failures.length}`);
}
summary();
