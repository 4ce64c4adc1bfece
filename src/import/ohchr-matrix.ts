import { XMLParser } from 'fast-xml-parser';
import type { Db } from '../db/open.js';
import { slugify } from '../common/slug.js';
import type { Position } from '../db/schema.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, ImportLimitError } from './limits.js';
import { NameCounter, recommendersInText, type StateResolver, trailingGroups } from './states.js';
import {
  ImportError,
  type ImportNote,
  type ImportRecord,
  type ImportSource,
  type LabelInput,
  type Location,
  type ParsedFile,
  type ReviewInput,
  type SourceInput,
} from './types.js';
import { checkXml, type XmlBudget } from './xml-check.js';
import { ZipArchive } from './zip.js';

// The OHCHR "thematic list of recommendations" (the UPR matrix) as a Word .docx: a table whose rows are
// a header, "Theme: …" headings and entries of four cells — the recommendation ("121.1 Ratify … (France)
// (Lithuania);" and "Source of Position: A/HRC/43/15 - Para 121"), the position (Supported / Noted), the
// UHRI themes with optional "SDGs:" and "Affected persons:" lists, and an assessment column (ignored).
// The page header names the review: "UPR of Slovenia (3rd Cycle - 34th Session)".

const xml = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
});

type XmlNode = Record<string, unknown>;

function tagOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@');
}

function childrenOf(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  const value = tag === undefined ? undefined : node[tag];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

// Wrappers that can hold table rows, cells or paragraphs (content controls, custom XML, tracked insertions).
const WRAPPERS = new Set(['w:sdt', 'w:sdtContent', 'w:customXml', 'w:ins', 'w:smartTag']);

/** The elements with a tag among a node's children, looking through wrappers. */
function elements(nodes: XmlNode[], tag: string): XmlNode[] {
  const found: XmlNode[] = [];
  for (const node of nodes) {
    const t = tagOf(node);
    if (t === tag) found.push(node);
    else if (t !== undefined && WRAPPERS.has(t)) found.push(...elements(childrenOf(node), tag));
  }
  return found;
}

// Never text: deleted runs, field instructions, the fallback copy of alternate content.
const SKIPPED = new Set(['w:delText', 'w:instrText', 'mc:Fallback', 'w:rPr', 'w:pPr']);

/** The text of a paragraph (or any element): w:t runs, tabs and breaks. */
function textOf(node: XmlNode): string {
  const tag = tagOf(node);
  if (tag === undefined || SKIPPED.has(tag)) return '';
  if (tag === 'w:t') return childrenOf(node).map((c) => String(c['#text'] ?? '')).join('');
  if (tag === 'w:tab') return '\t';
  if (tag === 'w:br' || tag === 'w:cr') return '\n';
  if (tag === 'w:noBreakHyphen') return '-';
  return childrenOf(node).map(textOf).join('');
}

function paragraphsOf(cell: XmlNode): string[] {
  return elements(childrenOf(cell), 'w:p').map((p) => textOf(p).replace(/\s+/g, ' ').trim());
}

const POSITIONS: Record<string, Position> = {
  supported: 'supported',
  noted: 'noted',
  'partially supported': 'partially_supported',
  // Older matrices print a recommendation supported in part and noted in part as "Supported/Noted".
  'supported/noted': 'partially_supported',
};

const REVIEW_HEADER =
  /UPR of (.{1,200}?)\s*\(\s*(\d)\s*(?:st|nd|rd|th)?\s+Cycle\s*[-–—]\s*(\d+)\s*(?:st|nd|rd|th)?\s+Session\s*\)/i;

/** The .docx's archive, its directory read (and its cost checked) before anything is inflated. */
async function loadDocx(source: ImportSource, limits: ImportLimits): Promise<Docx> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source.chunks()) {
    size += chunk.length;
    if (size > limits.maxInflatedBytes) {
      throw new ImportLimitError(`The .docx is larger than ${limits.maxInflatedBytes} bytes; larger files are not read.`);
    }
    chunks.push(chunk);
  }
  return {
    zip: ZipArchive.open(Buffer.concat(chunks), limits),
    budget: { elements: limits.maxXmlElements, maxElements: limits.maxXmlElements, maxDepth: limits.maxXmlDepth },
  };
}

