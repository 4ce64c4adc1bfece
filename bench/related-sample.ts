import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../src/db/open.js';
import { StateResolver } from '../src/import/states.js';
import { readUprInfoCsv } from '../src/import/upr-info.js';
import { UPR_INFO_ISSUES } from '../src/reference/upr-info.js';
import { sharedDataDir } from '../test/support/shared-data.js';

// The labelled sample the related-recommendations ranking is measured on, built from UPR Info's database
// (../shared/data/upr-info-2008-2013/, sessions 1–17: every state's first review and, for the states
// reviewed in sessions 13–17, its second). A query is a second-cycle recommendation; its candidates are all
// first-cycle recommendations to the same state; the ranking is judged on its first three candidates.
//
// Two kinds of queries, with relevance decided without the similarity code:
// - instrument: the query asks to ratify (accede to, sign, become party to) exactly one of the instruments
//   below, named as GOLD_INSTRUMENTS' patterns say (written for this sample, separately from
//   src/related/instruments.ts); a candidate is relevant when it asks to ratify the same instrument,
//   whatever its wording. Hard negatives are everywhere: the same state's requests to ratify other
//   instruments (OP-CAT against CAT, one CRC protocol against the other) and requests about the same
//   instrument that are not ratification ("implement CEDAW" for "ratify OP-CEDAW").
// - issue: the query carries exactly one of UPR Info's narrow issues (NARROW_ISSUES, labelled by UPR Info's
//   staff, not by us); a candidate is relevant when UPR Info gave it the same issue.
// Only queries with at least one relevant candidate are kept (there is nothing to find otherwise).

/** UPR Info's folder in shared/data (see test/support/shared-data.ts), or undefined when absent. */
export function uprInfoDir(): string | undefined {
  const data = sharedDataDir();
  return data === undefined ? undefined : join(data, 'upr-info-2008-2013');
}
export const UPR_INFO_FILES = ['uprinfo_sessions_1-5.csv', 'uprinfo_sessions_6-9.csv', 'uprinfo_sessions_10-13.csv', 'uprinfo_sessions_14-17.csv'];

export interface SampleRecord {
  state: string;
  cycle: number;
  text: string;
  issues: string[];
}

/** UPR Info's recommendations as the importer reads them (one record per distinct text of a review). */
export async function readUprInfo(db: Db, dir: string): Promise<SampleRecord[]> {
  const resolver = new StateResolver(db);
  const records: SampleRecord[] = [];
  for (const file of UPR_INFO_FILES) {
    const path = join(dir, file);
    const parsed = await readUprInfoCsv({ name: file, chunks: () => createReadStream(path) }, resolver, undefined, undefined, true);
    const labels = new Map(parsed.themes.map((t) => [t.id, t.label]));
    for (const r of parsed.records) {
      const [state, cycle] = r.reviewId.split('-');
      records.push({ state: state!, cycle: Number(cycle), text: r.text, issues: (r.themes ?? []).map((id) => labels.get(id)!) });
    }
  }
  return records;
}

const RATIFY = /\b(?:ratif\w*|acced\w*|accession|adher\w*|become (?:a )?party|sign\w*)\b/i;

/** Instruments, named as a careful reader would recognise them. */
const GOLD_INSTRUMENTS: Record<string, RegExp> = {
  'OP-CAT': /\bop-?cat\b|optional protocol (?:to|of) the (?:un )?convention against torture|(?:convention against torture[a-z ,]*?|\bcat\)?) and (?:its|the) optional protocol/i,
  CAT: /(?<!optional protocol (?:to|of) (?:the )?(?:un )?)convention against torture|\bcat\b/i,
  'OP-CEDAW': /\bop-?cedaw\b|optional protocol (?:to|of) (?:the )?(?:cedaw|convention on the elimination of all forms of discrimination against women)/i,
  CRPD: /(?<!optional protocol (?:to|of) (?:the )?)convention on the rights of persons with disabilities|(?<!optional protocol (?:to|of) (?:the )?)\bcrpd\b/i,
  'ICCPR-OP2': /second optional protocol/i,
  'OP-CRC-SC': /sale of children/i,
  'OP-CRC-AC': /children in armed conflict/i,
  ICRMW: /migrants? workers/i,
  CPED: /enforced disappearance/i,
  'Rome Statute': /rome statute|statute of the international criminal court/i,
  'ILO 169': /\b169\b|indigenous and tribal peoples/i,
  'ILO 189': /\b189\b|domestic workers/i,
  'Statelessness 1954': /status of stateless persons|1954/i,
  'Statelessness 1961': /reduction of statelessness|1961/i,
  'OP-ICESCR': /optional protocol (?:to|of) the (?:international covenant on economic|icescr)/i,
};

/** The instruments a text asks to ratify, when it asks to ratify something. */
export function goldInstruments(text: string): string[] {
  if (!RATIFY.test(text)) return [];
  return Object.entries(GOLD_INSTRUMENTS)
    .filter(([, pattern]) => pattern.test(text))
    .map(([name]) => name);
}

/** UPR Info issues narrow enough that two recommendations carrying one ask about the same thing. */
export const NARROW_ISSUES = new Set(
  [
    'Death penalty', 'Enforced disappearances', 'HIV - Aids', 'Human rights defenders', 'Indigenous peoples',
    'NHRI', 'Sexual Orientation and Gender Identity', 'Special procedures', 'Trafficking', 'Freedom of the press',
    'Right to water', 'Corruption', 'Counter-terrorism', 'Internally displaced persons',
  ].map((label) => {
    if (!UPR_INFO_ISSUES.includes(label)) throw new Error(`not a UPR Info issue: ${label}`);
    return label;
  }),
);

export interface Query {
  kind: 'instrument' | 'issue';
  /** The instrument or issue asked about. */
  about: string;
  state: string;
  query: number; // index into the records
  candidates: number[]; // first-cycle records of the same state
  relevant: Set<number>;
}

/** The labelled queries over these records. */
export function buildQueries(records: SampleRecord[]): Query[] {
  const byState = new Map<string, number[]>();
  records.forEach((r, i) => {
    if (r.cycle === 1) byState.set(r.state, [...(byState.get(r.state) ?? []), i]);
  });
  const queries: Query[] = [];
  const gold = records.map((r) => goldInstruments(r.text));
  const narrow = records.map((r) => r.issues.filter((l) => NARROW_ISSUES.has(l)));
  records.forEach((r, i) => {
    if (r.cycle !== 2) return;
    const candidates = byState.get(r.state);
    if (!candidates) return;
    if (gold[i]!.length === 1) {
      const about = gold[i]![0]!;
      const relevant = new Set(candidates.filter((c) => gold[c]!.includes(about)));
      if (relevant.size > 0) queries.push({ kind: 'instrument', about, state: r.state, query: i, candidates, relevant });
    }
    if (narrow[i]!.length === 1 && r.issues.length === 1) {
      const about = narrow[i]![0]!;
      const relevant = new Set(candidates.filter((c) => narrow[c]!.includes(about)));
      if (relevant.size > 0) queries.push({ kind: 'issue', about, state: r.state, query: i, candidates, relevant });
    }
  });
  return queries;
}
