// A mirror of the API, built only from what the public HTTP API answers (README, "Curation" › the change feed):
// a full copy from the exports, then the change feed followed from the position taken before that copy, each
// change applied by reading again the records it names and those that show something of them, as README says a
// mirror must. `differences` compares it with a fresh full copy, field by field.

/** One GET through the public API: its status, headers and body. */
export type Get = (url: string, headers?: Record<string, string>) => Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>;

export const MIRRORED = ['states', 'sources', 'reviews', 'recommendations', 'developments', 'assessments', 'statements'] as const;
export type Mirrored = (typeof MIRRORED)[number];

/** Lists that select records by `id=` (up to 100 at once); the others are small and read again whole. */
const BY_ID = new Set<Mirrored>(['recommendations', 'developments', 'assessments', 'statements']);

type Row = Record<string, unknown>;
interface Change {
  seq: number;
  entity: Mirrored;
  id: string;
  action: 'create' | 'update' | 'delete';
  changes: Record<string, { before: unknown; after: unknown }>;
  revision: number;
}

/** Vocabularies, with how many records carry each label: no entry records them, their ETag says when they change. */
export const VOCABULARIES = ['/v1/themes', '/v1/affected-persons', '/v1/sdgs'] as const;

/** Everything a mirror holds: each kind's records by id, each recommendation's related list, the vocabularies. */
export interface Copy {
  records: Record<Mirrored, Map<string, Row>>;
  related: Map<string, unknown>;
  vocabularies: Map<string, { etag: string; data: unknown }>;
}

const ids = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

async function ndjson(get: Get, url: string): Promise<Row[]> {
  const response = await get(url);
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
  return response.body === '' ? [] : response.body.trimEnd().split('\n').map((line) => JSON.parse(line) as Row);
}

async function json(get: Get, url: string): Promise<any> {
  const response = await get(url);
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body);
}

/** A record as the mirror keeps it: without `url`, the absolute address each answer adds for its request. */
function kept(row: Row): Row {
  const { url: _url, ...rest } = row;
  return rest;
}

/** A full copy from the exports (NDJSON), and every recommendation's related list. */
export async function fullCopy(get: Get): Promise<Copy> {
  const records = Object.fromEntries(MIRRORED.map((entity) => [entity, new Map<string, Row>()])) as Copy['records'];
  for (const entity of MIRRORED) {
    for (const row of await ndjson(get, `/v1/${entity}?format=ndjson`)) records[entity].set(row.id as string, kept(row));
  }
  const related = new Map<string, unknown>();
  for (const id of records.recommendations.keys()) related.set(id, await relatedOf(get, id));
  const vocabularies = new Map<string, { etag: string; data: unknown }>();
  for (const url of VOCABULARIES) {
    const response = await get(url);
    vocabularies.set(url, { etag: response.headers.etag as string, data: JSON.parse(response.body).data });
  }
  return { records, related, vocabularies };
}

const relatedOf = async (get: Get, id: string) => (await json(get, `/v1/recommendations/${encodeURIComponent(id)}/related?limit=50`)).data;

/** What differs between two copies, field by field: `mirror` as the mirror holds it, `fresh` as the API answers now. */
export function differences(mirror: Copy, fresh: Copy): string[] {
  const found: string[] = [];
  for (const entity of MIRRORED) {
    const held = mirror.records[entity];
    const now = fresh.records[entity];
    for (const [id, row] of now) {
      const mine = held.get(id);
      if (mine === undefined) {
        found.push(`${entity} ${id}: missing from the mirror`);
        continue;
      }
      for (const field of new Set([...Object.keys(row), ...Object.keys(mine)])) {
        const [a, b] = [JSON.stringify(mine[field]), JSON.stringify(row[field])];
        if (a !== b) found.push(`${entity} ${id}.${field}: mirror ${a?.slice(0, 200)}, API ${b?.slice(0, 200)}`);
      }
    }
    for (const id of held.keys()) if (!now.has(id)) found.push(`${entity} ${id}: deleted, still in the mirror`);
  }
  for (const [id, list] of fresh.related) {
    if (JSON.stringify(mirror.related.get(id)) !== JSON.stringify(list)) found.push(`related of ${id}: differs`);
  }
  for (const [url, { data }] of fresh.vocabularies) {
    if (JSON.stringify(mirror.vocabularies.get(url)?.data) !== JSON.stringify(data)) found.push(`${url}: differs`);
  }
  return found;
}

/**
 * A mirror: `start` takes the feed's position, then a full copy; `sync` follows the feed from where it stopped
 * and applies each change as README says.
 */
export class Mirror {
  copy: Copy = { records: Object.fromEntries(MIRRORED.map((entity) => [entity, new Map()])) as Copy['records'], related: new Map(), vocabularies: new Map() };
  cursor = '';
  /** The data revision the mirror has seen explained by the feed's entries. */
  revision = 0;
  /** What the last sync read: entries, and whether it had to copy everything again. */
  last = { entries: 0, recopied: false, seqs: [] as number[] };

  /** Entries per page of the feed; `betweenPages` runs after each page but the last (writes meanwhile). */
  pageSize = 100;
  betweenPages: () => Promise<void> = async () => {};

  constructor(public get: Get) {}

