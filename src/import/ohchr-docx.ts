import { XMLParser } from 'fast-xml-parser';
import { type ImportLimits, ImportLimitError } from './limits.js';
import { ImportError, type ImportSource } from './types.js';
import { badBytes } from './xml-characters.js';
import { checkXml, type XmlBudget } from './xml-check.js';
import { ZipArchive } from './zip.js';

// Reading a Word .docx: its zip (directory read and cost checked before anything is inflated), its XML parts
// under the element budget, and the text of paragraphs and table cells.

const options = {
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
};
// Attributes are read only where they are used (the relationships' Type and Target): the parser spends 1–1.5 µs
// on each, and a document's attributes are never text.
const withAttributes = new XMLParser({ ...options, ignoreAttributes: false });
const withoutAttributes = new XMLParser({ ...options, ignoreAttributes: true });

export type XmlNode = Record<string, unknown>;

export function tagOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@');
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  const value = tag === undefined ? undefined : node[tag];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

// Wrappers that can hold table rows, cells or paragraphs (content controls, custom XML, tracked insertions).
const WRAPPERS = new Set(['w:sdt', 'w:sdtContent', 'w:customXml', 'w:ins', 'w:smartTag']);

/** The elements with a tag among a node's children, looking through wrappers. */
export function elements(nodes: XmlNode[], tag: string): XmlNode[] {
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
export function textOf(node: XmlNode): string {
  const tag = tagOf(node);
  if (tag === undefined || SKIPPED.has(tag)) return '';
  if (tag === 'w:t') return childrenOf(node).map((c) => String(c['#text'] ?? '')).join('');
  if (tag === 'w:tab') return '\t';
  if (tag === 'w:br' || tag === 'w:cr') return '\n';
  if (tag === 'w:noBreakHyphen') return '-';
  return childrenOf(node).map(textOf).join('');
}

/** A cell's lines: its paragraphs, split where a line break (<w:br/>) separates labels or states; spaces
 * (non-breaking ones and tabs included) collapsed. */
export function cellLines(cell: XmlNode): string[] {
  return elements(childrenOf(cell), 'w:p').flatMap((p) => textOf(p).split('\n').map((line) => line.replace(/\s+/g, ' ').trim()));
}

/** The .docx's archive, its directory read (and its cost checked) before anything is inflated. */
export async function loadDocx(source: ImportSource, limits: ImportLimits): Promise<Docx> {
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
    budget: {
      elements: limits.maxXmlElements,
      maxElements: limits.maxXmlElements,
      maxDepth: limits.maxXmlDepth,
      // A text between two tags is part of a cell (or a title): longer than a cell may be, it is no matrix.
      maxTextChars: limits.maxCellChars,
    },
  };
}

export interface Docx {
  zip: ZipArchive;
  budget: XmlBudget;
}

/** A part's XML tree, its attributes (under ":@") read only when asked for. */
export async function readXml({ zip, budget }: Docx, path: string, { attributes = false } = {}): Promise<XmlNode[] | undefined> {
  const bytes = zip.read(path);
  if (!bytes) return undefined;
  const text = xmlText(bytes, path);
  checkXml(text, path, budget, { attributes });
  try {
    return (attributes ? withAttributes : withoutAttributes).parse(text) as XmlNode[];
  } catch (error) {
    throw new ImportError(`Not a readable .docx: ${path} is not well-formed XML (${(error as Error).message}).`);
  }
}

/**
 * An XML part's text: UTF-8 as Word writes it, or UTF-16 (which XML allows and some tools write), known by its
 * byte order mark or by the zero byte beside its first "<" (read as UTF-8, its every other byte was a NUL and
 * the part was refused for a wrong reason). Bytes that are not that encoding are refused, with where (read, each
 * became U+FFFD).
 */
function xmlText(bytes: Buffer, path: string): string {
  const [a, b] = [bytes[0], bytes[1]];
  const encoding =
    (a === 0xff && b === 0xfe) || (a === 0x3c && b === 0x00) ? 'utf-16le' : (a === 0xfe && b === 0xff) || (a === 0x00 && b === 0x3c) ? 'utf-16be' : 'utf-8';
  const bad = badBytes(bytes, encoding);
  if (bad) throw new ImportError(`Not a readable .docx: ${path} is not well-formed XML (${bad}).`);
  return encoding === 'utf-8' ? bytes.toString('utf8') : new TextDecoder(encoding).decode(bytes);
}

/** The targets of a part's relationships of a type ("officeDocument", "header"), as paths in the zip. */
export async function related(docx: Docx, relsPath: string, baseDir: string, type: string): Promise<string[]> {
  const rels = await readXml(docx, relsPath, { attributes: true });
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