interface Docx {
  zip: ZipArchive;
  budget: XmlBudget;
}

async function readXml({ zip, budget }: Docx, path: string): Promise<XmlNode[] | undefined> {
  const bytes = zip.read(path);
  if (!bytes) return undefined;
  const text = bytes.toString('utf8');
  checkXml(text, path, budget);
  try {
    return xml.parse(text) as XmlNode[];
  } catch (error) {
    throw new ImportError(`Not a readable .docx: ${path} is not well-formed XML (${(error as Error).message}).`);
  }
}

/** The targets of a part's relationships of a type ("officeDocument", "header"), as paths in the zip. */
async function related(docx: Docx, relsPath: string, baseDir: string, type: string): Promise<string[]> {
  const rels = await readXml(docx, relsPath);
  if (!rels) return [];
  const targets = elements(childrenOf(elements(rels, 'Relationships')[0] ?? {}), 'Relationship')
    .map((r) => r[':@'] as Record<string, string>)
    .filter((a) => a['@_Type']?.endsWith(`/${type}`))
    .map((a) => {
      const target = a['@_Target']!;
      return target.startsWith('/') ? target.slice(1) : `${baseDir}${target}`;
    });
  return [...new Set(targets)];
}

export async function readOhchrMatrix(
  source: ImportSource,
  resolver: StateResolver,
  db: Db,
  selectedReview: string | undefined,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<ParsedFile> {
  const docx = await loadDocx(source, limits);
  const mainPath = (await related(docx, '_rels/.rels', '', 'officeDocument'))[0] ?? 'word/document.xml';
  const document = await readXml(docx, mainPath);
  if (!document) throw new ImportError('Not a Word document: the .docx has no main document part.');
  const dir = mainPath.slice(0, mainPath.lastIndexOf('/') + 1);
  const relsPath = `${dir}_rels/${mainPath.slice(dir.length)}.rels`;
  const headerTexts: string[] = [];
  for (const path of await related(docx, relsPath, dir, 'header')) {
    const header = await readXml(docx, path);
    if (header) headerTexts.push(header.map(textOf).join(' '));
  }

  const body = childrenOf(elements(childrenOf(elements(document, 'w:document')[0] ?? {}), 'w:body')[0] ?? {});
  const rows = elements(body, 'w:tbl').flatMap((table) => elements(childrenOf(table), 'w:tr'));
  if (rows.length === 0) throw new ImportError('Not an OHCHR matrix: the document has no table.');
  if (rows.length > limits.maxRows) {
    throw new ImportLimitError(`The document's tables have ${rows.length} rows; at most ${limits.maxRows} are read.`);
  }

  const skipped: ImportNote[] = [];
  const warnings: ImportNote[] = [];
  const names = new NameCounter();
  const records: ImportRecord[] = [];
  const symbols = new Map<string, number>();
  const themes = new Map<string, LabelInput>();
  const affected = new Map<string, LabelInput>();
  const vocabulary = (labels: string[], into: Map<string, LabelInput>, kind: string, at: Location) =>
    labels.flatMap((label) => {
      const id = slugify(label);
      if (id === '') {
        warnings.push({ ...at, message: `${kind} "${label}" has no letters or digits: left out` });
        return [];
      }
      if (!into.has(id)) into.set(id, { id, label, uhri: true });
      return [id];
    });

  rows.forEach((tr, index) => {
    const row = index + 1;
    const cells = elements(childrenOf(tr), 'w:tc').map(paragraphsOf);
    if (cells.some((c) => c.reduce((length, p) => length + p.length, 0) > limits.maxCellChars)) {
      throw new ImportLimitError(`Row ${row} of the table has a cell longer than ${limits.maxCellChars} characters.`);
    }
    const first = cells[0] ?? [];
    const firstText = first.join(' ').trim();
    if (cells.every((c) => c.every((p) => p === ''))) return;
    if (/^recommendations?$/i.test(firstText) || /^theme\s*:/i.test(firstText)) return; // header, theme heading
    if (cells.length < 3) {
      skipped.push({ row, message: `not an entry (expected recommendation, position and themes cells): "${firstText.slice(0, 80)}"` });
      return;
    }
    const sourceLine = first.find((p) => /^source of position\s*:/i.test(p));
    const printed = first.filter((p) => p !== sourceLine && p !== '').join(' ');
    const numbered = /^(\d+(?:\.\d+)*)\.?(?:\s+(.*))?$/.exec(printed);
    const paragraph = numbered ? numbered[1]! : null;
    const text = numbered ? (numbered[2] ?? '').trim() : printed;
    const at = { row, paragraph };
    if (text === '') {
      skipped.push({ ...at, message: 'no recommendation text' });
      return;
    }
    if (paragraph === null) warnings.push({ ...at, message: 'no paragraph number at the start of the text' });

    const positionSource = sourceLine ? sourceLine.replace(/^source of position\s*:\s*/i, '').trim() || null : null;
    if (positionSource === null) warnings.push({ ...at, message: 'no "Source of Position"' });
    const symbol = positionSource?.match(/^A\/HRC\/\d+\/\d+/)?.[0];
    if (symbol) symbols.set(symbol, (symbols.get(symbol) ?? 0) + 1);

    const printedPosition = (cells[1] ?? []).join(' ').trim();
    const position = POSITIONS[printedPosition.toLowerCase().replace(/\s*\/\s*/g, '/').replace(/\s+/g, ' ')] ?? null;
    if (printedPosition === '') warnings.push({ ...at, message: 'no position' });
    else if (position === null) {
      warnings.push({ ...at, message: `position "${printedPosition}" is not one the importer knows: left empty` });
    }

    const tags = readTags(cells[2] ?? []);
    for (const message of tags.problems) warnings.push({ ...at, message });

    const recommenders = recommendersInText(text, resolver);
    for (const message of recommenders.warnings) warnings.push({ ...at, message });
    for (const name of recommenders.unresolved) names.add(name);

    records.push({
      reviewId: '', // set below, once the review is known
      paragraph,
      text,
      idText: trailingGroups(text).body,
      verbatim: true,
      recommendingStates: recommenders.codes,
      unresolvedRecommenders: recommenders.unresolved,
      position,
      positionLabel: position === null && printedPosition !== '' ? printedPosition : null,
      positionSource,
      themes: vocabulary(tags.themes, themes, 'theme', at),
      sdgs: tags.sdgs,
      affectedPersons: vocabulary(tags.affectedPersons, affected, 'affected-persons group', at),
      labelSource: 'ohchr',
      rows: [row],
    });
  });

  if (records.length === 0) {
    throw new ImportError(`Not an OHCHR matrix: none of the table's ${rows.length} rows is an entry that can be imported.`);
  }
  const reportSymbol = [...symbols].sort(([, a], [, b]) => b - a)[0]?.[0] ?? null;
  const review = whichReview(headerTexts.join('\n'), reportSymbol, resolver, db, selectedReview);
  const report = reportSource(db, review);
  if (!report) {
    warnings.push({ message: `no report symbol in the "Source of Position" lines or stored for ${review.id}: the recommendations cite no source` });
  }
  for (const record of records) {
    record.reviewId = review.id;
    if (report) record.sourceId = report.id;
  }

  return {
    format: 'ohchr-matrix',
    records,
    reviews: [review],
    sources: report ? [report] : [],
    themes: [...themes.values()],
    affectedPersons: [...affected.values()],
    rowsRead: records.length + skipped.length,
    rowsNotSelected: 0,
    skipped,
    warnings,
    unresolvedRecommenders: names.list(resolver),
    unresolvedStatesUnderReview: [],
  };
}

/**
 * The document a matrix's recommendations come from: the Working Group report whose symbol its "Source of
 * Position" lines give (or the review has stored), at its UN Official Document System address.
 */
export function reportSource(db: Db, review: ReviewInput): SourceInput | undefined {
  const stored = db.$client.prepare('select report_symbol from reviews where id = ?').pluck().get(review.id) as string | null | undefined;
  const symbol = review.reportSymbol ?? stored ?? null;
  if (symbol === null) return undefined;
  const state = db.$client.prepare('select name from states where code = ?').pluck().get(review.stateCode) as string;
  return {
    id: `report-${slugify(symbol)}`,
    title: `Report of the Working Group on the Universal Periodic Review: ${state} (${symbol}), as listed in OHCHR's matrix of recommendations`,
    publisher: 'UN Human Rights Council',
    url: `https://undocs.org/${symbol}`,
    publishedOn: null,
  };
}

/** The themes cell: "- Theme" lines, then optional "SDGs:" ("- 16 - PEACE, …" → 16) and "Affected persons:". */
export function readTags(lines: string[]): { themes: string[]; sdgs: number[]; affectedPersons: string[]; problems: string[] } {
  const result = { themes: [] as string[], sdgs: [] as number[], affectedPersons: [] as string[], problems: [] as string[] };
  let section: 'themes' | 'sdgs' | 'affectedPersons' = 'themes';
  for (const line of lines) {
    let item = line.trim();
    const heading = /^(SDGs?|Affected persons)\s*:\s*(.*)$/i.exec(item);
    if (heading) {
      section = /^sdg/i.test(heading[1]!) ? 'sdgs' : 'affectedPersons';
      item = heading[2]!;
    }
    item = item.replace(/^[-–•]\s*/, '').trim();
    if (item === '') continue;
    if (section === 'sdgs') {
      const goal = Number(/^(\d{1,2})\b/.exec(item)?.[1]);
      if (goal >= 1 && goal <= 17) {
        if (!result.sdgs.includes(goal)) result.sdgs.push(goal);
      } else result.problems.push(`SDG "${item}" is not a goal number 1–17: left out`);
    } else if (!result[section].includes(item)) result[section].push(item);
  }
  return result;
}

function whichReview(
  header: string,
  reportSymbol: string | null,
  resolver: StateResolver,
  db: Db,
  selected: string | undefined,
): ReviewInput {
  const match = REVIEW_HEADER.exec(header);
  const named = match
    ? { name: match[1]!.trim(), code: resolver.resolve(match[1]!), cycle: Number(match[2]), session: Number(match[3]) }
    : undefined;
  if (named && (named.cycle < 1 || named.cycle > 4)) {
    throw new ImportError(`The document is a matrix of cycle ${named.cycle}; UPR cycles are 1–4 here.`);
  }
  const bySymbol = reportSymbol
    ? (db.$client
        .prepare('select id, state_code as stateCode, cycle from reviews where report_symbol = ? order by id')
        .all(reportSymbol) as { id: string; stateCode: string; cycle: number }[])
    : [];

  if (selected !== undefined) {
    const [code, cycle] = selected.split('-') as [string, string];
    if (!resolver.isCode(code)) throw new ImportError(`--review ${selected}: there is no state ${code}.`);
    if (named && (named.code !== code || named.cycle !== Number(cycle))) {
      throw new ImportError(
        `--review ${selected} contradicts the document, a matrix of "${named.name}" (cycle ${named.cycle}, session ${named.session}).`,
      );
    }
    return { id: selected, stateCode: code, cycle: Number(cycle), wgSession: named?.session ?? null, reportSymbol };
  }
  if (named) {
    if (named.code === undefined) {
      throw new ImportError(
        `The document is a matrix of "${named.name}", a name no state alias resolves (${resolver.explain(named.name)}): pass --review.`,
      );
    }
    const id = `${named.code}-${named.cycle}`;
    if (bySymbol.length > 0 && !bySymbol.some((r) => r.id === id)) {
      throw new ImportError(
        `The header names review ${id}, but report ${reportSymbol} is stored for ${bySymbol.map((r) => r.id).join(', ')}.`,
      );
    }
    return { id, stateCode: named.code, cycle: named.cycle, wgSession: named.session, reportSymbol };
  }
  if (bySymbol.length === 1) return { ...bySymbol[0]!, reportSymbol };
  throw new ImportError(
    `Cannot tell which review this matrix is about: no "UPR of <State> (<n>th Cycle - <n>th Session)" page header` +
      (reportSymbol ? ` and no stored review with report ${reportSymbol}` : '') +
      '. Pass --review, e.g. --review SVN-3.',
  );
}
