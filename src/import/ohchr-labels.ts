import type { Db } from '../db/open.js';
import { slugify } from '../common/slug.js';
import type { LabelInput, ThemeUhriId, UnmappedLabel } from './types.js';

// The labels of an OHCHR matrix entry, in every generation's wording, mapped to the one UHRI vocabulary.
//
// A label comes as printed ("Racial discrimination"), with a UHRI code ("B32 Racial discrimination", 2nd
// cycle) or numbered ("12.4. Death penalty", older matrices). The wording without its code is matched to the
// stored vocabulary as its id would be (case, "&"/"and", punctuation do not matter); within a file the code is
// the key, so one code printed with two wordings is one label. A UHRI code ("B32", not an older matrix's
// "12.4") is stored with the theme the first matrix maps it to, and keys that theme in every later matrix,
// whatever its wording. A wording the vocabulary lacks is added as printed (OHCHR's own wording) and reported
// as not mapped, for someone to check.

const SECTION_HEADING = /^(Relevant SDGs?|SDGs?|Affected persons|Groups of persons)\s*:\s*(.*)$/i;
// "S16 SDG 16 - PEACE, …" mixed into the themes, "SDG 16 - …" or "16 - PEACE, …" in an SDG list.
const SDG_IN_THEMES = /^(?:S\d{1,2}\s+)?SDG\s*(\d{1,2})\b/i;
const SDG_ITEM = /^(?:S\d{1,2}\s+)?(?:SDG\s*)?(\d{1,2})\b/i;
const CODED = /^([A-Z]\d{1,3})\s+(\S.*)$/;
const NUMBERED = /^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$/;
const UHRI_CODE = /^[A-Z]\d{1,3}$/;

export type TagSection = 'themes' | 'sdgs' | 'affectedPersons';

export interface Tags {
  themes: string[];
  sdgs: number[];
  affectedPersons: string[];
  problems: string[];
}

/**
 * A themes cell ("- Theme" lines, then optional "SDGs:" and "Affected persons:"/"Groups of Persons:" lists),
 * or a cell of one kind (the 4th cycle's "Relevant SDGs" column: start in 'sdgs').
 */
export function readTags(lines: string[], start: TagSection = 'themes'): Tags {
  const result: Tags = { themes: [], sdgs: [], affectedPersons: [], problems: [] };
  let section = start;
  const addGoal = (goal: number, item: string) => {
    if (goal >= 1 && goal <= 17) {
      if (!result.sdgs.includes(goal)) result.sdgs.push(goal);
    } else result.problems.push(`SDG "${item}" is not a goal number 1–17: left out`);
  };
  for (const line of lines) {
    let item = line.trim();
    const heading = SECTION_HEADING.exec(item);
    if (heading) {
      section = /sdg/i.test(heading[1]!) ? 'sdgs' : 'affectedPersons';
      item = heading[2]!;
    }
    item = item.replace(/^[-–•]\s*/, '').trim();
    if (item === '') continue;
    const sdgInThemes = section === 'themes' ? SDG_IN_THEMES.exec(item) : null;
    if (sdgInThemes) addGoal(Number(sdgInThemes[1]), item);
    else if (section === 'sdgs') addGoal(Number(SDG_ITEM.exec(item)?.[1]), item);
    else if (!result[section].includes(item)) result[section].push(item);
  }
  return result;
}

/** A label as printed, split into its code ("B32", "12.4") and wording. */
export function splitCode(printed: string): { code: string | null; wording: string } {
  const match = CODED.exec(printed) ?? NUMBERED.exec(printed);
  return match ? { code: match[1]!, wording: match[2]!.trim() } : { code: null, wording: printed };
}

/** One vocabulary (UHRI themes, or affected-persons groups) as one import maps labels to it. */
export class LabelVocabulary {
  private readonly bySlug = new Map<string, string>();
  private readonly byCode = new Map<string, string>();
  private readonly added = new Map<string, LabelInput>();
  private readonly unmapped = new Map<string, UnmappedLabel>();
  /** Themes that have a UHRI code, stored or learned in this file. */
  private readonly coded = new Set<string>();
  private readonly learned: ThemeUhriId[] = [];

  constructor(
    db: Db,
    private readonly kind: UnmappedLabel['kind'],
  ) {
    // Themes: UHRI's, then our own labels in its style (a theme id is one across schemes); never UPR Info's.
    const query =
      kind === 'theme'
        ? "select id, label, uhri_code as code from themes where scheme in ('uhri', 'local') order by scheme = 'uhri' desc, id"
        : 'select id, label, null as code from affected_persons_groups order by id';
    const rows = db.$client.prepare(query).all() as { id: string; label: string; code: string | null }[];
    for (const { id, label, code } of rows) {
      if (!this.bySlug.has(slugify(label))) this.bySlug.set(slugify(label), id);
      if (code !== null) {
        this.byCode.set(code, id);
        this.coded.add(id);
      }
    }
  }

  /** The ids of an entry's labels; a label with nothing to key it by is left out with a problem. */
  map(printed: string[], problems: string[]): string[] {
    const ids: string[] = [];
    for (const label of printed) {
      const { code, wording } = splitCode(label);
      const slug = slugify(wording);
      let id = code === null ? undefined : this.byCode.get(code);
      if (id === undefined && slug === '') {
        problems.push(`${this.kind} "${label}" has no letters or digits: left out`);
        continue;
      }
      id ??= this.bySlug.get(slug);
      if (id === undefined) {
        id = slug;
        this.bySlug.set(slug, id);
        this.added.set(id, { id, label: wording, uhri: true });
      }
      if (code !== null && !this.byCode.has(code)) {
        this.byCode.set(code, id);
        if (this.kind === 'theme' && UHRI_CODE.test(code) && !this.coded.has(id)) {
          this.coded.add(id);
          this.learned.push({ id, uhriId: code });
        }
      }
      const missing = this.added.get(id);
      if (missing) {
        const entry = this.unmapped.get(id) ?? { kind: this.kind, label: missing.label, count: 0 };
        entry.count++;
        this.unmapped.set(id, entry);
      }
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  /** Labels the vocabulary lacks, to add as printed. */
  newLabels(): LabelInput[] {
    return [...this.added.values()];
  }

  /** UHRI codes this file printed for themes that had none, to store. */
  uhriIdsLearned(): ThemeUhriId[] {
    return this.learned;
  }

  /** The same, with how many entries use each, for the report. */
  notMapped(): UnmappedLabel[] {
    return [...this.unmapped.values()];
  }
}