  /** The feed's position now: an instant past every change gives the position after the last one. */
  async position(): Promise<{ cursor: string; revision: number }> {
    const { meta } = await json(this.get, '/v1/changes?limit=1&since=9999-12-31');
    return { cursor: meta.nextCursor, revision: meta.revision };
  }

  async start(): Promise<void> {
    ({ cursor: this.cursor, revision: this.revision } = await this.position());
    this.copy = await fullCopy(this.get);
  }

  async sync(): Promise<void> {
    const entries: Change[] = [];
    let revision = this.revision;
    for (;;) {
      const page = await json(this.get, `/v1/changes?limit=${this.pageSize}&since=${this.cursor}`);
      entries.push(...(page.data as Change[]));
      this.cursor = page.meta.nextCursor;
      revision = page.meta.revision;
      if (!page.meta.hasMore) break;
      await this.betweenPages();
    }
    this.last = { entries: entries.length, recopied: false, seqs: entries.map((e) => e.seq) };
    // Each write moves the revision by one, its entries (if any) carrying the new number: a number between the one
    // held and meta.revision that no entry carries is a write no entry records.
    const explained = new Set(entries.map((e) => e.revision).filter((r) => r > this.revision && r <= revision));
    const unexplained = explained.size < revision - this.revision;
    this.revision = revision;
    // A state's new name shows in every record naming it, related lists included: copy again.
    const renamed = entries.some((e) => e.entity === 'states' && e.changes.name);
    await this.apply(entries, unexplained || renamed);
    // The vocabularies, again only when their ETag changed (a 304 otherwise).
    for (const url of VOCABULARIES) {
      const held = this.copy.vocabularies.get(url);
      const response = await this.get(url, held && { 'if-none-match': held.etag });
      if (response.statusCode === 304) continue;
      this.copy.vocabularies.set(url, { etag: response.headers.etag as string, data: JSON.parse(response.body).data });
    }
  }

  private async apply(entries: Change[], unexplained: boolean): Promise<void> {
    if (unexplained) {
      // The revision moved without an entry that says why (npm run tag, npm run relate, a restart that brought
      // records up to date): what the service derives changed, records unknown. Copy again. So after a rename.
      this.copy = await fullCopy(this.get);
      this.last.recopied = true;
      return;
    }
    const stale = Object.fromEntries(MIRRORED.map((entity) => [entity, new Set<string>()])) as Record<Mirrored, Set<string>>;
    // Lists whose records show something an entry changed, read again whole: `entity?query`.
    const shown = new Set<string>();
    const states = new Set<string>();
    for (const { entity, id, changes } of entries) {
      stale[entity].add(id);
      const field = (name: string) => [...ids(changes[name]?.before), ...ids(changes[name]?.after)];
      if (entity === 'developments') for (const r of field('recommendationIds')) stale.recommendations.add(r);
      if (entity === 'assessments') for (const r of field('recommendationId')) stale.recommendations.add(r);
      if (entity === 'recommendations') {
        for (const r of field('reviewId')) stale.reviews.add(r);
        // Related lists of the same state show its text and position; recurrence compares its text with theirs.
        const row = this.copy.records.recommendations.get(id);
        if (row) states.add((row.stateUnderReview as { id: string }).id);
        for (const r of field('reviewId')) states.add(r.split('-')[0]!);
      }
      // A review's facts are shown by its recommendations (session, year…).
      if (entity === 'reviews') shown.add(`recommendations?reviewId=${id}`);
      // A source's title, publisher, URL and date are shown by every record citing it.
      if (entity === 'sources') {
        for (const kind of BY_ID) shown.add(`${kind}?source=${id}`);
        stale.reviews.add(id);
      }
    }
    for (const list of shown) {
      const [entity, query] = list.split('?') as [Mirrored, string];
      const response = await this.get(`/v1/${entity}?format=ndjson&${query}`);
      // A record deleted since (its review, its source) is a 400 naming it: nothing left to show it.
      if (response.statusCode === 400) continue;
      for (const line of response.body.trimEnd().split('\n').filter(Boolean)) {
        const row = JSON.parse(line) as Row;
        this.copy.records[entity].set(row.id as string, kept(row));
      }
    }
    for (const state of states) {
      for (const row of await ndjson(this.get, `/v1/recommendations?format=ndjson&stateUnderReview=${state}`)) stale.recommendations.add(row.id as string);
    }
    for (const entity of MIRRORED) {
      const wanted = [...stale[entity]];
      if (wanted.length === 0) continue;
      const mine = this.copy.records[entity];
      if (BY_ID.has(entity)) {
        for (let i = 0; i < wanted.length; i += 100) {
          const some = wanted.slice(i, i + 100);
          const rows = await ndjson(this.get, `/v1/${entity}?format=ndjson&${some.map((id) => `id=${encodeURIComponent(id)}`).join('&')}`);
          const found = new Map(rows.map((row) => [row.id as string, kept(row)]));
          for (const id of some) {
            const row = found.get(id);
            if (row) mine.set(id, row);
            else mine.delete(id);
          }
        }
      } else {
        mine.clear();
        for (const row of await ndjson(this.get, `/v1/${entity}?format=ndjson`)) mine.set(row.id as string, kept(row));
      }
    }
    for (const id of stale.recommendations) {
      if (this.copy.records.recommendations.has(id)) this.copy.related.set(id, await relatedOf(this.get, id));
      else this.copy.related.delete(id);
    }
  }
}
