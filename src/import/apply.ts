import { createHash } from 'node:crypto';
import { idFragment } from '../curation/ids.js';
import { diffRecords, writeTransaction } from '../db/audit.js';
import type { Db } from '../db/open.js';
import { currentRevision } from '../db/revision.js';
import type { ApiKeyScope, LabelSource, Position } from '../db/schema.js';
import type { Snapshot as RecordSnapshot } from '../curation/records.js';
import { Inconsistencies } from '../curation/checks.js';
import { datedSource } from '../curation/sources.js';
import { paragraphSortKey } from '../recommendations/paragraph.js';
import { fieldJson, FIELDS_KEPT_WITH } from '../recommendations/curated-fields.js';
import { checkLinkedDevelopments } from '../recommendations/writes.js';
import { reviewSnapshot } from '../reviews/writes.js';
import { neighbourThread, THREAD_MIN_TEXTS } from '../related/neighbours-thread.js';
import { stateNamesOf } from '../related/state-names.js';
import { tagRecommendations } from '../tagging/apply.js';
import { UPR_INFO_THEMES } from '../tagging/labels.js';
import { machineTagger } from '../tagging/tagger.js';
import { type Batched, batched, bulkInsert } from './bulk-insert.js';
import { withoutCopiedReviews } from './copied-reviews.js';
import { readingOf, reconcile, type SourceReading } from './reconcile.js';
import {
  ImportError,
  type ImportNote,
  type ImportRecord,
  type ImportReport,
  type KeptField,
  type LabelInput,
  type ParsedFile,
  type ReviewInput,
  type SourceInput,
} from './types.js';
import { checkLabel, checkRecommendation, checkReview, checkSource } from './validate.js';
import { cutText } from '../common/cut-text.js';

const UPR_INFO_LABELS = new Map(UPR_INFO_THEMES.map((theme) => [theme.id, theme.label]));

// Writes what a format reader produced: one immediate transaction (writeTransaction) that creates missing
// sources, reviews and labels, then creates, updates or leaves unchanged each recommendation by comparing
// it with the stored one, with an audit entry per created or updated record. A dry run does all of it and
// rolls back. Everything written is first held to the write API's schemas, rules and scopes (validate.ts):
// the rows of a record the API would refuse are skipped with the reason; when no record of the file passes,
// the import is refused whole (ImportError, nothing written).

/** A record's id: `<review>-<paragraph>`; with a short hash of its text when several texts share the paragraph. */
// (`<review>-<paragraph>` is also the id the curation API gives a new recommendation with a paragraph.)
export function recommendationId(reviewId: string, paragraph: string | null, idText: string, shared: boolean): string {
  const hash = createHash('sha256').update(idText).digest('hex').slice(0, 8);
  if (paragraph === null) return `${reviewId}-t${hash}`;
  const part = idFragment(paragraph);
  return shared ? `${reviewId}-${part}-${hash}` : `${reviewId}-${part}`;
}

type Identified = ImportRecord & { id: string };

/** Gives each record its stable id; a second record with the same id is reported, not imported. */
export function assignIds(records: ImportRecord[]): { records: Identified[]; duplicates: ImportNote[] } {
  const textsByParagraph = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.id !== undefined) continue;
    const key = `${r.reviewId}\u0000${r.paragraph}`;
    const texts = textsByParagraph.get(key) ?? new Set<string>();
    texts.add(r.idText);
    textsByParagraph.set(key, texts);
  }
  const seen = new Map<string, Identified>();
  const duplicates: ImportNote[] = [];
  for (const r of records) {
    const shared = (textsByParagraph.get(`${r.reviewId}\u0000${r.paragraph}`)?.size ?? 1) > 1;
    const id = r.id ?? recommendationId(r.reviewId, r.paragraph, r.idText, shared);
    const first = seen.get(id);
    if (first) {
      duplicates.push({
        row: r.rows[0],
        paragraph: r.paragraph,
        message: `same id (${id}) as row ${first.rows[0]}: not imported twice`,
      });
      continue;
    }
    seen.set(id, { ...r, id });
  }
  return { records: [...seen.values()], duplicates };
}

interface Snapshot {
  reviewId: string;
  paragraph: string | null;
  text: string;
  verbatim: boolean;
  position: Position | null;
  positionLabel: string | null;
  positionSource: string | null;
  sourceId: string | null;
  actionCategory: number | null;
  recommendingStates: string[];
  unresolvedRecommenders: string[];
  themes: string[]; // ids
  sdgs: number[];
  affectedPersons: string[]; // ids
}

const LINKS = {
  recommendingStates: { table: 'recommendation_states', column: 'state_code' },
  unresolvedRecommenders: { table: 'recommendation_unresolved_states', column: 'name' },
  themes: { table: 'recommendation_themes', column: 'theme_id' },
  sdgs: { table: 'recommendation_sdgs', column: 'goal' },
  affectedPersons: { table: 'recommendation_affected_persons', column: 'group_id' },
} as const;
type LinkField = keyof typeof LINKS;
const LINK_FIELDS = Object.keys(LINKS) as LinkField[];

const sorted = <T extends string | number>(values: Iterable<T>): T[] =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The columns of a record's fields, and their places in the row of an update (see applyImport). */
// (The sort key is set with its paragraph, or alone when the stored one is not the paragraph's: an older key.)
const UPDATE_COLUMNS: [keyof Snapshot | 'paragraphSortKey', [string, number][]][] = [
  ['reviewId', [['review_id', 0]]],
  ['paragraph', [['paragraph', 1], ['paragraph_sort_key', 2]]],
  ['paragraphSortKey', [['paragraph_sort_key', 2]]],
  ['text', [['text', 3]]],
  ['verbatim', [['verbatim', 4]]],
  ['position', [['position', 5]]],
  ['positionLabel', [['position_label', 6]]],
  ['positionSource', [['position_source', 7]]],
  ['sourceId', [['source_id', 8]]],
  ['actionCategory', [['action_category', 9]]],
];

const finite = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Whether two values of a snapshot's field are equal as JSON (scalars, or lists of them). */
/** A map's own value at this key: a theme id such as "constructor" is no key of Object's (its function is no label source). */
const ownValue = <T>(map: Record<string, T> | undefined, key: string | number): T | undefined =>
  map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;

/** Who attached each label of a kind, where the file says it per label (our own CSV's themeSources, sdgSources…). */
const perLabel = (record: ImportRecord, field: LinkField): Record<string, LabelSource> | undefined =>
  field === 'themes' ? record.themeSources : field === 'sdgs' ? record.sdgSources : field === 'affectedPersons' ? record.affectedPersonSources : undefined;

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // (Different strings, booleans or finite numbers are different JSON: no need to write them.)
  if (finite(a) && finite(b)) return false;
  if (!Array.isArray(a) || !Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

const byRow = (a: ImportNote, b: ImportNote) => (a.row ?? 0) - (b.row ?? 0);

class DryRunRollback extends Error {}

export interface ApplyOptions {
  actor: string;
  dryRun: boolean;
  scope: ApiKeyScope;
  now: string;
  /** The database file is new and this connection alone uses it: see leaveWal. */
  newDatabase?: boolean;
}

/**
 * Switches a connection in WAL mode to a rollback journal (DELETE) for one import, when it can: only when no
 * other connection has the database open (SQLite refuses to leave WAL mode otherwise). In WAL mode a bulk
 * import writes every new page twice, to the WAL and then at the checkpoint to the database file; through a
 * rollback journal a page new to the file is written once (the journal keeps the few pages changed in place).
 * Still one transaction, all or nothing: a crash mid-import leaves a hot journal, which the next open rolls
 * back. As durable as the WAL with synchronous=FULL: synchronous=EXTRA meanwhile, so that the journal's
 * deletion, which commits the transaction, is synced too (FULL syncs the journal and the file, not the folder).
 * But while the import writes, another connection could not read the database (the writer holds the file's
 * exclusive lock once its cache spills): hence only for a database file its caller created and alone uses.
 * Returns what puts the connection back (WAL mode, its synchronous setting), or undefined when it did not switch.
 */
function leaveWal(client: Db['$client']): (() => void) | undefined {
  if (client.pragma('journal_mode', { simple: true }) !== 'wal') return undefined;
  try {
    client.pragma('journal_mode = DELETE');
  } catch {
    // (SQLITE_BUSY: another connection has the database open.)
    return undefined;
  }
  const synchronous = client.pragma('synchronous', { simple: true }) as number;
  client.pragma('synchronous = EXTRA');
  return () => {
    client.pragma('journal_mode = WAL');
    client.pragma(`synchronous = ${synchronous}`);
  };
}

/** How many reasons the refusal of a whole file quotes (the report of a partial import lists them all). */
const REFUSAL_REASONS = 5;

/** The valid entries by id, and the reasons the others cannot be written. */
function checkAll<T extends { id: string }>(
  entries: T[],
  check: (entry: T) => { value?: T; problems?: string[] },
): { valid: T[]; invalid: Map<string, string> } {
  const valid: T[] = [];
  const invalid = new Map<string, string>();
  for (const entry of entries) {
    const { value, problems } = check(entry);
    if (value) valid.push(value);
    else invalid.set(entry.id, problems!.join('; '));
  }
  return { valid, invalid };
}

export function applyImport(db: Db, parsed: ParsedFile, options: ApplyOptions): ImportReport {
  const assigned = assignIds(parsed.records);
  const { duplicates } = assigned;
  let records = assigned.records;
  const report: ImportReport = {
    format: parsed.format,
    dryRun: options.dryRun,
    ...(parsed.encoding ? { encoding: parsed.encoding } : {}),
    rowsRead: parsed.rowsRead,
    rowsNotSelected: parsed.rowsNotSelected,
    recommendations: { created: 0, updated: 0, unchanged: 0 },
    reconciliation: { matched: 0, ambiguous: 0 },
    skipped: 0,
    updated: [],
    kept: [],
    reviewsCreated: [],
    reviewsUpdated: [],
    sourcesCreated: [],
    themesCreated: [],
    affectedPersonsCreated: [],
    notInFile: [],
    problems: [...parsed.skipped, ...duplicates].sort(byRow),
    warnings: [...parsed.warnings],
    unresolvedRecommenders: parsed.unresolvedRecommenders,
    unresolvedStatesUnderReview: parsed.unresolvedStatesUnderReview,
    unmappedLabels: parsed.unmappedLabels ?? [],
    uhriIdsLearned: [],
    revision: 0,
  };
  report.skipped = report.problems.length;

  const checkedSources = checkAll<SourceInput>(parsed.sources, checkSource);
  const checkedReviews = checkAll<ReviewInput>(parsed.reviews, checkReview);
  const labelsOf = (declared: LabelInput[], what: string) =>
    declared.filter((label) => {
      const { problems } = checkLabel(label);
      if (problems) report.warnings.push({ message: `${what} "${cutText(label.id, 80)}" not added: ${problems.join('; ')}` });
      return !problems;
    });

  // The neighbour thread tokenises a large file's texts while they are being written (src/related/neighbours-thread.ts).
  if (records.length >= THREAD_MIN_TEXTS) neighbourThread().warm(records.map((r) => r.text), stateNamesOf(db));

  // SQLite keeps each statement's journal (the pages it changed, to undo that statement alone) in a temporary
  // file once it passes 64 KiB: an import's bulk statements wrote ~600,000 pages there (more than to the WAL).
  // In memory during the import; the connection's setting is restored after it (it cannot change inside a
  // transaction, so an import run inside one keeps it).
  const client = db.$client;
  const tempStore = client.inTransaction ? undefined : (client.pragma('temp_store', { simple: true }) as number);
  if (tempStore !== undefined) client.pragma('temp_store = memory');
  // A new database file, created for this import: written through a rollback journal (leaveWal), then back to WAL.
  const backToWal = options.newDatabase === true && tempStore !== undefined ? leaveWal(client) : undefined;
  try {
    writeTransaction(db, options.actor, ({ tx, audit }) => {
      const written: string[] = [];
      const sql = db.$client;
      const json = (values: unknown[]) => JSON.stringify(values);

      // A review the file prints again under a later cycle is not a review of its own (copied-reviews.ts).
      const copied = withoutCopiedReviews(sql, records, checkedReviews.valid);
      records = copied.records;
      checkedReviews.valid = checkedReviews.valid.filter((r) => !copied.copies.has(r.id));
      const reviewsInFile = parsed.reviews.filter((r) => !copied.copies.has(r.id));
      report.problems.push(...copied.problems);
      report.skipped += copied.problems.length;
      report.warnings.push(...copied.warnings);

      // Sources: created when missing; one whose URL another source already has is that source.
      const sourceExists = sql.prepare('select 1 from sources where id = ?').pluck();
      const sourceByUrl = sql.prepare('select id from sources where url = ?').pluck();
      const insertSource = sql.prepare(
        'insert into sources (id, title, publisher, url, published_on, published_on_precision) values (?, ?, ?, ?, ?, ?)',
      );
      const sourceIds = new Map<string, string>();
      for (const s of checkedSources.valid) {
        if (sourceExists.get(s.id)) continue;
        const sameUrl = sourceByUrl.get(s.url) as string | undefined;
        if (sameUrl !== undefined) {
          sourceIds.set(s.id, sameUrl);
          report.warnings.push({ message: `source ${s.id} is stored as ${sameUrl} (same URL ${s.url}): linked to ${sameUrl}` });
          continue;
        }
        // A date as the file writes it ("2020", "2020-03" or "2020-03-15"), with that precision.
        const dated = datedSource(s.publishedOn);
        insertSource.run(s.id, s.title, s.publisher, s.url, dated.publishedOn, dated.publishedOnPrecision);
        audit({ entity: 'sources', entityId: s.id, action: 'create', before: null, after: { ...s, ...dated } });
        report.sourcesCreated.push(s.id);
      }

      // Reviews: created when missing; a missing session, report symbol or report year is filled in, never
      // overwritten.
      const getReview = sql.prepare(
        `select state_code as stateCode, cycle, wg_session as wgSession, report_symbol as reportSymbol,
          report_year as reportYear from reviews where id = ?`,
      );
      const insertReview = sql.prepare(`insert into reviews (id, state_code, cycle, wg_session, report_symbol,
        report_year, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)`);
      // Each filled column by itself: an update naming wg_session fires reviews_stale_update, which rebuilds the
      // documents of every recommendation of the review (1,280 a review of the 1M database) for a year filled in.
      const fillReview = {
        wgSession: sql.prepare('update reviews set wg_session = ? where id = ?'),
        reportSymbol: sql.prepare('update reviews set report_symbol = ? where id = ?'),
        reportYear: sql.prepare('update reviews set report_year = ? where id = ?'),
      };
      // A review's entry records it as the API's writes do (reviewSnapshot), as it is once this import has also
      // cited its sources (review_sources, below): a creation's entry is appended now, so that it comes before
      // its recommendations', and filled in at the end (entries are written when the transaction ends); a stored
      // review's update is recorded at the end, with its new version.
      const createdReviews: { id: string; after: Partial<RecordSnapshot> }[] = [];
      const storedReviews: { id: string; before: RecordSnapshot }[] = [];
      const admin = options.scope === 'admin';
      const missing = checkedReviews.valid.filter((r) => getReview.get(r.id) === undefined).map((r) => r.id);
      if (missing.length > 0 && !admin) {
        throw new ImportError(
          `The file needs review${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, not stored: creating a review ` +
            'needs a key with the admin scope (as POST /v1/reviews does). Ask an admin to create it or to run the import.',
          403,
        );
      }
      type StoredReview = { stateCode: string; cycle: number; wgSession: number | null; reportSymbol: string | null; reportYear: number | null };
      for (const r of checkedReviews.valid) {
        const stored = getReview.get(r.id) as StoredReview | undefined;
        if (!stored) {
          const after = {
            stateCode: r.stateCode,
            cycle: r.cycle,
            wgSession: r.wgSession ?? null,
            reportSymbol: r.reportSymbol ?? null,
            reportYear: r.reportYear ?? null,
          };
          insertReview.run(r.id, r.stateCode, r.cycle, after.wgSession, after.reportSymbol, after.reportYear, options.now, options.now);
          const entry: { id: string; after: Partial<RecordSnapshot> } = { id: r.id, after: {} };
          audit({ entity: 'reviews', entityId: r.id, action: 'create', before: null, after: entry.after });
          createdReviews.push(entry);
          report.reviewsCreated.push(r.id);
          continue;
        }
        storedReviews.push({ id: r.id, before: reviewSnapshot(tx, r.id)! });
        // (A valid review's id is its state and cycle: a stored one with the same id has the same state and cycle.)
        const after = {
          ...stored,
          wgSession: stored.wgSession ?? r.wgSession ?? null,
          reportSymbol: stored.reportSymbol ?? r.reportSymbol ?? null,
          reportYear: stored.reportYear ?? r.reportYear ?? null,
        };
        const filled = (
          [['wgSession', 'session'], ['reportSymbol', 'report symbol'], ['reportYear', 'report year']] as const
        ).filter(([key]) => after[key] !== stored[key]);
        if (filled.length > 0 && !admin) {
          const names = filled.map(([, name]) => name).join(' and ');
          report.warnings.push({ message: `review ${r.id}: ${names} not filled in (changing a review needs the admin scope)` });
          continue;
        }
        if (filled.length > 0) {
          for (const [key] of filled) fillReview[key].run(after[key], r.id);
          report.reviewsUpdated.push(r.id);
        }
      }

      // Labels new to the vocabularies (OHCHR's wording: uhri as the reader says). A label stored under
      // another id is not added twice: records naming the new id then leave it out (reported below).
      // Themes belong to a scheme (a label is unique within its scheme only); a file that names no scheme for a
      // label of its own (our CSV export) means the label stored in any scheme.
      const addLabels = (declared: LabelInput[], entity: string, table: string, created: string[]) => {
        const schemes = table === 'themes';
        const known = new Set(sql.prepare(`select id from ${table}`).pluck().all() as string[]);
        const byLabel = sql.prepare(`select id from ${table} where label = ?${schemes ? ' and scheme = ?' : ''}`).pluck();
        const inAnyScheme = sql.prepare(`select id from ${table} where label = ? order by id limit 1`).pluck();
        const insert = sql.prepare(
          schemes ? 'insert into themes (id, label, uhri, scheme) values (?, ?, ?, ?)' : `insert into ${table} (id, label, uhri) values (?, ?, ?)`,
        );
        for (const { id, label, uhri, scheme: given } of declared) {
          if (known.has(id)) continue;
          // One of UPR Info's 54 issues, by its id and wording, is in their scheme even when the file names none.
          const scheme = given ?? (uhri ? 'uhri' : schemes && UPR_INFO_LABELS.get(id) === label ? 'upr-info' : 'local');
          const other = (schemes && given === undefined && !uhri ? inAnyScheme.get(label) : byLabel.get(...(schemes ? [label, scheme] : [label]))) as
            | string
            | undefined;
          if (other !== undefined) {
            report.warnings.push({ message: `label "${label}" is stored as ${other}, not ${id}: not added` });
            continue;
          }
          insert.run(...(schemes ? [id, label, uhri ? 1 : 0, scheme] : [id, label, uhri ? 1 : 0]));
          audit({ entity, entityId: id, action: 'create', before: null, after: schemes ? { label, uhri, scheme } : { label, uhri } });
          known.add(id);
          created.push(id);
        }
      };
      addLabels(labelsOf(parsed.themes, 'theme'), 'themes', 'themes', report.themesCreated);
      // A UHRI code is stored once, with the first theme a matrix prints it for; a theme keeps its first code.
      const setCode = sql.prepare(
        'update themes set uhri_code = ? where id = ? and uhri_code is null and not exists (select 1 from themes where uhri_code = ?)',
      );
      for (const { id, uhriId } of parsed.uhriIds ?? []) {
        if (setCode.run(uhriId, id, uhriId).changes === 0) continue;
        audit({ entity: 'themes', entityId: id, action: 'update', before: { uhriId: null }, after: { uhriId } });
        report.uhriIdsLearned.push({ id, uhriId });
      }
      addLabels(
        labelsOf(parsed.affectedPersons, 'affected-persons group'),
        'affected-persons',
        'affected_persons_groups',
        report.affectedPersonsCreated,
      );

      // References a record makes to what neither exists nor the file declares are left out, and reported.
      const known = (query: string) => new Set(sql.prepare(query).pluck().all() as (string | number)[]);
      const references = {
        themes: { ids: known('select id from themes'), what: 'theme' },
        affectedPersons: { ids: known('select id from affected_persons_groups'), what: 'affected-persons group' },
        sdgs: { ids: known('select goal from sdg_goals'), what: 'SDG' },
        recommendingStates: { ids: known('select code from states'), what: 'state' },
      };
      const sourcesKnown = new Map<string, boolean>();
      const sourceKnown = (id: string) => {
        let is = sourcesKnown.get(id);
        if (is === undefined) sourcesKnown.set(id, (is = sourceIds.has(id) || sourceExists.get(id) !== undefined));
        return is;
      };
      for (const record of records) {
        for (const [field, { ids: valid, what }] of Object.entries(references) as [LinkField, { ids: Set<string | number>; what: string }][]) {
          const values = record[field] as (string | number)[] | undefined;
          if (!values || values.every((v) => valid.has(v))) continue;
          for (const v of values.filter((v) => !valid.has(v))) {
            report.warnings.push({ row: record.rows[0], paragraph: record.paragraph, message: `unknown ${what} "${v}": left out` });
          }
          (record[field] as unknown) = values.filter((v) => valid.has(v));
        }
        if (record.sourceId && !checkedSources.invalid.has(record.sourceId)) {
          if (sourceIds.has(record.sourceId)) record.sourceId = sourceIds.get(record.sourceId)!;
          else if (!sourceKnown(record.sourceId)) {
            report.warnings.push({ row: record.rows[0], paragraph: record.paragraph, message: `unknown source "${record.sourceId}": left empty` });
            record.sourceId = null;
          }
        }
      }

      // One record per recommendation: records another source already gave are merged into it (our own
      // export carries its ids: it is not matched).
      let unions = new Set<Identified>();
      let copies = new Map<Identified, SourceReading[]>();
      let storedReadings = new Map<string, SourceReading[]>();
      if (parsed.format !== 'upr-tracker-csv') {
        const { matched, ambiguous, splits, unions: merged, readings, copies: copied } = reconcile(sql, records);
        storedReadings = readings;
        copies = copied;
        report.reconciliation = { matched, ambiguous: ambiguous.length };
        report.warnings.push(...splits, ...ambiguous);
        unions = merged;
      }

      // Recommendations: what is stored for the ids in the file, loaded once.
      const ids = json(records.map((r) => r.id));
      const stored = new Map<string, Snapshot>();
      const versions = new Map<string, number>();
      const sortKeys = new Map<string, string>();
      for (const row of sql
        .prepare(`select id, review_id as reviewId, paragraph, text, verbatim, position, position_label as positionLabel,
          position_source as positionSource, source_id as sourceId, action_category as actionCategory, version,
          paragraph_sort_key as sortKey
          from recommendations where id in (select value from json_each(?))`)
        .all(ids) as (Omit<Snapshot, 'verbatim' | LinkField> & { id: string; verbatim: number; version: number; sortKey: string })[]) {
        const { id, version, sortKey, ...fields } = row;
        versions.set(id, version);
        sortKeys.set(id, sortKey);
        stored.set(id, {
          ...fields,
          verbatim: row.verbatim === 1,
          recommendingStates: [],
          unresolvedRecommenders: [],
          themes: [],
          sdgs: [],
          affectedPersons: [],
        });
      }
      // Machine labels (src/tagging/) are not the record's: a file's labels replace them, tagging redoes them. A
      // record merged with a stored one does not take them in either: they would be written again as the file's
      // labels (a guess shown as UPR Info's or OHCHR's coding), and an unchanged file would change the record.
      // (Only records found stored have links: none, into a new database.)
      const storedIds = json([...stored.keys()]);
      for (const field of LINK_FIELDS) {
        if (stored.size === 0) break;
        const { table, column } = LINKS[field];
        const rows = sql
          .prepare(`select recommendation_id as id, ${column} as value from ${table}
            where recommendation_id in (select value from json_each(?))${field === 'themes' ? " and label_source is not 'machine'" : ''} order by 1, 2`)
          .all(storedIds) as { id: string; value: string & number }[];
        for (const { id, value } of rows) stored.get(id)![field].push(value);
      }
      for (const record of unions) {
        const before = stored.get(record.id)!;
        for (const field of LINK_FIELDS) {
          if (record.statesReplaceStored && (field === 'recommendingStates' || field === 'unresolvedRecommenders')) continue;
          (record[field] as unknown) = [...((record[field] ?? []) as (string | number)[]), ...before[field]];
        }
      }
      for (const snapshot of stored.values()) {
        for (const field of LINK_FIELDS) (snapshot[field] as unknown) = sorted(snapshot[field] as (string | number)[]);
      }
      // Fields a curator wrote last (src/recommendations/curated-fields.ts): kept, with what the file offers
      // reported and stored (files_value), so that a curator can review it and hand the field back.
      const curatedFields = new Map<string, Map<string, string | null>>();
      for (const { id, field, filesValue } of sql
        .prepare(`select recommendation_id as id, field, files_value as filesValue from recommendation_curated_fields
          where recommendation_id in (select value from json_each(?))`)
        .all(storedIds) as { id: string; field: string; filesValue: string | null }[]) {
        curatedFields.set(id, (curatedFields.get(id) ?? new Map()).set(field, filesValue));
      }
      const setFilesValue = sql.prepare('update recommendation_curated_fields set files_value = ? where recommendation_id = ? and field = ?');
      // What the file offers is read before any field is kept (a kept position takes its source back with it), and
      // stored and reported once the record passes its checks (the function returned): a refused row offers nothing.
      const keepCurated = (record: Identified, before: Snapshot, merged: Snapshot): (() => void) => {
        const offered = { ...merged };
        const filesValues: [string, string][] = [];
        const kept: KeptField[] = [];
        for (const [field, filesValue] of curatedFields.get(record.id) ?? []) {
          const value = fieldJson(offered[field as keyof Snapshot]);
          if ((record as unknown as Record<string, unknown>)[field] !== undefined && value !== filesValue) filesValues.push([field, value]);
          for (const key of [field, ...(FIELDS_KEPT_WITH[field as keyof typeof FIELDS_KEPT_WITH] ?? [])] as (keyof Snapshot)[]) {
            if (same(merged[key], before[key])) continue;
            kept.push({ id: record.id, field: key, value: before[key], offered: offered[key] });
            (merged[key] as unknown) = before[key];
          }
        }
        return () => {
          for (const [field, value] of filesValues) setFilesValue.run(value, record.id, field);
          report.kept.push(...kept);
        };
      };
      // Curated > imported: a theme a curator gave a stored record stays when a file gives the record its own
      // themes, and one a curator removed from it (machine_label_rejections) is not given again (reported). Not
      // for our own export, whose themes say who gave each, curators included: it is read back as it was.
      const curatorsThemes = (query: string) => {
        const byRecord = new Map<string, Set<string>>();
        if (parsed.format === 'upr-tracker-csv') return byRecord;
        for (const { id, themeId } of sql.prepare(query).all(storedIds) as { id: string; themeId: string }[]) {
          byRecord.set(id, (byRecord.get(id) ?? new Set()).add(themeId));
        }
        return byRecord;
      };
      const curatedThemes = curatorsThemes(`select recommendation_id as id, theme_id as themeId from recommendation_themes
        where recommendation_id in (select value from json_each(?)) and label_source = 'curated'`);
      const removedThemes = curatorsThemes(`select recommendation_id as id, theme_id as themeId from machine_label_rejections
        where recommendation_id in (select value from json_each(?))`);
      const themesOf = (record: Identified): string[] | undefined => {
        if (record.themes === undefined) return undefined;
        const removed = removedThemes.get(record.id);
        const given = record.themes.filter((theme) => {
          if (removed?.has(theme) !== true) return true;
          report.warnings.push({ row: record.rows[0], paragraph: record.paragraph, message: `theme ${theme} not given to ${record.id} again: a curator removed it` });
          return false;
        });
        return [...given, ...(curatedThemes.get(record.id) ?? [])];
      };

      // New records, their links and citations are inserted, and changed records updated, in bulk after the
      // loop (bulk-insert.ts), in the order they come. fts_rowid is given as the insert trigger would give it (the highest so far, plus 1),
      // so that the trigger does not rewrite each new row to set it.
      const insertRecommendation = bulkInsert(sql, 'recommendations', [
        'id', 'review_id', 'paragraph', 'paragraph_sort_key', 'text', 'verbatim', 'position', 'position_label',
        'position_source', 'source_id', 'action_category', 'created_at', 'updated_at', 'version', 'fts_rowid',
      ]);
      let lastFtsRowid = sql.prepare('select coalesce(max(fts_rowid), 0) from recommendations').pluck().get() as number;
      // An update sets the columns of the fields that changed (a merge changes a few: the indexes and triggers
      // of the others are left alone), one statement for each set of them.
      const updates = new Map<string, Batched>();
      const updateRecommendation = (fields: (keyof Snapshot | 'paragraphSortKey')[], row: unknown[]) => {
        const columns = UPDATE_COLUMNS.filter(([field]) => fields.includes(field));
        const key = columns.map(([field]) => field).join();
        let update = updates.get(key);
        if (update === undefined) {
          const set = columns.flatMap(([, list]) => list.map(([column, at]) => `${column} = j.value ->> ${at}`));
          update = batched(
            sql.prepare(`update recommendations set ${[...set, 'updated_at = j.value ->> 10', 'version = version + 1'].join(', ')}
              from json_each(?) j where recommendations.id = j.value ->> 11`),
          );
          updates.set(key, update);
        }
        update.add(row);
      };
      // Each file a record was read from, with what that file printed (kept beside the merged record).
      const citeSource = bulkInsert(
        sql,
        'recommendation_sources',
        ['recommendation_id', 'source_id', 'paragraph', 'position', 'position_label', 'position_source', 'match_key'],
        `on conflict do update set paragraph = excluded.paragraph, position = excluded.position,
          position_label = excluded.position_label, position_source = excluded.position_source, match_key = excluded.match_key`,
      );
      // Our own export cites the sources of its records but is none of them: it records that a source gives the
      // record (for the matching of later imports) without a reading, and never replaces what the source printed.
      const citeOnly = bulkInsert(
        sql,
        'recommendation_sources',
        ['recommendation_id', 'source_id', 'paragraph', 'position', 'position_label', 'position_source', 'match_key'],
        'on conflict do nothing',
      );
      const ownExport = parsed.format === 'upr-tracker-csv';
      // A review cites the documents its recommendations were read from (the report, the data set).
      const citeReviewSource = sql.prepare('insert or ignore into review_sources (review_id, source_id) values (?, ?)');
      const reviewCites = sql.prepare('select 1 from review_sources where review_id = ? and source_id = ?');
      const reviewsCited = new Set<string>();
      // Citing a source on a review changes it (a new version): with the admin scope only, as filling it in.
      const uncitedSources: [reviewId: string, sourceId: string][] = [];
      const linkStatements = Object.fromEntries(
        LINK_FIELDS.map((field) => {
          const { table, column } = LINKS[field];
          return [
            field,
            {
              insert: bulkInsert(
                sql,
                table,
                field === 'recommendingStates' || field === 'unresolvedRecommenders'
                  ? ['recommendation_id', column]
                  : ['recommendation_id', column, 'label_source'],
              ),
              // Values kept keep their label_source: only those gone are deleted, only new ones inserted (and a
              // machine label of a theme the file gives is deleted, to be inserted again as the file's). In bulk:
              // rows [record id, the values it keeps], deleted before the new values are inserted.
              clear: batched(
                sql.prepare(`delete from ${table} where rowid in (select t.rowid from json_each(?) j
                  join ${table} t on t.recommendation_id = j.value ->> 0
                  where ${
                    field === 'themes'
                      ? `(t.label_source is 'machine') = (t.${column} in (select value from json_each(j.value -> 1)))`
                      : `t.${column} not in (select value from json_each(j.value -> 1))`
                  })`),
              ),
            },
          ];
        }),
      ) as Record<LinkField, { insert: Batched; clear: Batched }>;

      /**
       * The readings this import cites for a record (cite(), below: the file's source's, and those a split's part
       * takes from the record it was split from), as {source id: reading} before and after, for those that differ
       * from the stored ones; undefined when none does.
       */
      const readingChange = (record: Identified, own: SourceReading) => {
        if (own.sourceId === '' || !sourceKnown(own.sourceId)) return undefined;
        const shown = (r: SourceReading) => ({ paragraph: r.paragraph, position: r.position, positionLabel: r.positionLabel, positionSource: r.positionSource });
        let change: { before: Record<string, unknown>; after: Record<string, unknown> } | undefined;
        for (const reading of [own, ...(copies.get(record) ?? [])]) {
          const sourceId = sourceIds.get(reading.sourceId) ?? reading.sourceId;
          const stored = storedReadings.get(record.id)?.find((r) => r.sourceId === sourceId);
          if (stored !== undefined && same(shown(stored), shown(reading))) continue;
          change ??= { before: {}, after: {} };
          change.before[sourceId] = stored ? shown(stored) : null;
          change.after[sourceId] = shown(reading);
        }
        return change;
      };
      const stateOfReviewQuery = sql.prepare('select state_code from reviews where id = ?').pluck();
      const developmentsElsewhere = sql.prepare(`select d.id, d.state_code as state
        from development_recommendations l join developments d on d.id = l.development_id
        where l.recommendation_id = ? and d.state_code <> ? order by d.id`);
      const reviewStates = new Map<string, string | undefined>();
      const stateOfReview = (id: string) => {
        if (!reviewStates.has(id)) reviewStates.set(id, stateOfReviewQuery.get(id) as string | undefined);
        return reviewStates.get(id);
      };
      const refuse = (record: Identified, reason: string) => {
        for (const row of record.rows) report.problems.push({ row, paragraph: record.paragraph, message: reason });
        report.skipped += record.rows.length;
      };
      // A record someone deleted (its tombstone in the history; an import deletes none) is theirs: a file that
      // still gives it does not create it again, as the seed does not (restore it with POST /v1/recommendations).
      const deletions = new Map(
        (
          sql
            .prepare(`select entity_id as id, actor, at from audit_log where entity = 'recommendations' and action = 'delete'
              and entity_id in (select value from json_each(?)) order by seq`)
            .all(json(records.filter((r) => !stored.has(r.id)).map((r) => r.id))) as { id: string; actor: string; at: string }[]
        ).map((d) => [d.id, d]),
      );
      for (const record of records) {
        const before = stored.get(record.id);
        const deletion = before === undefined ? deletions.get(record.id) : undefined;
        if (deletion !== undefined) {
          refuse(record, `${record.id} was deleted by ${cutText(deletion.actor, 80)} at ${deletion.at}: not created again`);
          continue;
        }
        const invalidReview = checkedReviews.invalid.get(record.reviewId);
        if (invalidReview !== undefined) {
          refuse(record, `review ${cutText(record.reviewId, 80)} cannot be stored: ${invalidReview}`);
          continue;
        }
        const invalidSource = record.sourceId ? checkedSources.invalid.get(record.sourceId) : undefined;
        if (invalidSource !== undefined) {
          refuse(record, `source ${cutText(record.sourceId!, 80)} cannot be stored: ${invalidSource}`);
          continue;
        }
        const merged: Snapshot = {
          reviewId: record.reviewId,
          paragraph: record.paragraph,
          text: record.text,
          verbatim: record.verbatim ?? before?.verbatim ?? false,
          position: record.position !== undefined ? record.position : (before?.position ?? null),
          positionLabel: record.positionLabel !== undefined ? record.positionLabel : (before?.positionLabel ?? null),
          positionSource:
            record.positionSource !== undefined ? record.positionSource : (before?.positionSource ?? null),
          sourceId: record.sourceId !== undefined ? record.sourceId : (before?.sourceId ?? null),
          actionCategory: record.actionCategory !== undefined ? record.actionCategory : (before?.actionCategory ?? null),
          recommendingStates: sorted(record.recommendingStates ?? before?.recommendingStates ?? []),
          unresolvedRecommenders: sorted(record.unresolvedRecommenders ?? before?.unresolvedRecommenders ?? []),
          themes: sorted(themesOf(record) ?? before?.themes ?? []),
          sdgs: sorted(record.sdgs ?? before?.sdgs ?? []),
          affectedPersons: sorted(record.affectedPersons ?? before?.affectedPersons ?? []),
        };
        const keep = before === undefined ? undefined : keepCurated(record, before, merged);
        const checked = checkRecommendation(record.id, merged, stateOfReview(merged.reviewId));
        if (!checked.value) {
          refuse(record, checked.problems.join('; '));
          continue;
        }
        // Moved to a review of another state: not while developments of its state bear on it (as the API's PATCH).
        if (before !== undefined && before.reviewId !== merged.reviewId) {
          const state = stateOfReview(merged.reviewId)!;
          const moved = new Inconsistencies();
          checkLinkedDevelopments(moved, record.id, state, developmentsElsewhere.all(record.id, state) as { id: string; state: string }[]);
          if (moved.messages().length > 0) {
            refuse(record, moved.messages().join('; '));
            continue;
          }
        }
        const after: Snapshot = checked.value;
        keep?.();
        const row = [
          after.reviewId,
          after.paragraph,
          paragraphSortKey(after.paragraph),
          after.text,
          after.verbatim ? 1 : 0,
          after.position,
          after.positionLabel,
          after.positionSource,
          after.sourceId,
          after.actionCategory,
        ];
        const linkRow = (field: LinkField, value: string | number) =>
          field === 'recommendingStates' || field === 'unresolvedRecommenders'
            ? [record.id, value]
            : [record.id, value, ownValue(perLabel(record, field), value) ?? record.labelSource ?? null];
        const own = record.reading ?? readingOf(record);
        const cite = () => {
          if (own.sourceId !== '' && sourceKnown(own.sourceId)) {
            // A source stored under another id (same URL) is cited by that id.
            const sourceId = sourceIds.get(own.sourceId) ?? own.sourceId;
            if (ownExport) citeOnly.add([record.id, sourceId, null, null, null, null, own.matchKey]);
            else citeSource.add([record.id, sourceId, own.paragraph, own.position, own.positionLabel, own.positionSource, own.matchKey]);
            for (const r of copies.get(record) ?? []) {
              citeSource.add([record.id, r.sourceId, r.paragraph, r.position, r.positionLabel, r.positionSource, r.matchKey]);
            }
            const key = `${after.reviewId}\n${sourceId}`;
            if (!reviewsCited.has(key)) {
              reviewsCited.add(key);
              if (admin) citeReviewSource.run(after.reviewId, sourceId);
              else if (reviewCites.get(after.reviewId, sourceId) === undefined) uncitedSources.push([after.reviewId, sourceId]);
            }
          }
        };

        if (!before) {
          insertRecommendation.add([record.id, ...row, options.now, options.now, 1, ++lastFtsRowid]);
          for (const field of LINK_FIELDS) {
            for (const value of after[field]) linkStatements[field].insert.add(linkRow(field, value));
          }
          cite();
          // Its readings (the file's source's, and a split part's copies), as an update's entry gives them (a mirror holds them from the start).
          const reading = ownExport ? undefined : readingChange(record, own);
          audit({
            entity: 'recommendations',
            entityId: record.id,
            action: 'create',
            before: null,
            after: { ...after, ...(reading && { sources: reading.after }), version: 1 },
            reason: record.reason,
          });
          report.recommendations.created++;
          written.push(record.id);
          continue;
        }
        cite();
        const fields = (Object.keys(after) as (keyof Snapshot)[]).filter((key) => !same(before[key], after[key]));
        // What this file says of the record is shown with it (sources[].reading): a reading it changes or adds,
        // even when the merged record's own fields stay as they are, is a change of the record (a new version
        // and an entry in its history and the change feed), so that a mirror following the feed sees it.
        const sources = ownExport ? undefined : readingChange(record, own);
        if (fields.length === 0 && sources === undefined) {
          report.recommendations.unchanged++;
          continue;
        }
        const sortKeyAgain = row[2] !== sortKeys.get(record.id) && !fields.includes('paragraph');
        updateRecommendation(sortKeyAgain ? [...fields, 'paragraphSortKey'] : fields, [...row, options.now, record.id]);
        for (const field of LINK_FIELDS) {
          if (!fields.includes(field)) continue;
          linkStatements[field].clear.add([record.id, after[field]]);
          for (const value of after[field]) {
            if (!(before[field] as (string | number)[]).includes(value)) linkStatements[field].insert.add(linkRow(field, value));
          }
        }
        const version = versions.get(record.id)!;
        audit({
          entity: 'recommendations',
          entityId: record.id,
          action: 'update',
          before: { ...before, ...(sources && { sources: sources.before }), version },
          after: { ...after, ...(sources && { sources: sources.after }), version: version + 1 },
          reason: record.reason,
        });
        report.recommendations.updated++;
        report.updated.push({ id: record.id, fields: sources ? [...fields, 'sources'] : fields });
        written.push(record.id);
      }
      insertRecommendation.flush();
      for (const update of updates.values()) update.flush();
      for (const field of LINK_FIELDS) linkStatements[field].clear.flush();
      for (const field of LINK_FIELDS) linkStatements[field].insert.flush();
      citeSource.flush();
      citeOnly.flush();

      const { created, updated, unchanged } = report.recommendations;
      // (A file whose every record was deleted since has nothing to write: not a file that cannot be imported.)
      if (assigned.records.length > deletions.size && created + updated + unchanged === 0) {
        const reasons = report.problems.slice(0, REFUSAL_REASONS).map((p) => (p.row === undefined ? p.message : `row ${p.row}: ${p.message}`));
        const more = report.problems.length > REFUSAL_REASONS ? `; and ${report.problems.length - REFUSAL_REASONS} more` : '';
        throw new ImportError(`No record of the file can be stored as the write API would store it: ${reasons.join('; ')}${more}.`);
      }

      const sourceUrl = sql.prepare('select url from sources where id = ?').pluck();
      for (const [reviewId, sourceId] of uncitedSources) {
        report.warnings.push({ message: `review ${reviewId}: its source ${sourceUrl.get(sourceId) as string} not cited (changing a review needs the admin scope)` });
      }
      for (const { id, after } of createdReviews) Object.assign(after, reviewSnapshot(tx, id));
      const bumpReview = sql.prepare('update reviews set version = version + 1, updated_at = ? where id = ?');
      for (const { id, before } of storedReviews) {
        const after = reviewSnapshot(tx, id)!;
        if (Object.keys(diffRecords(before, after)).length === 0) continue;
        audit({ entity: 'reviews', entityId: id, action: 'update', before, after: { ...after, version: before.version + 1 } });
        bumpReview.run(options.now, id);
      }

      // Machine labels for what this import created or changed (src/tagging/): those without UPR Info's own.
      const tagger = machineTagger();
      if (tagger !== null && written.length > 0) tagRecommendations(db, tagger, { ids: written });

      const inFile = new Set(records.map((r) => r.id));
      const reviewIds = json(reviewsInFile.map((r) => r.id));
      report.notInFile = (
        sql
          .prepare('select id from recommendations where review_id in (select value from json_each(?)) order by id')
          .pluck()
          .all(reviewIds) as string[]
      ).filter((id) => !inFile.has(id));

      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  } finally {
    if (tempStore !== undefined) client.pragma(`temp_store = ${tempStore}`);
    backToWal?.();
  }
  // A bulk import changes the shape of the data: refresh the query planner's statistics.
  const { created, updated } = report.recommendations;
  if (!options.dryRun && created + updated > 0) db.$client.pragma('optimize');
  report.problems.sort(byRow);
  report.warnings.sort(byRow);
  report.revision = currentRevision(db);
  return report;
}
